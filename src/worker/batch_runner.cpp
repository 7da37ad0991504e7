#include "worker/batch_runner.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <system_error>
#include <thread>

#include "render/encode.h"
#include "util/percent_encoding.h"
#include "worker/compat_references.h"
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

// Rounds of reference discovery for one asset in compatibility mode: an OBJ needs two (MTL files, then their maps).
constexpr int kReferenceRounds = 3;

std::string size_text(std::uint64_t bytes) {
  return bytes >= (1ull << 30) ? std::to_string(bytes >> 30) + " GiB"
         : bytes >= (1 << 20)  ? std::to_string(bytes >> 20) + " MiB"
                               : std::to_string(bytes >> 10) + " KiB";
}

}  // namespace

BatchRunner::BatchRunner(const WorkOptions& options, AssetFetcher& fetcher, DownloadCache& cache, ControlFile& control,
                         std::mutex& tasks_mutex, WorkLog& log, WorkerMetrics& metrics,
                         BrushTextureCache* brush_textures)
    : options_(options),
      fetcher_(fetcher),
      cache_(cache),
      control_(control),
      tasks_mutex_(tasks_mutex),
      log_(log),
      brush_textures_(brush_textures),
      outcomes_(log, metrics) {}

bool BatchRunner::stopping() const { return stop_signalled() || control_.stop_requested(); }

void BatchRunner::end_idle_processes() {
  if (pool_) pool_->end_idle_processes();
}

runner::RenderProcessPool& BatchRunner::pool() {
  if (!pool_) {
    // One set of render processes for the whole run: start-up and warm-up are paid once, not per batch.
    runner::PoolOptions pool_options;
    pool_options.processes = options_.jobs;
    pool_options.timeout = options_.timeout;
    pool_options.max_memory_bytes = options_.max_memory_bytes;
    pool_options.keep_idle_processes = true;
    if (options_.jobs > 1) pool_options.one_core_per_process();  // as `render`
    pool_ = std::make_unique<runner::RenderProcessPool>(pool_options, worker_job_setup(options_.job));
  }
  return *pool_;
}

fs::path BatchRunner::next_output(const std::string& extension) {
  return options_.cache_dir / "out" / (std::to_string(::getpid()) + "-" + std::to_string(sequence_++) + extension);
}

void BatchRunner::fetch(Task& task) {
  FetchPlan plan = plan_fetch(task.asset, fetcher_.limits());
  task.download_folder = cache_.new_asset_folder();
  task.model = task.download_folder / plan.main.local;
  std::uint64_t room = cache_.room();
  const std::uint64_t had = room;
  std::vector<PlannedFile> files{plan.main};
  files.insert(files.end(), plan.side.begin(), plan.side.end());
  fetcher_.fetch(files, task.download_folder, room);
  std::vector<std::string> brush_urls;
  if (!plan.published) {
    brush_urls = fetch_references(task, plan, room);
  } else if (brush_textures_) {
    brush_urls = find_references(task).brush_textures;
  }
  cache_.charge(task.download_folder, had - room);
  // A brush texture that cannot be had is a warning (the render says which texture it lacks), never a failure.
  if (brush_textures_) {
    for (const std::string& warning : brush_textures_->fetch(brush_urls))
      log_.note(task.asset.display() + ": " + warning);
  }
}

std::vector<std::string> BatchRunner::fetch_references(Task& task, const FetchPlan& plan, std::uint64_t& room) {
  std::vector<std::string> brush_urls;
  const auto main_url = parse_http_url(plan.main.url);
  if (!main_url) return brush_urls;
  std::set<fs::path> known{plan.main.local};
  for (int round = 0; round < kReferenceRounds; ++round) {
    std::vector<PlannedFile> more;
    DiscoveredReferences found = find_references(task);
    brush_urls.insert(brush_urls.end(), found.brush_textures.begin(), found.brush_textures.end());
    for (const std::string& path : found.missing) {
      // The render process's word only: each path is checked as the server's would be.
      const std::optional<fs::path> relative = safe_relative_path(path);
      if (!relative) continue;
      fs::path local = (plan.main.local.parent_path() / *relative).lexically_normal();
      if (!known.insert(local).second) continue;
      if (known.size() > fetcher_.limits().max_files) {
        throw FetchError("the model references more than " + std::to_string(fetcher_.limits().max_files) + " files",
                         false);
      }
      if (auto url = resolve_http_url(*main_url, util::percent_encode(relative->generic_string(), true))) {
        more.push_back({url->url, std::move(local)});
      }
    }
    if (more.empty()) return brush_urls;
    fetcher_.fetch(more, task.download_folder, room);
  }
  return brush_urls;
}

