// One asset of a batch as it goes through `thumbgen work`: a claimed job (claim protocol) or a listed asset
// (listing mode), the files it was fetched to and is rendered to, and how far it got.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "render/view.h"
#include "worker/api_client.h"

namespace thumbgen::worker {

struct Task {
  AssetInfo asset;
  std::optional<Job> job;  // claim protocol only
  std::filesystem::path model, output;
  std::filesystem::path download_folder;  // the asset's folder in the download cache; removed once it has ended
  std::optional<render::AbsoluteCamera> camera_used;  // once rendered: the camera of its thumbnail
  std::string camera_source;                          // where that camera came from
  double render_seconds = 0;                          // once rendered: how long the render process took
  std::atomic<bool> finished{false};
  std::atomic<bool> lost{false};  // our fencing token went stale: the result is no longer ours to report
  // Guarded by the worker's one task mutex (shared by the batch runner, the lease keeper and the control file, so
  // a skip sees render processes hand over from one asset to the next whole): whether a render process has (or is
  // about to get) this asset, and why its render must be discarded (skip).
  bool rendering = false;
  std::string skip_reason;
};

using Batch = std::vector<std::unique_ptr<Task>>;

}  // namespace thumbgen::worker
