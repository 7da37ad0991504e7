#include "scene/file_list.h"

#include <algorithm>

#include "util/ascii.h"

namespace thumbgen::scene {
namespace {

// The last non-empty component: the file name best_by_file_name matches ("a/tex.png/" → "tex.png").
std::string_view last_component(std::string_view slashed) {
  while (slashed.ends_with('/')) slashed.remove_suffix(1);
  return file_name_of(slashed);
}

}  // namespace

FileList::FileList(std::vector<std::string> names, std::string folder) : folder_(with_forward_slashes(folder)) {
  while (folder_.size() > 1 && folder_.ends_with('/')) folder_.pop_back();
  for (const std::string& name : names) {
    ModelPath path = locate_in_model_folder(name);
    if (path.place == ModelPath::Place::Inside && !path.path.empty()) names_.push_back(std::move(path.path));
  }
  std::sort(names_.begin(), names_.end());
  names_.erase(std::unique(names_.begin(), names_.end()), names_.end());
  for (std::size_t i = 0; i < names_.size(); ++i) {
    SameName& same = by_file_name_[util::to_lower_ascii(file_name_of(names_[i]))];
    same.qualified.push_back(folder_.empty() ? names_[i] : folder_ + "/" + names_[i]);
    same.index.push_back(i);
  }
}

FileLookup FileList::resolve(std::string_view name) const {
  if (const auto problem = name_problem(name)) return {{}, *problem};
  const ModelPath path = locate_in_model_folder(name, folder_);
  if (path.place == ModelPath::Place::Inside && std::binary_search(names_.begin(), names_.end(), path.path)) {
    return {path.path, FileProblem::NotFound};
  }
  const std::string slashed = with_forward_slashes(name);
  if (const auto same = by_file_name_.find(util::to_lower_ascii(last_component(slashed)));
      same != by_file_name_.end()) {
    if (const auto best = best_by_file_name(slashed, same->second.qualified)) {
      return {names_[same->second.index[*best]], FileProblem::NotFound};
    }
  }
  return {{}, path.place == ModelPath::Place::Outside ? FileProblem::Outside : FileProblem::NotFound};
}

}  // namespace thumbgen::scene
