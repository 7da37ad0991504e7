#include "server/importer.h"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "scene/file_list.h"
#include "scene/gallery_formats.h"
#include "scene/model_formats.h"
#include "server/data_folder_guard.h"
#include "server/folder_listing.h"
#include "server/model_file_open.h"
#include "server/model_publication.h"
#include "server/static_files.h"
#include "server/storage.h"
#include "util/ascii.h"

namespace thumbgen::server {

namespace fs = std::filesystem;

namespace {

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

std::string extension_of(std::string_view name) {
  const std::size_t slash = name.rfind('/'), dot = name.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return {};
  return util::to_lower_ascii(name.substr(dot + 1));
}

// The listed files below the folder `prefix` ("" or "a/b/"), relative to it: a sorted list holds them together.
std::vector<std::string> files_below(const std::vector<std::string>& listed, const std::string& prefix) {
  std::vector<std::string> names;
  for (auto it = std::lower_bound(listed.begin(), listed.end(), prefix); it != listed.end() && it->starts_with(prefix);
       ++it) {
    names.push_back(it->substr(prefix.size()));
  }
  return names;
}

// The FileLists of the folders holding the current model and its ancestors. Models come in sorted order, so a folder
// left behind never comes back (everything below one prefix sorts together) and is dropped.
class FolderLists {
 public:
  FolderLists(const std::vector<std::string>& listed, const fs::path& root) : listed_(listed), root_(root) {}

  const scene::FileList& of(const std::string& prefix) {
    std::erase_if(lists_, [&](const auto& entry) { return !prefix.starts_with(entry.first); });
    for (const auto& [cached, list] : lists_) {
      if (cached == prefix) return list;
    }
    return lists_
        .emplace_back(prefix, scene::FileList(files_below(listed_, prefix), folder_of(prefix).generic_string()))
        .second;
  }

  fs::path folder_of(const std::string& prefix) const {
    return prefix.empty() ? root_ : (root_ / prefix).parent_path();  // "a/b/" → root/a/b
  }

 private:
  const std::vector<std::string>& listed_;
  fs::path root_;
  std::vector<std::pair<std::string, scene::FileList>> lists_;
};

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
  const fs::path parent = file.has_parent_path() ? file.parent_path() : fs::path(".");
  const UniqueFd folder(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!folder) return {};
  return detect_model(folder.get(), file.filename().string()).format_type;
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

ImportSummary import_folder(Catalogue& catalogue, const fs::path& folder, const ImportOptions& options) {
  ImportSummary summary;
  std::error_code error;
  const fs::path root = fs::canonical(folder, error);
  if (error || !fs::is_directory(root)) {
    summary.skipped.push_back(folder.string() + ": not a folder");
    return summary;
  }
  const DataFolderGuard guard(options.data_folder);
  if (guard.contains(root)) {
    summary.skipped.push_back(folder.string() + ": inside the data folder " + guard.folder().string() +
                              ", whose files are never published");
    return summary;
  }
  const int root_fd = open_folder_without_symlinks(root);
  if (root_fd < 0) {
    summary.skipped.push_back(folder.string() + ": " + std::strerror(-root_fd));
    return summary;
  }
  const UniqueFd root_folder(root_fd);
  const FolderListing listing = list_folder(root_folder.get(), guard);
  for (const std::string& problem : listing.problems) summary.skipped.push_back(folder.string() + ": " + problem);

  FolderLists lists(listing.files, root);
  IsolationLimits discovery;
  discovery.timeout = options.references_timeout;
  discovery.max_memory_bytes = options.references_max_memory_bytes;
  for (const std::string& relative : listing.files) {
    if (!scene::model_format_for(extension_of(relative))) continue;  // textures, buffers and other side files
    DetectedModel model = detect_model(root_folder.get(), relative);
    if (model.format_type.empty()) continue;
    const std::size_t slash = relative.rfind('/');
    const std::string prefix = slash == std::string::npos ? "" : relative.substr(0, slash + 1);
    const std::string name = relative.substr(prefix.size());
    Publication publication = publish_model(model, name, root_folder.get(), prefix, lists.of(prefix), discovery);
    for (const std::string& warning : publication.warnings) summary.warnings.push_back(relative + ": " + warning);
    if (!publication.refusal.empty()) {
      summary.skipped.push_back(relative + ": " + publication.refusal);
      continue;
    }
    FormatRecord format;
    format.format_type = model.format_type;
    format.root = name;
    format.is_preferred = true;
    for (const std::string& file : publication.files) format.resources.push_back({file, content_type_for(file)});
    AssetRecord asset;
    asset.url = asset_url_for(relative);
    asset.name = fs::path(name).stem().string();
    asset.is_viewer_compatible = is_viewer_compatible_format(model.format_type);
    asset.files_root = lists.folder_of(prefix).string();
    asset.formats.push_back(std::move(format));
    upsert_counted(catalogue, asset, summary, relative);
  }
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
      // A stored key of another asset would let an upload to this one delete that asset's thumbnail.
      if (is_http_url(url) || (asset.id && is_own_thumbnail_key(*asset.id, url))) {
        asset.thumbnail = url;
        // Icosa's API names no source for a thumbnail; an export that knows the owner uploaded it says so, and
        // "Regenerate" then leaves it alone unless asked to replace owners' thumbnails.
        if (text_field(record, {"thumbnail_source", "thumbnailSource"}) == "owner") asset.thumbnail_source = "owner";
      } else if (!url.empty()) {
        summary.warnings.push_back(where + " (" + asset.url + "): thumbnail \"" + url.substr(0, 200) +
                                   "\" is neither an http(s) URL nor a stored key of this asset (thumbs/<its id>/...): "
                                   "ignored, so the asset is listed as missing its thumbnail");
      }
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
