// A model folder known only as a list of file names (the browser's handed-in files, a folder listed for reference
// discovery): resolves the names a model writes with the rules of file_names.h, as the native FolderAccess does on
// disk.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "scene/file_names.h"

namespace thumbgen::scene {

struct FileLookup {
  std::string file;                             // the listed name it resolves to; empty when it does not resolve
  FileProblem problem = FileProblem::NotFound;  // why not, when `file` is empty
  bool found() const { return !file.empty(); }
};

class FileList {
 public:
  FileList() = default;
  // `names`: the folder's files, relative to it, '/'-separated (backslashes count as slashes; "." / ".." and names
  // leaving the folder are dropped). `folder`: the folder as its host names it (an absolute path on disk, a folder of
  // the handed-in files, or ""), so that absolute names inside it resolve and an author's path naming it matches best.
  explicit FileList(std::vector<std::string> names, std::string folder = {});

  // A listed name as written resolves to itself; any other name by its place in the folder, then by its file name
  // (best_by_file_name). URLs, empty names and NUL bytes never resolve.
  FileLookup resolve(std::string_view name) const;

  const std::vector<std::string>& names() const { return names_; }  // normalised, sorted, unique
  const std::string& folder() const { return folder_; }

 private:
  std::vector<std::string> names_;
  std::string folder_;
  // Lower-case file name → the folder-qualified paths of the listed files with that name, and their indices.
  struct SameName {
    std::vector<std::string> qualified;
    std::vector<std::size_t> index;
  };
  std::map<std::string, SameName> by_file_name_;
};

}  // namespace thumbgen::scene
