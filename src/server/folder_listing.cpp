#include "server/folder_listing.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace thumbgen::server {

namespace {

class Walker {
 public:
  Walker(const DataFolderGuard& guard, FolderListing& out)
      : guard_(guard), data_files_(guard.data_files()), out_(out) {}

  // Lists the folder open as `fd` (taken over), whose path relative to the root is `prefix` ("" or "a/b/").
  void walk(int fd, const std::string& prefix, int depth) {
    DIR* folder = ::fdopendir(fd);
    if (!folder) {
      out_.problems.push_back(where(prefix) + ": " + std::strerror(errno));
      ::close(fd);
      return;
    }
    while (const dirent* entry = ::readdir(folder)) {
      const std::string name = entry->d_name;
      if (name.empty() || name.front() == '.') continue;  // ".", "..", and hidden entries
      // Model names use '\' as a separator (the file-name rules turn it into '/'), so a file named "data\keys"
      // would be published as another path, "data/keys", that this listing never looked at.
      if (name.find('\\') != std::string::npos) {
        out_.problems.push_back(prefix + name + ": a backslash in a file name; not published");
        continue;
      }
      struct stat info {};
      if (::fstatat(fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) continue;  // gone meanwhile
      if (S_ISREG(info.st_mode)) {
        if (DataFolderGuard::is_among(data_files_, info)) continue;
        if (out_.files.size() >= kMaxListedFiles) {
          if (!full_)
            out_.problems.push_back(where(prefix) + ": more than " + std::to_string(kMaxListedFiles) +
                                    " files; the rest were not looked at");
          full_ = true;
          break;
        }
        out_.files.push_back(prefix + name);
      } else if (S_ISDIR(info.st_mode)) {
        if (guard_.is_data_folder(info)) continue;
        if (depth >= kMaxListingDepth) {
          out_.problems.push_back(prefix + name + ": more than " + std::to_string(kMaxListingDepth) +
                                  " folders deep; not looked at");
          continue;
        }
        // O_NOFOLLOW: a folder swapped for a symlink since the fstatat is not entered either.
        const int child = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (child < 0) {
          out_.problems.push_back(prefix + name + ": " + std::strerror(errno));
          continue;
        }
        walk(child, prefix + name + "/", depth + 1);
      }
      // Symlinks, FIFOs, devices, sockets: never listed.
    }
    ::closedir(folder);
  }

 private:
  static std::string where(const std::string& prefix) { return prefix.empty() ? "." : prefix; }

  const DataFolderGuard& guard_;
  const std::vector<DataFolderGuard::FileId> data_files_;  // read once per listing
  FolderListing& out_;
  bool full_ = false;
};

}  // namespace

FolderListing list_folder(int root, const DataFolderGuard& guard) {
  FolderListing listing;
  const int fd = ::openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    listing.problems.push_back(std::string(".: ") + std::strerror(errno));
    return listing;
  }
  Walker(guard, listing).walk(fd, "", 0);
  std::sort(listing.files.begin(), listing.files.end());
  return listing;
}

}  // namespace thumbgen::server
