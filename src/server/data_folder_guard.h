// The data folder (--data) holds the JWT signing keys and the catalogue: nothing in it is ever published under
// /files/, whether a model folder contains it, a catalogue row names it, or a hard link elsewhere leads to one of its
// files.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <vector>

namespace thumbgen::server {

class DataFolderGuard {
 public:
  DataFolderGuard() = default;  // no data folder: guards nothing
  // `data_folder` need not exist yet (then nothing can be in it).
  explicit DataFolderGuard(const std::filesystem::path& data_folder);
  // Also guards `secret_files` that may lie outside the data folder (a keys file shared by several servers):
  // compared by device and inode at each check, like the data folder's own files.
  DataFolderGuard(const std::filesystem::path& data_folder, std::vector<std::filesystem::path> secret_files);

  // Whether the absolute, symlink-free `path` is the data folder or lies inside it (compared by path components).
  bool contains(const std::filesystem::path& path) const;
  // Whether `folder` (a stat) is the data folder itself: walks skip it whatever it is called.
  bool is_data_folder(const struct stat& folder) const;
  // Whether `file` (a stat, of an open file or taken without following symlinks) is one of the secret files or of the
  // files at the top of the data folder (keys, catalogue.sqlite3 and its -wal/-shm; media/ holds only public
  // thumbnails) under another name: a hard link, or the same file through a bind mount of the folder. Compared by
  // device and inode with what the folder holds now, so a rotated key file is recognised too.
  bool is_data_file(const struct stat& file) const;

  // The same test against a snapshot of the data folder's files, for a walk that checks many files (an import
  // listing): the folder is read once, not once per file.
  struct FileId {
    dev_t device;
    ino_t inode;
  };
  std::vector<FileId> data_files() const;
  static bool is_among(const std::vector<FileId>& data_files, const struct stat& file);

  const std::filesystem::path& folder() const { return folder_; }

 private:
  std::filesystem::path folder_;  // absolute and normal (canonical where it exists); empty: none
  std::vector<std::filesystem::path> secret_files_;
};

}  // namespace thumbgen::server
