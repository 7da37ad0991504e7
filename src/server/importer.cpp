#include "server/importer.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <optional>

#include "scene/gallery_formats.h"
#include "scene/gltf_generation.h"
#include "scene/load.h"
#include "scene/model_formats.h"
#include "server/static_files.h"
#include "util/ascii.h"

namespace thumbgen::server {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxSideFiles = 2000;

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

bool is_hidden(const fs::path& path) {
  std::string name = path.filename().string();
  return !name.empty() && name.front() == '.';
}

std::string extension_of(const fs::path& path) {
  std::string extension = util::to_lower_ascii(path.extension().string());
  if (!extension.empty()) extension.erase(0, 1);
  return extension;
}

// Formats whose main file can reference other files.
bool has_side_files(std::string_view type) {
  return type == "GLTF2" || type == "GLTF1" || type == "OBJ" || type == "FBX";
}

std::vector<std::string> side_files_of(const fs::path& folder, const fs::path& model) {
  std::vector<std::string> files;
  std::error_code error;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, error), end;
  for (; !error && it != end; it.increment(error)) {
    if (is_hidden(it->path())) {
      if (it->is_directory(error)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(error) || it->path() == model) continue;
    if (scene::model_format_for(extension_of(it->path()))) continue;  // a model of its own
    files.push_back(it->path().lexically_relative(folder).generic_string());
    if (files.size() >= kMaxSideFiles) break;
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Field lookups for the lenient JSON import: the first present name wins.
const nlohmann::json* field(const nlohmann::json& object, std::initializer_list<const char*> names) {
  if (!object.is_object()) return nullptr;
  for (const char* name : names) {
    auto it = object.find(name);
    if (it != object.end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

std::string text_field(const nlohmann::json& object, std::initializer_list<const char*> names) {
  const nlohmann::json* value = field(object, names);
  if (!value) return {};
  if (value->is_string()) return value->get<std::string>();
  if (value->is_number_integer()) return std::to_string(value->get<std::int64_t>());
  return {};
}

// A resource or root given as a string, or as {"url"} / {"relativePath"} (Icosa API shapes).
std::string location_of(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  return text_field(value, {"url", "relativePath", "relative_path", "path"});
}

// The roots the listing passes through as they are (Api::file_url); anything else would be taken for a local path.
bool is_http_url(std::string_view location) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (location.starts_with(scheme) && location.size() > scheme.size()) return true;
  }
  return false;
}

std::string last_path_segment(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  std::size_t slash = url.rfind('/');
  return slash == std::string::npos ? url : url.substr(slash + 1);
}

// Inserts or updates one asset and counts the outcome; a failure skips that asset with its reason.
void upsert_counted(Catalogue& catalogue, const AssetRecord& asset, ImportSummary& summary, const std::string& label) {
  try {
    switch (catalogue.upsert_asset(asset)) {
      case UpsertOutcome::Inserted:
        ++summary.inserted;
        break;
      case UpsertOutcome::Updated:
        ++summary.updated;
        break;
      case UpsertOutcome::Unchanged:
        ++summary.unchanged;
        break;
    }
  } catch (const std::exception& failure) {
    summary.skipped.push_back(label + ": " + failure.what());
  }
}

}  // namespace

bool is_viewer_compatible_format(std::string_view type) {
  static const std::array<const char*, 10> kViewable = {"GLB", "GLTF2", "GLTF1", "OBJ",   "FBX",
                                                        "PLY", "STL",   "SPZ",   "SPLAT", "IMM"};
  return std::find(kViewable.begin(), kViewable.end(), type) != kViewable.end();
}

std::string detect_format_type(const fs::path& file) {
  const std::string extension = extension_of(file);
  const scene::ModelFormat* format = scene::model_format_for(extension);
  if (!format) return {};
  std::vector<std::uint8_t> head(64 * 1024);
  std::ifstream in(file, std::ios::binary);
  in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  if (head.empty()) return {};
  bool glb_magic = head.size() >= 4 && std::equal(head.begin(), head.begin() + 4, "glTF");
  scene::FormatKind kind = scene::detect_format(file.filename().string(), head);
  if ((kind == scene::FormatKind::Gltf1 || kind == scene::FormatKind::Gltf2) && !glb_magic) {
    // The head only hints at a .gltf document's generation ("asset" may come later): read on to its version.
    in.clear();
    in.seekg(0);
    try {
      kind = scene::gltf_json_generation(in);
    } catch (const scene::LoadError&) {
      // Malformed JSON: keep the hint; rendering it will fail with the reason.
    }
  }
  switch (kind) {
    case scene::FormatKind::Gltf2:
      return glb_magic || extension == "glb" ? "GLB" : "GLTF2";
    case scene::FormatKind::Gltf1:
      return "GLTF1";
    case scene::FormatKind::SplatPly:
    case scene::FormatKind::Ply:
      return "PLY";
    case scene::FormatKind::Spz:
      return "SPZ";
    case scene::FormatKind::Splat:
      return "SPLAT";
    case scene::FormatKind::Stl:
      return "STL";
    case scene::FormatKind::Obj:
      return "OBJ";
    case scene::FormatKind::TiltRaw:
      return "TILT";
    case scene::FormatKind::Other:
    case scene::FormatKind::Unknown:
      break;
  }
  // detect_format() knows the formats thumbgen reads itself by content, so a .ply it does not recognise is no PLY;
  // for the others (assimp's, and gallery formats nothing reads yet) the extension is all there is.
  if (format->reader == scene::ModelReader::Assimp || format->reader == scene::ModelReader::NoLoader) {
    return std::string(format->gallery_type);
  }
  return {};
}

std::string asset_url_for(std::string_view relative_path) {
  std::string slug;
  for (unsigned char c : relative_path) {
    if (std::isalnum(c)) {
      slug.push_back(util::to_lower_ascii(static_cast<char>(c)));
    } else if (!slug.empty() && slug.back() != '-') {
      slug.push_back('-');
    }
    if (slug.size() >= 60) break;
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  std::uint64_t hash = 1469598103934665603ull;  // FNV-1a: stable across runs and machines
  for (unsigned char c : relative_path) hash = (hash ^ c) * 1099511628211ull;
  char suffix[10];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(hash ^ (hash >> 32)));
  return (slug.empty() ? std::string("asset") : slug) + "-" + suffix;
}

ImportSummary import_folder(Catalogue& catalogue, const fs::path& folder) {
  ImportSummary summary;
  std::error_code error;
  fs::path root = fs::canonical(folder, error);
  if (error || !fs::is_directory(root)) {
    summary.skipped.push_back(folder.string() + ": not a folder");
    return summary;
  }
  std::vector<fs::path> models;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, error), end;
  for (; !error && it != end; it.increment(error)) {
    if (is_hidden(it->path())) {
      if (it->is_directory(error)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(error)) models.push_back(it->path());
  }
  std::sort(models.begin(), models.end());
  for (const fs::path& model : models) {
    std::string relative = model.lexically_relative(root).generic_string();
    std::string type = detect_format_type(model);
    if (type.empty()) continue;  // textures, buffers and other side files
    fs::path model_folder = model.parent_path();
    FormatRecord format;
    format.format_type = type;
    format.root = model.filename().generic_string();
    format.is_preferred = true;
    format.resources.push_back({format.root, content_type_for(format.root)});
    if (has_side_files(type)) {
      for (const std::string& side : side_files_of(model_folder, model)) {
        format.resources.push_back({side, content_type_for(side)});
      }
    }
    AssetRecord asset;
    asset.url = asset_url_for(relative);
    asset.name = model.stem().string();
    asset.is_viewer_compatible = is_viewer_compatible_format(type);
    asset.files_root = model_folder.string();
    asset.formats.push_back(std::move(format));
    upsert_counted(catalogue, asset, summary, relative);
  }
  if (error) summary.skipped.push_back(folder.string() + ": " + error.message());
  return summary;
}

ImportSummary import_json(Catalogue& catalogue, const nlohmann::json& document) {
  ImportSummary summary;
  const nlohmann::json* list = &document;
  nlohmann::json single;
  if (document.is_object()) {
    if (const nlohmann::json* assets = field(document, {"assets", "results", "items"}); assets && assets->is_array()) {
      list = assets;
    } else {
      single = nlohmann::json::array({document});
      list = &single;
    }
  }
  if (!list->is_array()) {
    summary.skipped.push_back("document: expected {\"assets\": [...]} or an array of assets");
    return summary;
  }
  int index = -1;
  for (const nlohmann::json& record : *list) {
    ++index;
    std::string where = "assets[" + std::to_string(index) + "]";
    if (!record.is_object()) {
      summary.skipped.push_back(where + ": not an object");
      continue;
    }
    AssetRecord asset;
    asset.url = text_field(record, {"assetId", "asset_id", "url"});
    if (asset.url.find('/') != std::string::npos) asset.url = last_path_segment(asset.url);  // https://.../view/ID
    if (asset.url.empty()) {
      summary.skipped.push_back(where + ": no assetId or url");
      continue;
    }
    if (const nlohmann::json* id = field(record, {"id"})) {
      if (id->is_number_integer()) asset.id = id->get<std::int64_t>();
      if (id->is_string()) {
        try {
          std::size_t used = 0;
          long long value = std::stoll(id->get<std::string>(), &used);
          if (used == id->get<std::string>().size()) asset.id = value;
        } catch (const std::exception&) {
        }
      }
    }
    asset.name = text_field(record, {"name", "displayName", "display_name"});
    asset.owner_displayname = text_field(record, {"authorName", "owner_displayname", "ownerDisplayName", "author"});
    asset.license = text_field(record, {"license"});
    if (std::string visibility = text_field(record, {"visibility"}); !visibility.empty()) asset.visibility = visibility;
    if (const nlohmann::json* params = field(record, {"presentationParams", "presentation_params"})) {
      asset.presentation_params_json = params->dump();
    }
    if (const nlohmann::json* camera = field(record, {"camera"})) asset.camera_json = camera->dump();
    if (const nlohmann::json* thumbnail = field(record, {"thumbnail", "thumbnail_url"})) {
      std::string url = location_of(*thumbnail);
      if (!url.empty()) asset.thumbnail = url;
    }
    std::string unservable;  // why a format of this record could not be served, if one cannot
    if (const nlohmann::json* formats = field(record, {"formats"}); formats && formats->is_array()) {
      for (const nlohmann::json& entry : *formats) {
        FormatRecord format;
        format.format_type = upper(text_field(entry, {"formatType", "format_type"}));
        if (const nlohmann::json* root = field(entry, {"root", "root_url", "rootUrl"}))
          format.root = location_of(*root);
        if (format.format_type.empty() || format.root.empty()) continue;
        // A JSON record names no folder its relative paths live in, so /files could never serve them: listing such a
        // root_url would send every client to a 404. The whole record is refused, with the reason.
        if (!is_http_url(format.root)) {
          unservable = "format " + format.format_type + " root \"" + format.root +
                       "\" is not an http(s) URL (files of a JSON import are not served; import a folder with "
                       "`thumbgen import DIR` to serve local files)";
          break;
        }
        if (const nlohmann::json* resources = field(entry, {"resources"}); resources && resources->is_array()) {
          for (const nlohmann::json& resource : *resources) {
            std::string location = location_of(resource);
            if (location.empty()) continue;
            std::string type = text_field(resource, {"contentType", "content_type", "mimeType"});
            format.resources.push_back({location, type.empty() ? content_type_for(location) : type});
          }
        }
        if (const nlohmann::json* preferred =
                field(entry, {"is_preferred", "isPreferred", "isPreferredForGalleryViewer"});
            preferred && preferred->is_boolean()) {
          format.is_preferred = preferred->get<bool>();
        }
        asset.formats.push_back(std::move(format));
      }
    }
    if (!unservable.empty()) {
      summary.skipped.push_back(where + " (" + asset.url + "): " + unservable);
      continue;
    }
    // No explicit preference: the best format by the gallery viewer's order.
    bool any_preferred =
        std::any_of(asset.formats.begin(), asset.formats.end(), [](auto& f) { return f.is_preferred; });
    if (!any_preferred && !asset.formats.empty()) {
      std::min_element(asset.formats.begin(), asset.formats.end(), [](const FormatRecord& a, const FormatRecord& b) {
        return scene::gallery_format_rank(a.format_type) < scene::gallery_format_rank(b.format_type);
      })->is_preferred = true;
    }
    if (const nlohmann::json* compatible = field(record, {"isViewerCompatible", "is_viewer_compatible"});
        compatible && compatible->is_boolean()) {
      asset.is_viewer_compatible = compatible->get<bool>();
    } else {
      asset.is_viewer_compatible = std::any_of(asset.formats.begin(), asset.formats.end(),
                                               [](auto& f) { return is_viewer_compatible_format(f.format_type); });
    }
    upsert_counted(catalogue, asset, summary, where + " (" + asset.url + ")");
  }
  return summary;
}

}  // namespace thumbgen::server
