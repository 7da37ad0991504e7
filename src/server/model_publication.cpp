#include "server/model_publication.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "scene/file_names.h"
#include "scene/gltf_generation.h"
#include "scene/load_error.h"
#include "scene/model_formats.h"
#include "scene/model_references.h"
#include "util/ascii.h"

namespace thumbgen::server {

namespace {

constexpr std::size_t kHeadBytes = 64 * 1024;  // what format detection looks at, as the renderer's
const std::uint64_t kMaxFileBytes = scene::LoadLimits{}.max_file_bytes;  // the renderer's limit for one file

std::string extension_of(std::string_view name) {
  const std::string_view file = scene::file_name_of(name);
  const std::size_t dot = file.rfind('.');
  return dot == std::string_view::npos ? std::string() : util::to_lower_ascii(file.substr(dot + 1));
}

bool starts_with_glb_magic(std::span<const std::uint8_t> bytes) {
  return bytes.size() >= 4 && bytes[0] == 'g' && bytes[1] == 'l' && bytes[2] == 'T' && bytes[3] == 'F';
}

// `length` bytes of `fd` from `offset` (throws LoadError naming `name`).
std::vector<std::uint8_t> read_range(int fd, std::uint64_t offset, std::uint64_t length, const std::string& name) {
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(length));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t got = ::pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw scene::LoadError(name + ": " + std::strerror(errno));
    if (got == 0) break;  // shrank meanwhile
    done += static_cast<std::size_t>(got);
  }
  bytes.resize(done);
  return bytes;
}

// A whole listed file below `root`, within the renderer's size limit.
std::vector<std::uint8_t> read_beneath(int root, const std::string& relative, const std::string& name) {
  const int fd = open_beneath(root, relative, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) throw scene::LoadError(scene::file_error(name, scene::FileProblem::NotFound));
  const UniqueFd file(fd);
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    throw scene::LoadError(scene::file_error(name, scene::FileProblem::NotFound));
  }
  const auto size = static_cast<std::uint64_t>(info.st_size);
  if (size > kMaxFileBytes) throw scene::LoadError(scene::file_too_large_error(name, size, kMaxFileBytes));
  return read_range(fd, 0, size, name);
}

// The Icosa format type of a detected file, as the gallery names it.
std::string gallery_type_of(scene::FormatKind kind, const scene::ModelFormat& format, bool glb_magic) {
  switch (kind) {
    case scene::FormatKind::Gltf2:
      return glb_magic || format.extension == "glb" ? "GLB" : "GLTF2";
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
    case scene::FormatKind::Vox:
      return "VOX";
    case scene::FormatKind::Ksplat:
      return "KSPLAT";
    case scene::FormatKind::Sog:
      return "SOG";
    case scene::FormatKind::Other:
    case scene::FormatKind::Unknown:
      break;
  }
  // detect_format() knows the formats thumbgen reads itself by content, so a .ply it does not recognise is no PLY;
  // for the others (assimp's, and gallery formats nothing reads yet) the extension is all there is.
  if (format.reader == scene::ModelReader::Assimp || format.reader == scene::ModelReader::NoLoader) {
    return std::string(format.gallery_type);
  }
  return {};
}

// Whether a model of this kind can name other files: what the renderer (or assimp on its behalf) reads besides it.
bool may_reference(scene::FormatKind kind, const scene::ModelFormat& format) {
  switch (kind) {
    case scene::FormatKind::Gltf2:
    case scene::FormatKind::Gltf1:
    case scene::FormatKind::Obj:
    case scene::FormatKind::Ply:
      return true;
    case scene::FormatKind::SplatPly:
    case scene::FormatKind::Spz:
    case scene::FormatKind::Splat:
    case scene::FormatKind::Stl:
    case scene::FormatKind::TiltRaw:
    case scene::FormatKind::Vox:
    case scene::FormatKind::Ksplat:
    case scene::FormatKind::Sog:
      return false;
    case scene::FormatKind::Other:
    case scene::FormatKind::Unknown:
      break;
  }
  return format.reader == scene::ModelReader::Assimp || format.reader == scene::ModelReader::NativeOrAssimp;
}

