// Opening model files below their folder, never through a symlink: what `/files/` serves and what `thumbgen import`
// reads. openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) where the kernel has it (Linux 5.6+); elsewhere a walk that
// opens one component at a time with O_NOFOLLOW and then checks where the descriptor really leads (/proc/self/fd).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "server/data_folder_guard.h"

namespace thumbgen::server {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd < 0 ? -1 : fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.release();
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset();

 private:
  int fd_ = -1;
};

enum class BeneathResolver {
  Auto,     // openat2, or the walk where the kernel lacks it
  Openat2,  // only openat2 (-ENOSYS without it); for tests
  Walk,     // only the walk; for tests and old kernels
};

// Whether open_beneath() takes `relative`: '/'-separated names, none empty, "." or "..", none hidden (a leading '.':
// imports never list such files, so nothing under .git/ or a dotfile is ever opened), no NUL byte.
bool is_plain_relative_path(std::string_view relative);

// Opens `relative` below the directory `root` (a descriptor) without following a symlink anywhere on the way, its
// last component included. `flags`: O_RDONLY, O_PATH, O_DIRECTORY, O_NONBLOCK... (O_CLOEXEC and O_NOFOLLOW are
// added). Returns the descriptor or -errno: -ELOOP / -ENOTDIR at a symlink, -EINVAL for a path that is not plain,
// -EXDEV when the walk's descriptor leads elsewhere, -ENOSYS for Openat2 on a kernel without it.
int open_beneath(int root, std::string_view relative, int flags, BeneathResolver resolver = BeneathResolver::Auto);

// Opens the absolute folder `folder` (O_PATH | O_DIRECTORY) when no component of it is a symlink: a catalogue stores
// a model's folder canonical, so a symlink there now means the path was swapped since the import. -errno otherwise
// (-EINVAL for a path that is not absolute and normal).
int open_folder_without_symlinks(const std::filesystem::path& folder, BeneathResolver resolver = BeneathResolver::Auto);

struct OpenedFile {
  UniqueFd fd;  // blocking reads, close-on-exec
  std::uint64_t size = 0;
};

struct OpenRefusal {
  bool transient = false;  // out of descriptors or memory, an I/O error: worth a retry (503), not a 404
  std::string reason;      // for the log: "a symlink on the way", "inside the data folder", ...
  bool missing = false;    // nothing by that name (ENOENT): the admin pages answer their index.html then
};

// What `/files/` serves: the regular file `relative` below `files_root`, opened with open_beneath() under a folder
// opened with open_folder_without_symlinks(), and neither inside the data folder nor a hard link to one of its files.
// FIFOs and devices are refused without blocking on them.
std::variant<OpenedFile, OpenRefusal> open_published_file(const std::filesystem::path& files_root,
                                                          std::string_view relative, const DataFolderGuard& guard);

}  // namespace thumbgen::server
