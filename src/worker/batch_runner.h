// One batch of `thumbgen work`, start to end: fetches each asset into the download cache (riding out a file server
// that is away), renders the fetched ones in the render processes (started once, kept from batch to batch), removes
// each asset's files as soon as it has ended, and ends every asset on the network queue through the job source:
// thumbnail handed over, failure reported, or the asset handed back when the worker stops. When the next asset does
// not fit in the cache (--cache-max), the assets fetched so far are rendered first to make room. Meanwhile a watcher
// thread reads the control file and keeps the leases, every 100 ms. A pause mid-batch lets the running renders
// finish, then waits before the rest.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "runner/render_process_pool.h"
#include "worker/api_client.h"
#include "worker/asset_fetcher.h"
#include "worker/brush_texture_cache.h"
#include "worker/compat_references.h"
#include "worker/control_file.h"
#include "worker/download_cache.h"
#include "worker/job_source.h"
#include "worker/serial_network_queue.h"
#include "worker/task.h"
#include "worker/task_outcomes.h"
#include "worker/work_log.h"
#include "worker/work_options.h"

namespace thumbgen::worker {

class BatchRunner {
 public:
  // `tasks_mutex` guards Task::rendering and Task::skip_reason (shared with the control file and lease keeper).
  // `brush_textures` (may be null): the brush texture URL prefix's cache, filled with each asset's brush textures.
  BatchRunner(const WorkOptions& options, AssetFetcher& fetcher, DownloadCache& cache, ControlFile& control,
              std::mutex& tasks_mutex, WorkLog& log, WorkerMetrics& metrics,
              BrushTextureCache* brush_textures = nullptr);

  // Returns when every asset of `batch` has ended and every server call about it ran; then rethrows the first
  // exception such a call threw (a refused token is as fatal there as anywhere). Throws
  // runner::RenderProcessStartupError when no render process can start.
  void run(Batch& batch, JobSource& source);
  // Ends the render processes kept idle between batches (their memory goes back to the system).
  void end_idle_processes();
  // Assets that failed so far, in all batches.
  std::size_t failures() const { return outcomes_.failures(); }

 private:
  bool stopping() const;
  runner::RenderProcessPool& pool();
  // Fetches the task's files into a new folder of the cache; throws FetchError (CacheFullError).
  void fetch(Task& task);
  // Compatibility mode: fetches what the render process finds the model referencing (compat_references.h).
  // Returns the brush texture URLs the model names.
  std::vector<std::string> fetch_references(Task& task, const FetchPlan& plan, std::uint64_t& room);
  DiscoveredReferences find_references(const Task& task);
  void watch(const std::vector<Task*>& tasks, JobSource& source, const std::atomic<bool>& done);
  // Renders `pending` (emptied) and removes their downloaded files.
  void render_and_discard(std::vector<Task*>& pending, JobSource& source);
  void render(std::vector<Task*>& pending, JobSource& source);
  void drop_unrenderable(std::vector<Task*>& pending, JobSource& source);
  std::filesystem::path next_output(const std::string& extension);

  const WorkOptions& options_;
  AssetFetcher& fetcher_;
  DownloadCache& cache_;
  ControlFile& control_;
  std::mutex& tasks_mutex_;
  WorkLog& log_;
  BrushTextureCache* brush_textures_;
  TaskOutcomes outcomes_;
  int sequence_ = 0;                                 // names the render outputs
  std::unique_ptr<runner::RenderProcessPool> pool_;  // render processes, kept from batch to batch
  SerialNetworkQueue network_;                       // last: its thread stops before the rest goes away
};

}  // namespace thumbgen::worker