// What reference discovery needs of the main file: a GLB's header and JSON chunk, a PLY's header (its body is
// often hundreds of megabytes), all of it otherwise.
std::vector<std::uint8_t> bytes_for_references(DetectedModel& model, const std::string& name) {
  if (model.size > kMaxFileBytes) throw scene::LoadError(scene::file_too_large_error(name, model.size, kMaxFileBytes));
  if (model.start.size() == model.size) return std::move(model.start);
  if (starts_with_glb_magic(model.start) && model.start.size() >= 16) {
    const std::uint64_t json = std::uint64_t(model.start[12]) | std::uint64_t(model.start[13]) << 8 |
                               std::uint64_t(model.start[14]) << 16 | std::uint64_t(model.start[15]) << 24;
    return read_range(model.fd.get(), 0, std::min(model.size, 20 + json), name);
  }
  if (model.kind == scene::FormatKind::Ply) {
    std::vector<std::uint8_t> bytes = std::move(model.start);
    constexpr std::string_view kEnd = "end_header";
    for (;;) {
      const auto* text = reinterpret_cast<const char*>(bytes.data());
      if (std::string_view(text, bytes.size()).find(kEnd) != std::string_view::npos || bytes.size() >= model.size) {
        return bytes;
      }
      std::vector<std::uint8_t> more = read_range(model.fd.get(), bytes.size(), kHeadBytes, name);
      if (more.empty()) return bytes;
      bytes.insert(bytes.end(), more.begin(), more.end());
    }
  }
  return read_range(model.fd.get(), 0, model.size, name);
}

// "3 references resolve to no file of the folder: a.png: not found; b.png: outside the model folder; ..."
std::string unresolved_warning(const std::vector<scene::UnresolvedReference>& unresolved) {
  constexpr std::size_t kShown = 3;
  std::string text = std::to_string(unresolved.size()) +
                     (unresolved.size() == 1 ? " reference resolves" : " references resolve") +
                     " to no file of the folder (not published): ";
  for (std::size_t i = 0; i < std::min(kShown, unresolved.size()); ++i) {
    if (i > 0) text += "; ";
    text += unresolved[i].reason.substr(0, 200);
  }
  if (unresolved.size() > kShown) text += "; ...";
  return text;
}

// In the discovery child: what to publish of the model, from reading its main file to the decision.
Publication discover(DetectedModel& model, const std::string& file_name, int root, const std::string& folder_prefix,
                     const scene::FileList& folder) {
  Publication publication;
  publication.files.push_back(file_name);
  std::optional<std::vector<std::uint8_t>> main;
  try {
    main = bytes_for_references(model, file_name);
  } catch (const scene::LoadError& failure) {
    publication.warnings.push_back(std::string("cannot be read for its references (") + failure.what() +
                                   "): only the model file is published");
    return publication;
  }
  const scene::ReadListedFile read = [&](const std::string& listed) -> std::vector<std::uint8_t> {
    if (listed == file_name && main) {  // read once already; assimp may ask again
      std::vector<std::uint8_t> bytes = std::move(*main);
      main.reset();
      return bytes;
    }
    return read_beneath(root, folder_prefix + listed, listed);
  };
  scene::ModelReferences references = scene::find_model_references(file_name, folder, read);

  if (references.truncated) {
    publication.refusal =
        "so many references that reference discovery stopped listing them; a model may publish "
        "at most " +
        std::to_string(kMaxSideFiles) + " files besides itself";
    return publication;
  }
  if (references.files.size() > kMaxSideFiles) {
    publication.refusal = "references " + std::to_string(references.files.size()) +
                          " files; a model may publish at most " + std::to_string(kMaxSideFiles) +
                          " files besides itself";
    return publication;
  }
  if (!references.error.empty()) {
    publication.warnings.push_back("its references could not all be listed (" + references.error +
                                   "): only those found are published");
  }
  if (!references.unresolved.empty()) publication.warnings.push_back(unresolved_warning(references.unresolved));
  for (std::string& warning : references.warnings) publication.warnings.push_back(std::move(warning));
  publication.files.insert(publication.files.end(), references.files.begin(), references.files.end());
  return publication;
}

nlohmann::json publication_to_json(const Publication& publication) {
  return {{"files", publication.files}, {"warnings", publication.warnings}, {"refusal", publication.refusal}};
}

std::vector<std::string> strings_of(const nlohmann::json& json, const char* key) {
  std::vector<std::string> strings;
  const auto it = json.find(key);
  if (it == json.end() || !it->is_array()) throw std::invalid_argument(key);
  for (const nlohmann::json& item : *it) strings.push_back(item.get<std::string>());
  return strings;
}

