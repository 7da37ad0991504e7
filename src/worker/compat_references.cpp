#include "worker/compat_references.h"

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "platform/folder_access.h"
#include "runner/thumbnail_job.h"
#include "scene/brush_texture_names.h"
#include "scene/file_list.h"
#include "scene/file_names.h"
#include "scene/model_references.h"

namespace thumbgen::worker {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kMaxOutputBytes = 1 << 20;

std::string_view trimmed(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// In the render process: the model folder as the renderer sees it, the model's references resolved against it,
// and for each one not found there the path where it would be (another machine's absolute path: its file name,
// which is how the renderer would find it).
runner::WorkOutcome find_missing_references(const runner::WorkItem& item, std::uint64_t max_file_bytes) {
  const fs::path model(item.input);
  platform::FolderAccess folder(model.parent_path().empty() ? "." : model.parent_path(), max_file_bytes);
  scene::FileList files(folder.file_names(), folder.folder().string());
  scene::ModelReferences references = scene::find_model_references(
      model.filename().string(), files, [&](const std::string& name) { return folder.read(name); });
  nlohmann::json missing = nlohmann::json::array();
  nlohmann::json brush_textures = nlohmann::json::array();
  for (const scene::UnresolvedReference& reference : references.unresolved) {
    if (reference.problem == scene::FileProblem::Url && scene::brush_texture_path(reference.reference))
      brush_textures.push_back(reference.reference);
    if (reference.problem != scene::FileProblem::NotFound) continue;  // URLs, names leaving the folder
    const scene::ModelPath place = scene::locate_in_model_folder(trimmed(reference.reference));
    if (place.place == scene::ModelPath::Place::Inside) missing.push_back(place.path);
    if (place.place == scene::ModelPath::Place::Foreign) {
      missing.push_back(std::string(scene::file_name_of(place.path)));
    }
  }
  std::ofstream(item.output, std::ios::binary | std::ios::trunc) << nlohmann::json{
      {"missing", std::move(missing)},
      {"brush_textures", std::move(brush_textures)},
      {"error", references.error}}.dump();
  return {true, {}, references.warnings};
}

}  // namespace

runner::RenderProcessSetup worker_job_setup(const platform::JobOptions& job_options) {
  runner::RenderProcessSetup thumbnails = runner::thumbnail_job_setup(job_options);
  const std::uint64_t max_file_bytes = job_options.limits.max_file_bytes;
  return [thumbnails, max_file_bytes]() -> runner::JobFunction {
    runner::JobFunction thumbnail = thumbnails();
    return [thumbnail, max_file_bytes](const runner::WorkItem& item) {
      if (item.output.ends_with(kReferencesSuffix)) return find_missing_references(item, max_file_bytes);
      return thumbnail(item);
    };
  };
}

DiscoveredReferences read_discovered_references(const fs::path& output, std::string& error) {
  std::ifstream in(output, std::ios::binary);
  std::string text;
  text.resize(kMaxOutputBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  DiscoveredReferences found;
  if (text.size() > kMaxOutputBytes) {
    error = "the render process's list of references is too long";
    return found;
  }
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object() || !json.contains("missing") || !json["missing"].is_array()) {
    error = "the render process wrote no list of references";
    return found;
  }
  for (const auto& path : json["missing"]) {
    if (path.is_string()) found.missing.push_back(path.get<std::string>());
  }
  if (json.contains("brush_textures") && json["brush_textures"].is_array()) {
    for (const auto& url : json["brush_textures"]) {
      if (url.is_string()) found.brush_textures.push_back(url.get<std::string>());
    }
  }
  if (json.contains("error") && json["error"].is_string()) error = json["error"].get<std::string>();
  return found;
}

}  // namespace thumbgen::worker
