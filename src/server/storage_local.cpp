#include "server/storage_local.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace thumbgen::server {
namespace {

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

void write_all(int fd, std::span<const std::uint8_t> bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      throw_errno("write " + path);
    }
    bytes = bytes.subspan(static_cast<std::size_t>(written));
  }
}

void fsync_directory(const std::filesystem::path& directory) {
  FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) throw_errno("open directory " + directory.string());
  if (::fsync(fd.get()) != 0) throw_errno("fsync directory " + directory.string());
}

// ".tmp-<16 hex>": a leading dot that valid keys can never have, so temp files are never served or overwritten.
std::string temp_name(const std::string& base) {
  unsigned char random[8];
  if (RAND_bytes(random, sizeof random) != 1) throw std::runtime_error("RAND_bytes failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name = ".tmp-";
  for (unsigned char byte : random) {
    name += kHex[byte >> 4];
    name += kHex[byte & 15];
  }
  return name + "-" + base;
}

}  // namespace

LocalStorage::LocalStorage(std::filesystem::path root) : root_(std::move(root)) {
  std::filesystem::create_directories(root_);
  root_ = std::filesystem::canonical(root_);
}

std::string LocalStorage::put(std::string_view key, std::span<const std::uint8_t> bytes,
                              std::string_view /*content_type: implied by the key's extension on disk*/) {
  if (!is_valid_storage_key(key)) throw std::invalid_argument("invalid storage key");
  const std::filesystem::path target = root_ / key;
  const std::filesystem::path directory = target.parent_path();
  std::filesystem::create_directories(directory);

  const std::filesystem::path temp = directory / temp_name(target.filename().string());
  FileDescriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (fd.get() < 0) throw_errno("create " + temp.string());
  try {
    write_all(fd.get(), bytes, temp.string());
    if (::fsync(fd.get()) != 0) throw_errno("fsync " + temp.string());
    if (::close(fd.release()) != 0) throw_errno("close " + temp.string());
    // rename(2) replaces the target atomically: readers see the old file or the whole new one.
    if (::rename(temp.c_str(), target.c_str()) != 0) throw_errno("rename " + temp.string());
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  fsync_directory(directory);
  return std::string(key);
}

std::optional<std::filesystem::path> LocalStorage::local_path(std::string_view key) const {
  if (!is_valid_storage_key(key)) return std::nullopt;
  return root_ / key;
}

void LocalStorage::check_reachable() const {
  std::error_code error;
  if (!std::filesystem::is_directory(root_, error)) {
    throw std::runtime_error("media folder " + root_.string() + " is missing" +
                             (error ? ": " + error.message() : std::string()));
  }
  if (::access(root_.c_str(), R_OK | W_OK | X_OK) != 0) {
    throw std::runtime_error("media folder " + root_.string() + ": " + std::generic_category().message(errno));
  }
}

void LocalStorage::remove(std::string_view key) {
  if (!is_valid_storage_key(key)) throw std::invalid_argument("invalid storage key");
  const std::filesystem::path target = root_ / key;
  if (::unlink(target.c_str()) != 0) {
    if (errno == ENOENT) return;
    throw_errno("remove " + target.string());
  }
  fsync_directory(target.parent_path());
}

std::size_t LocalStorage::remove_stale_temp_files() {
  std::size_t removed = 0;
  std::error_code error;
  // Symbolic links to directories are not followed: only what lies under root goes.
  for (auto it = std::filesystem::recursive_directory_iterator(
           root_, std::filesystem::directory_options::skip_permission_denied, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (!it->path().filename().string().starts_with(".tmp-") || !it->is_regular_file(error) || it->is_symlink(error))
      continue;
    if (::unlink(it->path().c_str()) == 0) ++removed;
  }
  return removed;
}

std::string LocalStorage::public_url(std::string_view key, std::string_view base_url) const {
  return served_media_url(base_url, key);
}

std::optional<std::string> LocalStorage::read(std::string_view key) const {
  if (!is_valid_storage_key(key)) return std::nullopt;
  const std::filesystem::path path = root_ / key;
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR) return std::nullopt;
    throw_errno("open " + path.string());
  }
  std::string bytes;
  char buffer[65536];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_errno("read " + path.string());
    }
    if (got == 0) return bytes;
    bytes.append(buffer, static_cast<std::size_t>(got));
  }
}

void LocalStorage::list(std::string_view prefix, const std::function<void(const StoredObject&)>& visit) const {
  // The deepest folder the prefix names ("thumbs/12/ab" → thumbs/12): nothing outside it can match.
  const std::size_t slash = prefix.rfind('/');
  const std::filesystem::path start = slash == std::string_view::npos ? root_ : root_ / prefix.substr(0, slash);
  std::error_code error;
  if (!std::filesystem::is_directory(start, error) || std::filesystem::is_symlink(start, error)) return;
  for (auto it = std::filesystem::recursive_directory_iterator(
           start, std::filesystem::directory_options::skip_permission_denied, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_symlink(error) || !it->is_regular_file(error)) continue;
    const std::string key = it->path().lexically_relative(root_).generic_string();
    // Temporary files (".tmp-*") and anything else a key cannot name are not objects.
    if (!key.starts_with(prefix) || !is_valid_storage_key(key)) continue;
    const auto modified = std::chrono::file_clock::to_sys(it->last_write_time(error));
    visit({key, std::chrono::duration_cast<std::chrono::seconds>(modified.time_since_epoch()).count()});
  }
}

}  // namespace thumbgen::server