// One discovery item in a render process; waits out a pause, and gives up (a transient FetchError) on stop.
DiscoveredReferences BatchRunner::find_references(const Task& task) {
  const fs::path output = next_output(kReferencesSuffix);
  for (;;) {
    if (work_paused() && !wait_until_allowed(options_.schedule, control_, log_)) break;
    if (stopping()) break;
    std::optional<runner::WorkResult> result;
    {
      runner::RenderProcessPool& processes = pool();
      RunningPool running(processes);
      if (stopping() || work_paused()) processes.request_stop();
      processes.run({{task.model.string(), output.string()}}, [&](const runner::WorkResult& done) { result = done; });
    }
    if (!result) continue;  // stopped or paused before it started
    std::string error = result->reason;
    DiscoveredReferences found;
    if (result->ok) found = read_discovered_references(output, error);
    std::error_code ignored;
    fs::remove(output, ignored);
    if (!error.empty()) log_.note("references of " + task.asset.display() + ": " + error);
    return found;
  }
  throw FetchError("stopped", true);
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

  std::vector<Task*> pending;  // fetched, waiting for their render
  fs::create_directories(options_.cache_dir / "out");
  std::string extension = render::file_extension(options_.job.format);
  for (Task* task : all) {
    if (stopping()) {
      task->finished = true;
      network_.post([&source, task] { source.release(*task); });
      continue;
    }
    auto started = Clock::now();
    std::string reason;
    bool retryable = false;
    for (;;) {
      try {
        fetch(*task);
        task->output = next_output(extension);
        pending.push_back(task);
      } catch (const CacheFullError& full) {
        cache_.discard(task->download_folder);
        if (!pending.empty() && !stopping()) {
          render_and_discard(pending, source);  // makes room, then this asset is fetched again
          continue;
        }
        reason = "download failed: the asset is larger than the download cache (--cache-max " +
                 size_text(cache_.max_bytes()) + "): " + full.what();
      } catch (const FetchError& error) {
        cache_.discard(task->download_folder);
        reason = std::string("download failed: ") + error.what();
        retryable = error.transient;
      }
      break;
    }
    if (reason.empty()) continue;
    task->finished = true;
    if (stopping()) {  // stopped while waiting to try again: not the asset's fault
      network_.post([&source, task] { source.release(*task); });
      continue;
    }
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    network_.post([this, &source, task, reason, retryable, ms] {
      outcomes_.failed(source, *task, reason, retryable, ms, FailureKind::Download);
    });
  }
  render_and_discard(pending, source);
  network_.wait_idle();
  network_.rethrow();
}

void BatchRunner::render_and_discard(std::vector<Task*>& pending, JobSource& source) {
  const std::vector<Task*> fetched = pending;
  render(pending, source);
  for (Task* task : fetched) cache_.discard(task->download_folder);  // those handed back when stopping too
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
      network_.post(
          [this, &source, task, skip] { outcomes_.failed(source, *task, skip, false, 0, FailureKind::Skipped); });
    } else {
      return false;
    }
    task->finished = true;
    cache_.discard(task->download_folder);
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
    for (Task* task : pending) {
      // The server's render settings for this asset travel to the render process as they came (read there).
      const bool has_settings = task->job && !task->job->render_settings.is_null();
      items.push_back({task->model.string(), task->output.string(),
                       has_settings ? task->job->render_settings.dump() : std::string()});
    }
    runner::RenderProcessPool& pool = this->pool();
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
      task.camera_used = result.camera;
      task.camera_source = result.camera_source;
      cache_.discard(task.download_folder);  // rendered (or failed): its files are not needed again
      if (!result.ok || task.lost || !skip.empty()) {
        std::error_code ignored;
        fs::remove(task.output, ignored);  // no upload will read it
      }
      if (task.lost) {
        outcomes_.log_taken_over(task);
      } else if (!skip.empty()) {
        network_.post([this, &source, done, skip, ms] {
          outcomes_.failed(source, *done, skip, false, ms, FailureKind::Skipped);
        });
      } else if (result.ok) {
        network_.post([this, &source, done, ms] { outcomes_.succeeded(source, *done, ms); });
      } else if (result.reason == "interrupted") {
        network_.post([&source, done] { source.release(*done); });
      } else {
        std::string reason = result.reason;
        network_.post([this, &source, done, reason, ms] {
          outcomes_.failed(source, *done, reason, retryable_render_failure(reason), ms, render_failure_kind(reason));
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
