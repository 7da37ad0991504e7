#include "worker/worker_loop.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include "util/logging.h"
#include "worker/api_client.h"
#include "worker/asset_fetcher.h"
#include "worker/batch_runner.h"
#include "worker/brush_texture_cache.h"
#include "worker/claim_job_source.h"
#include "worker/control_file.h"
#include "worker/download_cache.h"
#include "worker/fetch_policy.h"
#include "worker/listing_job_source.h"
#include "worker/work_gate.h"
#include "worker/work_log.h"
#include "worker/work_signals.h"
#include "worker/worker_metrics.h"

namespace thumbgen::worker {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

// Why the run stops, on stderr: "thumbgen work: ..." as text, an error line with --log-format json.
void say_fatal(const std::string& message) {
  if (util::log_format() == util::LogFormat::Json) {
    util::log_event(spdlog::level::err, "thumbgen work: " + message, util::LogFields::object());
  } else {
    std::fprintf(stderr, "thumbgen work: %s\n", message.c_str());
  }
}

class Worker {
 public:
  explicit Worker(const WorkOptions& options)
      : options_(options),
        log_(options.json),
        api_(options.server_url, RetryPolicy{}, [] { return stop_signalled(); }),
        policy_(options.server_url, options.allowed_hosts),
        fetcher_(policy_, [this](int attempt, const std::string& what) { return api_.wait_to_retry(attempt, what); }),
        cache_(options.cache_dir / "downloads", options.cache_max_bytes),
        control_(options.control_file, tasks_mutex_, log_),
        brush_textures_(options.brush_texture_prefix.empty()
                            ? nullptr
                            : std::make_unique<BrushTextureCache>(options.brush_texture_prefix,
                                                                  options.job.brush_texture_folder, policy_)),
        batches_(options, fetcher_, cache_, control_, tasks_mutex_, log_, metrics_, brush_textures_.get()) {
    if (options.serve_metrics) {
      metrics_served_ = options.serve_metrics([this] { return metrics_.text(); });
      log_.note("metrics on " + metrics_served_->url() + " (port " + std::to_string(metrics_served_->port()) + ")");
    }
    api_.on_retry([this](const std::string& what) { log_.note("server unreachable or busy: " + what); });
    api_.on_answer_from([this](const SocketAddress& address) { policy_.note_server_address(address); });
    char host[256] = "host";
    ::gethostname(host, sizeof host - 1);
    worker_name_ = std::string(host) + ":" + std::to_string(::getpid());
  }

  int run();

 private:
  bool stopping() const { return stop_signalled() || control_.stop_requested(); }
  void use_listing(const std::string& why) {
    source_ =
        std::make_unique<ListingJobSource>(api_, options_.server_url, options_.batch, options_.cache_dir, why, log_);
  }
  Batch next_batch();
  void idle(std::chrono::seconds wait);

  const WorkOptions& options_;
  WorkLog log_;
  ApiClient api_;
  FetchPolicy policy_;
  AssetFetcher fetcher_;
  DownloadCache cache_;
  std::string worker_name_;
  std::mutex tasks_mutex_;  // Task::rendering and Task::skip_reason
  ControlFile control_;
  std::unique_ptr<JobSource> source_;
  std::unique_ptr<BrushTextureCache> brush_textures_;  // null without a brush texture URL prefix
  WorkerMetrics metrics_;
  BatchRunner batches_;  // its render processes and network thread end before the rest goes away
  std::unique_ptr<MetricsServing> metrics_served_;  // last: stops answering before the metrics go
};

// The claim protocol until the server shows it has none, then the listing (compatibility mode).
Batch Worker::next_batch() {
  std::optional<Batch> batch = source_->next_batch();
  if (!batch) {
    use_listing(" has no claim protocol (POST /api/v1/admin/thumbnail-jobs/claim answered 404)");
    batch = source_->next_batch();
  }
  return std::move(*batch);
}

// --watch with an empty queue: waits, reading the control file every 200 ms, until the next poll.
void Worker::idle(std::chrono::seconds wait) {
  batches_.end_idle_processes();  // nothing to do for a while: hand their memory back
  for (auto end = Clock::now() + wait; Clock::now() < end && !stopping() && !work_paused();) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    control_.check({});
  }
}

int Worker::run() {
  try {
    if (!options_.user.empty()) {
      api_.login(options_.user, options_.password);
    } else {
      api_.use_token(options_.token);
    }
    MissingPage first = api_.list_missing(1, 0);  // checks the token too, before any work is claimed
    log_.start(static_cast<std::size_t>(first.total_count));
    log_.note("thumbgen work: " + std::to_string(first.total_count) + " asset(s) without a thumbnail on " +
              api_.server_url() + " (worker " + worker_name_ + ", " + std::to_string(options_.jobs) +
              " render process(es))");

    if (options_.force_compat) {
      use_listing(" (--compat)");
    } else {
      source_ = std::make_unique<ClaimJobSource>(api_, worker_name_, options_.batch, options_.lease_seconds,
                                                 tasks_mutex_, log_);
    }
    auto idle_wait = std::chrono::seconds(2);
    while (wait_until_allowed(options_.schedule, control_, log_)) {
      Batch batch = next_batch();
      if (batch.empty()) {
        if (!options_.watch) break;
        idle(idle_wait);
        idle_wait = std::min<std::chrono::seconds>(idle_wait * 2, options_.idle_poll_max);
        continue;
      }
      idle_wait = std::chrono::seconds(2);
      batches_.run(batch, *source_);
    }
  } catch (const AuthError& error) {
    say_fatal(std::string(error.what()) + " (check --token, or --user and THUMBGEN_PASSWORD)");
    return kWorkExitFatal;
  } catch (const runner::RenderProcessStartupError& error) {
    say_fatal(std::string("cannot start a render process: ") + error.what());
    return kWorkExitFatal;
  } catch (const ApiError& error) {
    if (stop_signalled()) {
      log_.finish(true);
      return last_stop_signal() == SIGTERM ? kWorkExitOk : kWorkExitInterrupted;
    }
    say_fatal(error.what());
    return kWorkExitUnreachable;
  } catch (const std::exception& error) {
    // An answer of the wrong shape from the server, or a local file error: one clear message, no crash.
    say_fatal(error.what());
    return kWorkExitUnreachable;
  }
  bool interrupted = stop_signalled();
  log_.finish(interrupted || control_.stop_requested());
  if (interrupted) return last_stop_signal() == SIGTERM ? kWorkExitOk : kWorkExitInterrupted;
  if (control_.stop_requested()) return kWorkExitOk;
  return batches_.failures() > 0 && !options_.watch ? kWorkExitSomeFailed : kWorkExitOk;
}

}  // namespace

int run_work(const WorkOptions& options) {
  std::error_code error;
  fs::create_directories(options.cache_dir, error);
  if (error) {
    say_fatal("cannot create the cache folder " + options.cache_dir.string() + ": " + error.message());
    return 2;
  }
  WorkSignalHandlers handlers;  // from here on, nothing signalled yet
  std::unique_ptr<Worker> worker;
  try {
    worker = std::make_unique<Worker>(options);
  } catch (const std::exception& failure) {  // the download cache folder, an --allow-host entry
    say_fatal(failure.what());
    return 2;
  }
  return worker->run();
}

}  // namespace thumbgen::worker
