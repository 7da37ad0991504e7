#include "platform/folder_access.h"

#include <algorithm>
#include <fstream>
#include <system_error>

#include "platform/brush_texture_folder.h"
#include "scene/file_names.h"
#include "scene/load_error.h"
#include "util/ascii.h"

namespace thumbgen::platform {

namespace fs = std::filesystem;

FolderAccess::FolderAccess(fs::path model_folder, std::uint64_t max_file_bytes,
                           std::shared_ptr<BrushTextureFolder> brush_textures)
    : max_file_bytes_(max_file_bytes), brush_textures_(std::move(brush_textures)) {
  std::error_code ec;
  fs::path absolute = fs::absolute(model_folder, ec);
  if (ec) absolute = model_folder;
  folder_ = fs::weakly_canonical(absolute, ec);
  if (ec) folder_ = absolute.lexically_normal();
  if (!folder_.has_filename() && folder_.has_parent_path() && folder_ != folder_.root_path())
    folder_ = folder_.parent_path();  // drop a trailing separator so component-wise prefix checks work
}

FolderAccess::~FolderAccess() = default;

bool FolderAccess::serves_url(std::string_view name) const { return brush_textures_ && scene::is_web_url(name); }

std::optional<std::string> FolderAccess::brush_texture_stand_in(std::string_view name) {
  if (!brush_textures_ || scene::name_problem(name)) return std::nullopt;
  return brush_textures_->find_for_file_name(name);
}

bool FolderAccess::inside_folder(const fs::path& canonical) const {
  // Component-wise, so "/models/a" is not taken to contain "/models/ab".
  return std::mismatch(folder_.begin(), folder_.end(), canonical.begin(), canonical.end()).first == folder_.end();
}

void FolderAccess::build_index() {
  indexed_ = true;
  std::error_code ec;
  fs::recursive_directory_iterator it(folder_, fs::directory_options::skip_permission_denied, ec);
  std::size_t visited = 0;
  // Directory symlinks are not followed (the iterator's default), so cycles cannot trap us; the bound keeps a
  // huge folder from costing time or memory.
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (++visited > kMaxIndexedEntries) break;
    std::error_code file_ec;
    if (!it->is_regular_file(file_ec)) continue;
    const fs::path canonical = fs::weakly_canonical(it->path(), file_ec);
    if (file_ec || !inside_folder(canonical)) continue;  // a symlink to a file outside the folder
    SameName& same = index_[util::to_lower_ascii(it->path().filename().string())];
    same.listed.push_back(it->path().generic_string());
    same.canonical.push_back(canonical);
  }
}

std::vector<std::string> FolderAccess::file_names() {
  if (!indexed_) build_index();
  std::vector<std::string> names;
  for (const auto& [name, same] : index_) {
    for (const std::string& listed : same.listed) {
      names.push_back(fs::path(listed).lexically_relative(folder_).generic_string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<fs::path> FolderAccess::find_by_file_name(const std::string& slashed) {
  std::string_view name = slashed;
  while (name.ends_with('/')) name.remove_suffix(1);
  name = scene::file_name_of(name);
  if (name.empty()) return std::nullopt;
  if (!indexed_) build_index();
  const auto found = index_.find(util::to_lower_ascii(name));
  if (found == index_.end()) return std::nullopt;
  const auto best = scene::best_by_file_name(slashed, found->second.listed);
  if (!best) return std::nullopt;
  return found->second.canonical[*best];
}

fs::path FolderAccess::resolve(std::string_view name) {
  if (const auto problem = scene::name_problem(name)) throw scene::LoadError(scene::file_error(name, *problem));

  const std::string slashed = scene::with_forward_slashes(name);
  bool outside = false;
  if (!scene::is_foreign_absolute(slashed)) {
    // On disk rather than by locate_in_model_folder(): symlinks decide where a name really leads.
    const fs::path requested(slashed);
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(requested.is_absolute() ? requested : folder_ / requested, ec);
    if (!ec) {
      if (!inside_folder(canonical)) {
        outside = true;
      } else if (fs::is_regular_file(canonical, ec)) {
        return canonical;
      }
    }
  }
  // Safe for any name: the index only holds regular files inside the folder.
  if (auto found = find_by_file_name(slashed)) return *found;
  throw scene::LoadError(scene::file_error(name, outside ? scene::FileProblem::Outside : scene::FileProblem::NotFound));
}

std::filesystem::path FolderAccess::resolve_readable(std::string_view name, std::uintmax_t& size) {
  fs::path path = resolve(name);
  std::error_code ec;
  size = fs::file_size(path, ec);
  if (ec) throw scene::LoadError(scene::file_error(name, scene::FileProblem::NotFound));
  if (size > max_file_bytes_) throw scene::LoadError(scene::file_too_large_error(name, size, max_file_bytes_));
  return path;
}

std::vector<std::uint8_t> FolderAccess::read(std::string_view relative_path) {
  if (serves_url(relative_path)) return brush_textures_->read(relative_path);
  std::uintmax_t size = 0;
  fs::path path;
  try {
    path = resolve_readable(relative_path, size);
  } catch (const scene::LoadError&) {
    if (auto stand_in = brush_texture_stand_in(relative_path)) return brush_textures_->read_file(*stand_in);
    throw;
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) throw scene::LoadError(std::string(relative_path) + ": cannot be opened");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  file.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (static_cast<std::uintmax_t>(file.gcount()) != size)
    throw scene::LoadError(std::string(relative_path) + ": read failed");
  return bytes;
}

bool FolderAccess::exists(std::string_view relative_path) {
  if (serves_url(relative_path)) return brush_textures_->find(relative_path).has_value();
  try {
    std::uintmax_t size = 0;
    resolve_readable(relative_path, size);
    return true;
  } catch (...) {
    return brush_texture_stand_in(relative_path).has_value();
  }
}

}  // namespace thumbgen::platform
