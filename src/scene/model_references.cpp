#include "scene/model_references.h"

#include <algorithm>
#include <span>

#include "scene/gltf_generation.h"
#include "scene/load.h"
#include "scene/load_error.h"
#include "scene/reference_collector.h"

namespace thumbgen::scene {
namespace {

// Leading "./" (assimp joins the main file's folder "./" with the names it finds).
std::string_view without_dot_slash(std::string_view name) {
  while (name.starts_with("./") || name.starts_with(".\\")) name.remove_prefix(2);
  return name;
}

std::string_view trimmed(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

bool starts_with_bytes(std::span<const std::uint8_t> bytes, std::string_view prefix) {
  return bytes.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

void scan(const std::string& main_file, std::span<const std::uint8_t> bytes, ReferenceCollector& out) {
  FormatKind kind = detect_format(main_file, bytes.first(std::min<std::size_t>(bytes.size(), 64 * 1024)));
  // As load_scene(): the head only hints at a glTF JSON document's generation.
  if ((kind == FormatKind::Gltf1 || kind == FormatKind::Gltf2) && !starts_with_bytes(bytes, "glTF")) {
    kind = gltf_json_generation(bytes);
  }
  switch (kind) {
    case FormatKind::Gltf2:
      find_gltf_references(bytes, Lookup::Direct, out);
      return;
    case FormatKind::Gltf1:
      find_gltf_references(bytes, Lookup::SideFile, out);
      return;
    case FormatKind::Obj:
      find_obj_references(main_file, bytes, out);
      return;
    case FormatKind::Ply:
      find_ply_references(bytes, out);
      return;
    case FormatKind::TiltRaw:
      find_tilt_references(bytes, out);
      return;
    case FormatKind::SplatPly:
    case FormatKind::Spz:
    case FormatKind::Splat:
    case FormatKind::Stl:
    case FormatKind::Vox:
    case FormatKind::Ksplat:
    case FormatKind::Sog:
      return;  // self-contained
    case FormatKind::Other:
    case FormatKind::Unknown:
#if THUMBGEN_WITH_ASSIMP
      find_assimp_references(main_file, bytes, out);
      return;
#else
      throw LoadError("unsupported format in this build");
#endif
  }
}

}  // namespace

ReferenceCollector::ReferenceCollector(const FileList& folder, const ReadListedFile& read, std::string main_file)
    : folder_(folder), read_(read), main_file_(std::move(main_file)) {}

FileLookup ReferenceCollector::resolve(std::string_view reference, Lookup lookup) const {
  if (lookup == Lookup::Direct) return folder_.resolve(reference);
  std::string_view name = reference;
  if (lookup == Lookup::Texture) {
    name = trimmed(name);
    if (name.starts_with("file://")) name.remove_prefix(7);
  }
  name = without_dot_slash(name);
  FileLookup found = folder_.resolve(name);
  const std::string_view base = file_name_of(name);
  if (found.found() || base.empty() || base.size() == name.size()) return found;
  FileLookup by_base = folder_.resolve(base);
  return by_base.found() ? by_base : found;  // the reason is the name's own, not its file name's
}

std::optional<std::string> ReferenceCollector::add(std::string_view reference, std::string_view role, Lookup lookup) {
  if (const auto it = seen_.find(reference); it != seen_.end()) return it->second;
  if (seen_.size() >= kMaxReferences) {
    if (!result_.truncated)
      warn("more than " + std::to_string(kMaxReferences) + " references: the rest are not listed");
    result_.truncated = true;
    return std::nullopt;
  }
  const FileLookup lookup_result = resolve(reference, lookup);
  std::optional<std::string> file;
  if (lookup_result.found()) {
    file = lookup_result.file;
    result_.resolved.push_back({std::string(reference), *file, std::string(role)});
    if (*file != main_file_ && std::find(result_.files.begin(), result_.files.end(), *file) == result_.files.end()) {
      result_.files.push_back(*file);
    }
  } else {
    result_.unresolved.push_back({std::string(reference), std::string(role), lookup_result.problem,
                                  file_error(reference, lookup_result.problem)});
  }
  seen_.emplace(std::string(reference), file);
  return file;
}

void ReferenceCollector::warn(std::string warning) { result_.warnings.push_back(std::move(warning)); }

ModelReferences find_model_references(const std::string& main_file, const FileList& folder,
                                      const ReadListedFile& read) {
  const FileLookup main = folder.resolve(main_file);
  ReferenceCollector collector(folder, read, main.file);
  std::string error;
  try {
    if (!main.found()) throw LoadError(file_error(main_file, main.problem));
    const std::vector<std::uint8_t> bytes = read(main.file);
    if (bytes.empty()) throw LoadError("empty file");
    scan(main.file, bytes, collector);
  } catch (const LoadError& failure) {
    error = failure.what();
  } catch (const std::bad_alloc&) {
    error = "out of memory while reading the model";
  } catch (const std::exception& failure) {
    error = std::string("could not read the model: ") + failure.what();
  }
  ModelReferences references = collector.take();
  references.error = std::move(error);
  return references;
}

}  // namespace thumbgen::scene
