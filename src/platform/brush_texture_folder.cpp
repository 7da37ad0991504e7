#include "platform/brush_texture_folder.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "platform/folder_access.h"
#include "scene/file_names.h"
#include "scene/load_error.h"
#include "scene/tilt_brush.h"
#include "util/ascii.h"

namespace thumbgen::platform {
namespace fs = std::filesystem;
namespace {

// The value of `key: value` on a line of a Unity YAML file ("" when absent).
std::string yaml_value(std::string_view text, std::string_view key) {
  for (std::size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1)) {
    const bool line_start = at == 0 || text[at - 1] == ' ' || text[at - 1] == '\n';
    const std::size_t colon = at + key.size();
    if (!line_start || colon >= text.size() || text[colon] != ':') continue;
    std::size_t end = text.find('\n', colon);
    std::string_view value = text.substr(colon + 1, end == std::string_view::npos ? end : end - colon - 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.remove_suffix(1);
    return std::string(value);
  }
  return {};
}

// A toolkit texture's rank within its folder: "main..." before other names, so Comet's main.png wins over a ramp.
int rank(std::string_view file_name) { return util::to_lower_ascii(file_name).starts_with("main") ? 0 : 1; }

std::string parent_of(const std::string& relative) {
  const std::size_t slash = relative.rfind('/');
  return slash == std::string::npos ? std::string() : relative.substr(0, slash);
}

}  // namespace

BrushTextureFolder::BrushTextureFolder(fs::path folder, std::uint64_t max_file_bytes)
    : files_(std::make_unique<FolderAccess>(std::move(folder), max_file_bytes)) {}

BrushTextureFolder::~BrushTextureFolder() = default;

void BrushTextureFolder::build_toolkit_index() {
  indexed_ = true;
  const std::vector<std::string> names = files_->file_names();  // sorted, so the index does not depend on the disk
  // Brush folder → (GUID, durable name key) from its descriptor.
  std::map<std::string, std::pair<std::string, std::string>> brushes;
  for (const std::string& name : names) {
    if (!util::to_lower_ascii(name).ends_with(".asset")) continue;
    std::string text;
    try {
      if (!files_->exists(name)) continue;
      const std::vector<std::uint8_t> bytes = files_->read(name);
      if (bytes.size() > kMaxAssetBytes) continue;
      text.assign(bytes.begin(), bytes.end());
    } catch (const scene::LoadError&) {
      continue;
    }
    const std::string guid = util::to_lower_ascii(yaml_value(text, "m_storage"));
    const std::string durable = scene::tilt_brush_name_key(yaml_value(text, "m_DurableName"));
    if (guid.empty() && durable.empty()) continue;
    brushes.emplace(parent_of(name), std::make_pair(guid, durable));
  }
  // Each texture under its brush's GUID and name, the best-ranked one per kind: mirror-layout files by what their
  // name says (rank 0), toolkit files by their folder's descriptor.
  std::map<Key, int> best_guid, best_name;
  for (const std::string& name : names) {
    if (!util::to_lower_ascii(name).ends_with(".png")) continue;
    const std::string_view file = scene::file_name_of(name);
    std::string guid, durable;
    scene::BrushTextureKind kind = scene::BrushTextureKind::Other;
    int this_rank = 0;
    if (const auto mirrored = scene::parse_brush_texture_file(file)) {
      guid = mirrored->guid;
      durable = scene::tilt_brush_name_key(mirrored->brush);
      kind = mirrored->kind;
    } else if (const auto brush = brushes.find(parent_of(name)); brush != brushes.end()) {
      std::tie(guid, durable) = brush->second;
      kind = scene::toolkit_texture_kind(file);
      this_rank = 1 + rank(file);
    } else {
      continue;
    }
    const auto keep = [&](std::map<Key, std::string>& index, std::map<Key, int>& best, const std::string& id) {
      if (id.empty()) return;
      const Key key{id, kind};
      const auto known = best.find(key);
      if (known != best.end() && known->second <= this_rank) return;
      best[key] = this_rank;
      index[key] = name;
    };
    keep(by_guid_, best_guid, guid);
    keep(by_name_, best_name, durable);
  }
}

std::optional<std::string> BrushTextureFolder::find(std::string_view url) {
  if (const std::optional<std::string> path = scene::brush_texture_path(url); path && files_->exists(*path))
    return path;  // the name fallback of FolderAccess also finds the file name anywhere in the folder
  const std::string file = scene::url_file_name(url);
  if (!file.empty() && scene::name_problem(file) == std::nullopt && files_->exists(file)) return file;
  const std::optional<scene::BrushTextureFile> wanted = scene::parse_brush_texture_file(scene::uri_to_file_name(file));
  if (!wanted || wanted->kind == scene::BrushTextureKind::Other) return std::nullopt;
  if (!indexed_) build_toolkit_index();
  if (const auto hit = by_guid_.find({wanted->guid, wanted->kind}); hit != by_guid_.end()) return hit->second;
  if (const auto hit = by_name_.find({scene::tilt_brush_name_key(wanted->brush), wanted->kind}); hit != by_name_.end())
    return hit->second;
  return std::nullopt;
}

std::optional<std::string> BrushTextureFolder::find_for_file_name(std::string_view file_name) {
  const std::string slashed = scene::with_forward_slashes(file_name);  // owned: `stem` views into it
  std::string_view stem = scene::file_name_of(slashed);
  const std::size_t dot = stem.rfind('.');
  if (dot == std::string_view::npos || !util::iequals_ascii(stem.substr(dot), ".png")) return std::nullopt;
  stem = stem.substr(0, dot);
  if (!indexed_) build_toolkit_index();
  const auto hit = by_name_.find({scene::tilt_brush_name_key(stem), scene::BrushTextureKind::MainTex});
  if (hit == by_name_.end()) return std::nullopt;
  return hit->second;
}

std::vector<std::uint8_t> BrushTextureFolder::read_file(const std::string& name) { return files_->read(name); }

std::vector<std::uint8_t> BrushTextureFolder::read(std::string_view url) {
  const std::optional<std::string> name = find(url);
  if (!name) throw scene::LoadError(scene::file_error(url, scene::FileProblem::UrlNotServed));
  return files_->read(*name);
}

}  // namespace thumbgen::platform
