// The worker's download cache, bounded: each worker process has its own folder under <cache>/downloads (so workers
// sharing a cache folder never touch each other's files), each asset a fresh folder in it, removed as soon as the
// asset has been rendered or has failed; together they hold at most --cache-max bytes. A worker that died left its
// folder behind: the next worker to start removes it (a folder whose lock no process holds).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>

namespace thumbgen::worker {

class DownloadCache {
 public:
  // Creates this process's folder under `root` and removes the folders of workers that are gone. Throws
  // std::runtime_error when it cannot.
  DownloadCache(const std::filesystem::path& root, std::uint64_t max_bytes);
  ~DownloadCache();  // removes this process's folder
  DownloadCache(const DownloadCache&) = delete;
  DownloadCache& operator=(const DownloadCache&) = delete;

  // A new, empty folder for one asset.
  std::filesystem::path new_asset_folder();
  // `bytes` are now held in `folder` (they count against the cap until discard()).
  void charge(const std::filesystem::path& folder, std::uint64_t bytes);
  // Removes the asset's folder; its bytes are free again. Harmless for an empty path or one already gone.
  void discard(const std::filesystem::path& folder);

  std::uint64_t max_bytes() const { return max_bytes_; }
  std::uint64_t room() const { return max_bytes_ - std::min(max_bytes_, used_); }
  bool empty() const { return charges_.empty(); }

 private:
  void remove_abandoned_folders();

  std::filesystem::path root_, folder_;
  int lock_fd_ = -1;
  std::uint64_t max_bytes_, used_ = 0, next_ = 0;
  std::map<std::filesystem::path, std::uint64_t> charges_;
};

}  // namespace thumbgen::worker
