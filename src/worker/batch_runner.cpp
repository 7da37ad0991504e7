#include "worker/batch_runner.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <system_error>
#include <thread>

#include "render/encode.h"
#include "runner/thumbnail_job.h"
#include "worker/work_gate.h"
#include "worker/work_signals.h"

namespace thumbgen::worker {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

// Render failures that may go away on another try (or another machine) are retryable; load errors are not.
bool retryable_render_failure(const std::string& reason) {
  for (const char* word : {"crashed", "timeout", "out of memory", "interrupted", "exited with status"}) {
    if (reason.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

BatchRunner::BatchRunner(const WorkOptions& options, ApiClient& api, AssetFetcher& fetcher, ControlFile& control,
                         std::mutex& tasks_mutex, WorkLog& log)
    : options_(options),
      api_(api),
      fetcher_(fetcher),
      control_(control),
      tasks_mutex_(tasks_mutex),
      log_(log),
      outcomes_(log) {}

bool BatchRunner::stopping() const { return stop_signalled() || control_.stop_requested(); }

void BatchRunner::end_idle_processes() {
  if (pool_) pool_->end_idle_processes();
}

// Files on the gallery's server ride out a restart like its API: a transient failure (network, 5xx) is tried
// again with the same backoff before the asset is failed.
FetchedAsset BatchRunner::fetch_with_retries(const AssetInfo& asset) {
  for (int attempt = 1;; ++attempt) {
    try {
      return fetcher_.fetch(asset);
    } catch (const FetchError& error) {
      if (!error.transient || !api_.wait_to_retry(attempt, "download of " + asset.display() + ": " + error.what()))
        throw;
    }
  }
}

// Reads the control file and heartbeats the batch's leases (every 100 ms: well within one asset's time) while the
// main thread fetches and renders.
void BatchRunner::watch(const std::vector<Task*>& tasks, JobSource& source, const std::atomic<bool>& done) {
  LeaseKeeper* leases = source.leases();
  if (leases) leases->start_batch();
  while (!done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    control_.check(tasks);
    if (leases) leases->tick(tasks);
  }
}

void BatchRunner::run(Batch& batch, JobSource& source) {
  std::vector<Task*> all;
  for (auto& task : batch) all.push_back(task.get());
  std::atomic<bool> done{false};
  std::thread watcher([&] { watch(all, source, done); });
  // On every way out (an exception included) the batch's tasks outlive the threads that use them.
  struct Join {
    std::atomic<bool>& done;
    std::thread& thread;
    SerialNetworkQueue& network;
    ~Join() {
      network.wait_idle();
      done = true;
      thread.join();
    }
  } join{done, watcher, network_};

  std::vector<Task*> pending;
  fs::create_directories(options_.cache_dir / "out");
  std::string extension = render::file_extension(options_.job.format);
  int sequence = 0;
  for (Task* task : all) {
    if (stopping()) {
      task->finished = true;
      network_.post([&source, task] { source.release(*task); });
      continue;
    }
    for (const FormatInfo& format : task->asset.formats) fetcher_.allow_host(url_authority(format.root_url));
    auto started = Clock::now();
    try {
      FetchedAsset fetched = fetch_with_retries(task->asset);
      task->model = fetched.main_file;
      task->output =
          options_.cache_dir / "out" / (std::to_string(::getpid()) + "-" + std::to_string(sequence++) + extension);
      pending.push_back(task);
    } catch (const FetchError& error) {
      task->finished = true;
      if (stopping()) {  // stopped while waiting to try again: not the asset's fault
        network_.post([&source, task] { source.release(*task); });
        continue;
      }
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
      std::string reason = std::string("download failed: ") + error.what();
      bool retryable = error.transient;
      network_.post(
          [this, &source, task, reason, retryable, ms] { outcomes_.failed(source, *task, reason, retryable, ms); });
    }
  }
  render(pending, source);
  network_.wait_idle();
  network_.rethrow();
}

// Taken over by another worker, or skipped while the pool stopped before it got them: nothing to render.
void BatchRunner::drop_unrenderable(std::vector<Task*>& pending, JobSource& source) {
  std::erase_if(pending, [&](Task* task) {
    std::string skip;
    {
      std::lock_guard lock(tasks_mutex_);
      skip = task->skip_reason;
    }
    if (task->lost) {
      log_.note("job " + task->job->job_id + " (" + task->asset.display() +
                ") was taken over by another worker (stale fencing token): not rendering it");
    } else if (!skip.empty()) {
      network_.post([this, &source, task, skip] { outcomes_.failed(source, *task, skip, false, 0); });
    } else {
      return false;
    }
    task->finished = true;
    return true;
  });
}

void BatchRunner::render(std::vector<Task*>& pending, JobSource& source) {
  while (!pending.empty()) {
    if (stopping()) {
      for (Task* task : pending) network_.post([&source, task] { source.release(*task); });
      pending.clear();
      return;
    }
    if (work_paused()) {
      end_idle_processes();  // paused: hand their memory back
      wait_until_allowed(options_.schedule, control_, log_);
      continue;
    }
    drop_unrenderable(pending, source);
    if (pending.empty()) return;

    std::vector<runner::WorkItem> items;
    for (Task* task : pending) items.push_back({task->model.string(), task->output.string()});
    if (!pool_) {
      // One set of render processes for the whole run: start-up and warm-up are paid once, not per batch.
      runner::PoolOptions pool_options;
      pool_options.processes = options_.jobs;
      pool_options.timeout = options_.timeout;
      pool_options.max_memory_bytes = options_.max_memory_bytes;
      pool_options.keep_idle_processes = true;
      if (options_.jobs > 1) pool_options.one_core_per_process();  // as `render`
      pool_ = std::make_unique<runner::RenderProcessPool>(pool_options, runner::thumbnail_job_setup(options_.job));
    }
    runner::RenderProcessPool& pool = *pool_;
    RunningPool running(pool);  // a pause or skip stopped the previous run; stopping() is checked below
    if (stopping() || work_paused()) pool.request_stop();  // a signal between the checks and here

    // The pool starts items in order, one per process, and gives a process the next item as soon as it delivered a
    // result (unless stopping): so the assets rendering are known exactly, for skip.
    std::size_t started = std::min<std::size_t>(static_cast<std::size_t>(options_.jobs), items.size());
    {
      std::lock_guard lock(tasks_mutex_);
      for (std::size_t i = 0; i < started; ++i) pending[i]->rendering = true;
    }
    pool.run(items, [&](const runner::WorkResult& result) {
      Task& task = *pending[result.index];
      std::string skip;
      {
        std::lock_guard lock(tasks_mutex_);
        task.finished = true;
        task.rendering = false;
        skip = task.skip_reason;
        if (started < items.size() && !pool.stop_requested()) pending[started++]->rendering = true;
      }
      Task* done = &task;
      double ms = result.ms;
      if (!result.ok || task.lost || !skip.empty()) {
        std::error_code ignored;
        fs::remove(task.output, ignored);  // no upload will read it
      }
      if (task.lost) {
        outcomes_.log_taken_over(task);
      } else if (!skip.empty()) {
        network_.post([this, &source, done, skip, ms] { outcomes_.failed(source, *done, skip, false, ms); });
      } else if (result.ok) {
        network_.post([this, &source, done, ms] { outcomes_.succeeded(source, *done, ms); });
      } else if (result.reason == "interrupted") {
        network_.post([&source, done] { source.release(*done); });
      } else {
        std::string reason = result.reason;
        network_.post([this, &source, done, reason, ms] {
          outcomes_.failed(source, *done, reason, retryable_render_failure(reason), ms);
        });
      }
    });
    {
      std::lock_guard lock(tasks_mutex_);
      for (Task* task : pending) task->rendering = false;
    }
    std::erase_if(pending, [](Task* task) { return task->finished.load(); });
  }
}

}  // namespace thumbgen::worker
