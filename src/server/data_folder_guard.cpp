#include "server/data_folder_guard.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

namespace thumbgen::server {

namespace fs = std::filesystem;

DataFolderGuard::DataFolderGuard(const fs::path& data_folder) {
  if (data_folder.empty()) return;
  std::error_code error;
  fs::path absolute = fs::absolute(data_folder, error);
  if (error) absolute = data_folder;
  folder_ = fs::weakly_canonical(absolute, error);
  if (error) folder_ = absolute.lexically_normal();
  if (!folder_.has_filename() && folder_.has_parent_path() && folder_ != folder_.root_path()) {
    folder_ = folder_.parent_path();  // no trailing separator: component-wise comparison
  }
}

DataFolderGuard::DataFolderGuard(const fs::path& data_folder, std::vector<fs::path> secret_files)
    : DataFolderGuard(data_folder) {
  secret_files_ = std::move(secret_files);
}

bool DataFolderGuard::contains(const fs::path& path) const {
  if (folder_.empty()) return false;
  const fs::path normal = path.lexically_normal();
  // Component-wise, so "/srv/data" does not contain "/srv/data2".
  return std::mismatch(folder_.begin(), folder_.end(), normal.begin(), normal.end()).first == folder_.end();
}

bool DataFolderGuard::is_data_folder(const struct stat& folder) const {
  struct stat data {};
  if (folder_.empty() || ::stat(folder_.c_str(), &data) != 0) return false;
  return data.st_dev == folder.st_dev && data.st_ino == folder.st_ino;
}

std::vector<DataFolderGuard::FileId> DataFolderGuard::data_files() const {
  std::vector<FileId> ids;
  for (const fs::path& secret : secret_files_) {
    struct stat data {};
    if (::stat(secret.c_str(), &data) == 0) ids.push_back({data.st_dev, data.st_ino});
  }
  if (folder_.empty()) return ids;
  int fd = ::open(folder_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ids;
  DIR* folder = ::fdopendir(fd);
  if (!folder) {
    ::close(fd);
    return ids;
  }
  while (const dirent* entry = ::readdir(folder)) {
    struct stat data {};
    if (::fstatat(fd, entry->d_name, &data, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(data.st_mode))
      ids.push_back({data.st_dev, data.st_ino});
  }
  ::closedir(folder);
  return ids;
}

bool DataFolderGuard::is_among(const std::vector<FileId>& data_files, const struct stat& file) {
  return std::any_of(data_files.begin(), data_files.end(),
                     [&](const FileId& id) { return id.device == file.st_dev && id.inode == file.st_ino; });
}

bool DataFolderGuard::is_data_file(const struct stat& file) const {
  // Compared by device and inode whatever the link count: the data folder may be reachable by a second path (a bind
  // mount or container volume inside an imported folder), where the name check by path does not see it.
  return is_among(data_files(), file);
}

}  // namespace thumbgen::server
