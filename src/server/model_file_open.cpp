#include "server/model_file_open.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

namespace thumbgen::server {

namespace fs = std::filesystem;

void UniqueFd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

namespace {

// Set once openat2 answered ENOSYS: every later open goes straight to the walk.
std::atomic<bool> openat2_missing{false};

int openat2_call(int at, const char* path, int flags, std::uint64_t resolve) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags);
  how.resolve = resolve;
  const long fd = ::syscall(SYS_openat2, at, path, &how, sizeof how);
  return fd < 0 ? -errno : static_cast<int>(fd);
}

std::vector<std::string_view> components_of(std::string_view path) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0; start <= path.size();) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// Where a descriptor leads, by /proc/self/fd; nullopt where /proc cannot tell (not mounted).
std::optional<std::string> path_of(int fd) {
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  std::string target(4096, '\0');
  const ssize_t length = ::readlink(link.c_str(), target.data(), target.size());
  if (length < 0 || static_cast<std::size_t>(length) >= target.size()) return std::nullopt;
  target.resize(static_cast<std::size_t>(length));
  return target;
}

// The fallback check on the walk's descriptor: it must lead to exactly `root`'s path + "/" + `relative`.
bool leads_to(int fd, int root, std::string_view relative) {
  const std::optional<std::string> file = path_of(fd), folder = path_of(root);
  if (!file || !folder) return true;  // no /proc: the O_NOFOLLOW walk alone holds
  std::string expected = *folder;
  if (expected != "/") expected += '/';
  expected += relative;
  return *file == expected;
}

// Opens `parts` one at a time below `at`: every folder O_PATH | O_DIRECTORY | O_NOFOLLOW, the last with `flags` and
// O_NOFOLLOW, so a symlink anywhere (even one swapped in between two steps) fails the open.
int walk(int at, const std::vector<std::string_view>& parts, int flags) {
  UniqueFd folder;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    const std::string name(parts[i]);
    const int next = ::openat(folder ? folder.get() : at, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) return -errno;
    folder = UniqueFd(next);
  }
  const std::string last(parts.back());
  const int fd = ::openat(folder ? folder.get() : at, last.c_str(), flags | O_NOFOLLOW | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

bool is_transient(int error) {
  return error == EMFILE || error == ENFILE || error == ENOMEM || error == EIO || error == EAGAIN || error == EINTR;
}

OpenRefusal refusal_for(int error, std::string_view what) {
  std::string reason(what);
  if (error == ELOOP || error == ENOTDIR || error == EXDEV) {
    reason += ": a symlink (or a folder swapped) on the way";
  } else {
    reason += ": ";
    reason += std::strerror(error);
  }
  return {is_transient(error), reason, error == ENOENT};
}

}  // namespace

bool is_plain_relative_path(std::string_view relative) {
  if (relative.empty() || relative.find('\0') != std::string_view::npos) return false;
  for (std::string_view part : components_of(relative)) {
    if (part.empty() || part.front() == '.') return false;  // also "." and ".."
  }
  return true;
}

int open_beneath(int root, std::string_view relative, int flags, BeneathResolver resolver) {
  if (!is_plain_relative_path(relative)) return -EINVAL;
  if (resolver != BeneathResolver::Walk && !(resolver == BeneathResolver::Auto && openat2_missing.load())) {
    const std::string path(relative);
    const int fd =
        openat2_call(root, path.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
    if (fd != -ENOSYS && fd != -EPERM) return fd;  // EPERM: a seccomp filter that does not know the call
    if (resolver == BeneathResolver::Openat2) return fd;
    if (fd == -ENOSYS) openat2_missing.store(true);
  }
  const int fd = walk(root, components_of(relative), flags);
  if (fd < 0) return fd;
  if (!leads_to(fd, root, relative)) {
    ::close(fd);
    return -EXDEV;
  }
  return fd;
}

int open_folder_without_symlinks(const fs::path& folder, BeneathResolver resolver) {
  const std::string text = folder.string();
  if (!folder.is_absolute() || folder.lexically_normal() != folder || text.find('\0') != std::string::npos) {
    return -EINVAL;
  }
  constexpr int kFlags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  if (resolver != BeneathResolver::Walk && !(resolver == BeneathResolver::Auto && openat2_missing.load())) {
    const int fd = openat2_call(AT_FDCWD, text.c_str(), kFlags, RESOLVE_NO_SYMLINKS);
    if (fd != -ENOSYS && fd != -EPERM) return fd;
    if (resolver == BeneathResolver::Openat2) return fd;
    if (fd == -ENOSYS) openat2_missing.store(true);
  }
  UniqueFd top(::open("/", kFlags));
  if (!top) return -errno;
  std::string_view below = text;
  while (below.starts_with('/')) below.remove_prefix(1);
  while (below.ends_with('/')) below.remove_suffix(1);
  if (below.empty()) return top.release();
  std::vector<std::string_view> parts = components_of(below);
  for (std::string_view part : parts) {
    if (part.empty() || part == "." || part == "..") return -EINVAL;
  }
  return walk(top.get(), parts, kFlags);
}

std::variant<OpenedFile, OpenRefusal> open_published_file(const fs::path& files_root, std::string_view relative,
                                                          const DataFolderGuard& guard) {
  if (!is_plain_relative_path(relative)) return OpenRefusal{false, "not a plain relative path"};
  if (guard.contains(files_root / relative)) return OpenRefusal{false, "inside the data folder"};
  const int folder = open_folder_without_symlinks(files_root);
  if (folder < 0) return refusal_for(-folder, "model folder");
  const UniqueFd root(folder);
  // O_NONBLOCK: opening a FIFO swapped in for a texture must not hang a worker thread.
  const int fd = open_beneath(root.get(), relative, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return refusal_for(-fd, "file");
  OpenedFile opened{UniqueFd(fd), 0};
  struct stat file {};
  if (::fstat(fd, &file) != 0) return refusal_for(errno, "file");
  if (!S_ISREG(file.st_mode)) return OpenRefusal{false, "not a regular file"};
  if (guard.is_data_file(file)) return OpenRefusal{false, "a hard link to a file of the data folder"};
  const int status = ::fcntl(fd, F_GETFL);
  if (status < 0 || ::fcntl(fd, F_SETFL, status & ~O_NONBLOCK) != 0) return refusal_for(errno, "file");
  opened.size = static_cast<std::uint64_t>(file.st_size);
  return opened;
}

}  // namespace thumbgen::server