// The child's word, checked: it parsed hostile bytes, so it publishes nothing but the model itself and files of its
// folder's listing. nullopt when malformed.
std::optional<Publication> publication_from_json(const std::string& text, const std::string& file_name,
                                                 const scene::FileList& folder) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) return std::nullopt;
  Publication publication;
  try {
    publication.files = strings_of(json, "files");
    publication.warnings = strings_of(json, "warnings");
    publication.refusal = json.at("refusal").get<std::string>();
  } catch (const std::exception&) {  // a missing or mistyped field
    return std::nullopt;
  }
  const std::vector<std::string>& listed = folder.names();
  const bool only_listed =
      std::all_of(publication.files.begin() + (publication.files.empty() ? 0 : 1), publication.files.end(),
                  [&](const std::string& file) { return std::binary_search(listed.begin(), listed.end(), file); });
  if (publication.files.empty() || publication.files.front() != file_name || !only_listed ||
      publication.files.size() > kMaxSideFiles + 1) {
    return std::nullopt;
  }
  return publication;
}
}  // namespace

DetectedModel detect_model(int root, const std::string& relative) {
  DetectedModel model;
  const scene::ModelFormat* format = scene::model_format_for(extension_of(relative));
  if (!format) return model;
  // O_NONBLOCK: a FIFO named like a model must not hang the import; it is no regular file and is left out.
  const int fd = open_beneath(root, relative, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return model;
  model.fd = UniqueFd(fd);
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || info.st_size == 0) return model;
  model.size = static_cast<std::uint64_t>(info.st_size);
  const std::string name(scene::file_name_of(relative));
  try {
    model.start = read_range(fd, 0, std::min<std::uint64_t>(model.size, kHeadBytes), name);
    const bool glb_magic = starts_with_glb_magic(model.start);
    model.kind = scene::detect_format(name, model.start);
    if ((model.kind == scene::FormatKind::Gltf1 || model.kind == scene::FormatKind::Gltf2) && !glb_magic) {
      // The head only hints at a .gltf document's generation ("asset" may come later): read on to its version.
      // Reference discovery needs the whole document anyway.
      if (model.start.size() < model.size && model.size <= kMaxFileBytes) {
        model.start = read_range(fd, 0, model.size, name);
      }
      try {
        model.kind = scene::gltf_json_generation(model.start);
      } catch (const scene::LoadError&) {
        // Malformed JSON: keep the hint; rendering it will fail with the reason.
      }
    }
    model.format_type = gallery_type_of(model.kind, *format, glb_magic);
  } catch (const scene::LoadError&) {
    model.format_type.clear();  // unreadable: no model to catalogue
  }
  return model;
}

Publication publish_model(DetectedModel& model, const std::string& file_name, int root,
                          const std::string& folder_prefix, const scene::FileList& folder,
                          const IsolationLimits& discovery) {
  Publication main_only;
  main_only.files.push_back(file_name);
  const scene::ModelFormat* format = scene::model_format_for(extension_of(file_name));
  if (!format || !may_reference(model.kind, *format)) return main_only;

  // Past may_reference(), the kinds thumbgen's own scanners read (scene/references_*.cpp, fuzzed with the rest of its
  // parsers) are read here. The others (FBX, ...) go to assimp, which is not hardened: it sees the model's bytes in a
  // child process, so a file that hangs, crashes or exhausts it fails its own discovery, never the import. (A fork
  // for every model tripled the time of importing a folder of small models.)
  const bool read_by_assimp = model.kind == scene::FormatKind::Other || model.kind == scene::FormatKind::Unknown;
  if (!read_by_assimp) return discover(model, file_name, root, folder_prefix, folder);
  const IsolatedResult found = run_isolated(
      [&] {
        // Warnings quote what parsers report, bytes of the model included: not always UTF-8.
        return publication_to_json(discover(model, file_name, root, folder_prefix, folder))
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      },
      discovery);
  std::optional<Publication> publication;
  if (found.ok) publication = publication_from_json(found.output, file_name, folder);
  if (!publication) {
    main_only.warnings.push_back("reference discovery " +
                                 (found.ok ? std::string("sent a malformed result") : found.failure) +
                                 ": only the model file is published");
    return main_only;
  }
  return std::move(*publication);
}

}  // namespace thumbgen::server
