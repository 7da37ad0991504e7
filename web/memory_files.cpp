#include "memory_files.h"

#include "scene/file_names.h"
#include "scene/load_error.h"

namespace thumbgen::web {

void MemoryFiles::add(std::string_view path, std::vector<std::uint8_t> bytes) {
  const scene::ModelPath name = scene::locate_in_model_folder(path);
  if (name.place != scene::ModelPath::Place::Inside || name.path.empty() || scene::name_problem(path)) {
    throw scene::LoadError(std::string(path) + ": invalid file name");
  }
  if (bytes.size() > max_file_bytes_) {
    throw scene::LoadError(scene::file_too_large_error(name.path, bytes.size(), max_file_bytes_));
  }
  files_[name.path] = std::move(bytes);
  model_folder_.reset();
}

void MemoryFiles::clear() {
  files_.clear();
  base_folder_.clear();
  model_folder_.reset();
}

void MemoryFiles::set_base_folder(std::string_view folder) {
  const scene::ModelPath path = scene::locate_in_model_folder(folder);
  base_folder_ = path.place == scene::ModelPath::Place::Inside ? path.path : std::string();
  model_folder_.reset();
}

const scene::FileList& MemoryFiles::model_folder() {
  if (!model_folder_) {
    const std::string prefix = base_folder_.empty() ? std::string() : base_folder_ + "/";
    std::vector<std::string> names;
    for (const auto& [path, bytes] : files_) {
      if (path.starts_with(prefix)) names.push_back(path.substr(prefix.size()));
    }
    model_folder_.emplace(std::move(names), base_folder_);
  }
  return *model_folder_;
}

const std::vector<std::uint8_t>* MemoryFiles::find(std::string_view relative_path, std::string* error) {
  const scene::FileLookup lookup = model_folder().resolve(relative_path);
  if (!lookup.found()) {
    if (error) *error = scene::file_error(relative_path, lookup.problem);
    return nullptr;
  }
  return &files_.at(base_folder_.empty() ? lookup.file : base_folder_ + "/" + lookup.file);
}

std::vector<std::uint8_t> MemoryFiles::read(std::string_view relative_path) {
  std::string error;
  const std::vector<std::uint8_t>* bytes = find(relative_path, &error);
  if (!bytes) throw scene::LoadError(error);
  return *bytes;
}

bool MemoryFiles::exists(std::string_view relative_path) { return find(relative_path, nullptr) != nullptr; }

}  // namespace thumbgen::web
