// One batch of `thumbgen work`, start to end: fetches each asset (riding out a file server that is away), renders
// the fetched ones in the render processes (started once, kept from batch to batch), and ends every asset on the
// network queue through the job source: thumbnail handed over, failure reported, or the asset handed back when the
// worker stops. Meanwhile a watcher thread reads the control file and keeps the leases, every 100 ms. A pause
// mid-batch lets the running renders finish, then waits before the rest.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "runner/render_process_pool.h"
#include "worker/api_client.h"
#include "worker/asset_fetcher.h"
#include "worker/control_file.h"
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
  BatchRunner(const WorkOptions& options, ApiClient& api, AssetFetcher& fetcher, ControlFile& control,
              std::mutex& tasks_mutex, WorkLog& log);

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
  FetchedAsset fetch_with_retries(const AssetInfo& asset);
  void watch(const std::vector<Task*>& tasks, JobSource& source, const std::atomic<bool>& done);
  void render(std::vector<Task*>& pending, JobSource& source);
  void drop_unrenderable(std::vector<Task*>& pending, JobSource& source);

  const WorkOptions& options_;
  ApiClient& api_;
  AssetFetcher& fetcher_;
  ControlFile& control_;
  std::mutex& tasks_mutex_;
  WorkLog& log_;
  TaskOutcomes outcomes_;
  std::unique_ptr<runner::RenderProcessPool> pool_;  // render processes, kept from batch to batch
  SerialNetworkQueue network_;                       // last: its thread stops before the rest goes away
};

}  // namespace thumbgen::worker
