#include "worker/download_cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace thumbgen::worker {
namespace fs = std::filesystem;
namespace {

constexpr const char* kPrefix = "worker-";

// Held while folders are created or judged abandoned: a worker's lock file exists, and is locked, before its
// folder does, and nobody judges in between.
class RootLock {
 public:
  explicit RootLock(const fs::path& root) : fd_(::open((root / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~RootLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  RootLock(const RootLock&) = delete;
  RootLock& operator=(const RootLock&) = delete;

 private:
  int fd_;
};

}  // namespace

DownloadCache::DownloadCache(const fs::path& root, std::uint64_t max_bytes) : root_(root), max_bytes_(max_bytes) {
  std::error_code error;
  fs::create_directories(root_, error);
  if (error) throw std::runtime_error("cannot create the download cache " + root_.string() + ": " + error.message());
  RootLock lock(root_);
  remove_abandoned_folders();
  std::string lock_name = (root_ / (std::string(kPrefix) + "XXXXXX.lock")).string();
  lock_fd_ = ::mkostemps(lock_name.data(), 5, O_CLOEXEC);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    throw std::runtime_error("cannot create a lock file in the download cache " + root_.string());
  }
  folder_ = fs::path(lock_name).replace_extension();
  fs::create_directory(folder_, error);
  if (error) throw std::runtime_error("cannot create " + folder_.string() + ": " + error.message());
}

DownloadCache::~DownloadCache() {
  std::error_code error;
  fs::remove_all(folder_, error);
  fs::path lock_file = folder_;
  lock_file += ".lock";
  fs::remove(lock_file, error);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

// Under the root lock. A worker's lock file that can be locked belongs to a process that is gone; a folder
// without a lock file is one whose removal was cut short (or a cache of an earlier version).
void DownloadCache::remove_abandoned_folders() {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(root_, error)) {
    const fs::path path = entry.path();
    const std::string name = path.filename().string();
    if (name == ".lock") continue;
    std::error_code ignored;
    if (path.extension() == ".lock") {
      int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
      if (fd < 0) continue;
      if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
        fs::remove_all(fs::path(path).replace_extension(), ignored);
        fs::remove(path, ignored);
      }
      ::close(fd);
    } else if (entry.is_directory(ignored)) {
      fs::path lock_file = path;
      lock_file += ".lock";
      if (!fs::exists(lock_file, ignored)) fs::remove_all(path, ignored);
    }
  }
}

fs::path DownloadCache::new_asset_folder() {
  fs::path folder = folder_ / std::to_string(next_++);
  std::error_code error;
  fs::remove_all(folder, error);
  fs::create_directories(folder, error);
  if (error) throw std::runtime_error("cannot create " + folder.string() + ": " + error.message());
  return folder;
}

void DownloadCache::charge(const fs::path& folder, std::uint64_t bytes) {
  std::uint64_t& charged = charges_[folder];
  used_ = used_ - charged + bytes;
  charged = bytes;
}

void DownloadCache::discard(const fs::path& folder) {
  if (folder.empty()) return;
  if (auto it = charges_.find(folder); it != charges_.end()) {
    used_ -= it->second;
    charges_.erase(it);
  }
  std::error_code error;
  fs::remove_all(folder, error);
}

}  // namespace thumbgen::worker
