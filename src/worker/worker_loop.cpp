#include "worker/worker_loop.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "platform/egl_context.h"
#include "render/encode.h"
#include "runner/progress.h"
#include "runner/render_process_pool.h"
#include "worker/api_client.h"
#include "worker/asset_fetcher.h"

namespace thumbgen::worker {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;
using runner::AssetStatus;

// Signal state: handlers only touch atomics and the pool's async-signal-safe request_stop().
std::atomic<int> g_stop_signals{0};
std::atomic<int> g_last_signal{0};
std::atomic<bool> g_paused{false};
std::atomic<runner::RenderProcessPool*> g_pool{nullptr};

void on_stop(int signal) {
  g_last_signal = signal;
  int count = ++g_stop_signals;
  if (runner::RenderProcessPool* pool = g_pool.load()) {
    // First: start nothing new, finish what runs. Second: kill the running renders too.
    if (count == 1 && !pool->stop_requested()) pool->request_stop();
    if (count >= 2) {
      pool->request_stop();
      pool->request_stop();
    }
  }
}

void on_pause(int) {
  g_paused = true;
  if (runner::RenderProcessPool* pool = g_pool.load(); pool && !pool->stop_requested()) pool->request_stop();
}

void on_resume(int) { g_paused = false; }

class SignalHandlers {
 public:
  SignalHandlers() {
    install(SIGINT, on_stop, 0);
    install(SIGTERM, on_stop, 1);
    install(SIGUSR1, on_pause, 2);
    install(SIGUSR2, on_resume, 3);
  }
  ~SignalHandlers() {
    int signals[] = {SIGINT, SIGTERM, SIGUSR1, SIGUSR2};
    for (int i = 0; i < 4; ++i) sigaction(signals[i], &previous_[i], nullptr);
  }

 private:
  void install(int signal, void (*handler)(int), int slot) {
    struct sigaction action {};
    action.sa_handler = handler;  // no SA_RESTART: poll() must wake up
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, &previous_[slot]);
  }
  struct sigaction previous_[4] = {};
};

bool stopping() { return g_stop_signals.load() > 0; }

std::string timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm parts{};
  localtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &parts);
  return text;
}

// Render failures that may go away on another try (or another machine) are retryable; load errors are not.
bool retryable_render_failure(const std::string& reason) {
  for (const char* word : {"crashed", "timeout", "out of memory", "interrupted", "exited with status"}) {
    if (reason.find(word) != std::string::npos) return true;
  }
  return false;
}

std::vector<std::uint8_t> read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Writes the encoded thumbnail next to nothing else: the parent reads it back and uploads it.
runner::RenderProcessSetup make_setup(const platform::JobOptions& job_options) {
  return [job_options]() -> runner::JobFunction {
    platform::tune_malloc_for_software_gl();
    auto pipeline = std::make_shared<platform::ThumbnailPipeline>(job_options.view);
    return [pipeline, job_options](const runner::WorkItem& item) {
      platform::JobResult result = pipeline->run(item.input, job_options);
      if (!result.ok) return runner::WorkOutcome{false, result.reason, result.warnings};
      std::ofstream out(item.output, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(result.encoded.data()),
                static_cast<std::streamsize>(result.encoded.size()));
      if (!out.flush()) return runner::WorkOutcome{false, "cannot write " + item.output, result.warnings};
      return runner::WorkOutcome{true, {}, result.warnings};
    };
  };
}

// One asset of a batch: a claimed job (claim protocol) or a listed asset (compatibility mode).
struct Task {
  AssetInfo asset;
  std::optional<Job> job;
  fs::path model, output;
  std::atomic<bool> finished{false};
  std::atomic<bool> lost{false};  // our fencing token went stale: the result is no longer ours to report
  // Guarded by Worker::tasks_mutex_: whether a render process has (or is about to get) this asset, and why its
  // render must be discarded (skip).
  bool rendering = false;
  std::string skip_reason;
};

// Runs the server calls that end an asset (upload, failure report, release) on one background thread, in order, so
// the render processes never wait for the network. The first exception a call throws is kept for rethrow().
class Reporter {
 public:
  Reporter() : thread_([this] { loop(); }) {}
  ~Reporter() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  void post(std::function<void()> call) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(call));
    }
    wake_.notify_all();
  }
  // Waits until every posted call ran.
  void wait_idle() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return queue_.empty() && !busy_; });
  }
  void rethrow() {
    std::lock_guard lock(mutex_);
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, and everything ran
      auto call = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      lock.unlock();
      std::exception_ptr error;
      try {
        call();
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      busy_ = false;
      if (error && !error_) error_ = error;
      if (queue_.empty()) idle_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<std::function<void()>> queue_;
  bool busy_ = false, closing_ = false;
  std::exception_ptr error_;
  std::thread thread_;  // last: starts after the rest is set up
};

class Worker {
 public:
  explicit Worker(const WorkOptions& options)
      : options_(options),
        api_(options.server_url, RetryPolicy{}, [] { return stopping(); }),
        fetcher_(options.cache_dir / "downloads", {}),
        progress_(0, ::isatty(STDERR_FILENO) == 1, options.json) {
    api_.on_retry([this](const std::string& what) { log("server unreachable or busy: " + what); });
    char host[256] = "host";
    ::gethostname(host, sizeof host - 1);
    worker_name_ = std::string(host) + ":" + std::to_string(::getpid());
    failed_file_ =
        options.cache_dir / ("failed-" + std::to_string(std::hash<std::string>{}(options.server_url)) + ".json");
  }

  int run();

 private:
  // The watcher thread logs too: progress output takes turns.
  void log(const std::string& line) {
    std::lock_guard lock(progress_mutex_);
    progress_.note(terminal() ? line : timestamp() + " " + line);
  }
  void record(const runner::AssetRecord& record) {
    std::lock_guard lock(progress_mutex_);
    progress_.record(record);
  }
  bool terminal() const { return ::isatty(STDERR_FILENO) == 1; }
  bool wait_until_allowed();  // false when stopping
  std::vector<std::unique_ptr<Task>> next_batch();
  std::vector<std::unique_ptr<Task>> compat_batch();
  void process(std::vector<std::unique_ptr<Task>>& tasks);
  void render(std::vector<Task*>& pending);
  void report_success(Task& task, double ms);
  void report_failure(Task& task, const std::string& reason, bool retryable, double ms, bool count = true);
  void release(Task& task);
  // Files on the gallery's server ride out a restart like its API: a transient failure (network, 5xx) is tried
  // again with the same backoff before the asset is failed.
  FetchedAsset fetch_with_retries(const AssetInfo& asset) {
    for (int attempt = 1;; ++attempt) {
      try {
        return fetcher_.fetch(asset);
      } catch (const FetchError& error) {
        if (!error.transient || !api_.wait_to_retry(attempt, "download of " + asset.display() + ": " + error.what()))
          throw;
      }
    }
  }
  void log_taken_over(const Task& task) {
    log("job " + task.job->job_id + " (" + task.asset.display() +
        ") was taken over by another worker after its lease expired (stale fencing token): result dropped");
  }
  void watch_jobs(std::vector<Task*> tasks, std::atomic<bool>& done);
  void heartbeat(const std::vector<Task*>& tasks);
  void stop_pool();  // the running renders finish, no new one starts
  void check_control_file(const std::vector<Task*>& tasks);
  void load_failed_list();
  void enter_compat_mode(const std::string& why) {
    compat_ = true;
    log("warning: " + api_.server_url() + why +
        ": compatibility mode, listing missing thumbnails and uploading. Several workers on this server will "
        "duplicate work.");
    load_failed_list();
  }
  void save_failed_list();

  const WorkOptions& options_;
  ApiClient api_;
  AssetFetcher fetcher_;
  runner::Progress progress_;
  std::string worker_name_;
  bool compat_ = false;
  std::atomic<bool> control_stop_{false};
  std::atomic<bool> heartbeat_now_{false};  // a stale token was seen: check the rest of the batch at once
  std::mutex progress_mutex_;
  std::mutex tasks_mutex_;                           // Task::rendering and Task::skip_reason
  std::mutex control_mutex_;                         // one reader of the control file at a time
  std::mutex pool_mutex_;                            // g_pool stays alive while another thread stops it
  std::unique_ptr<runner::RenderProcessPool> pool_;  // render processes, kept from batch to batch
  fs::path failed_file_;
  nlohmann::json failed_list_ = nlohmann::json::object();  // compatibility mode: asset id → {reason, at}
  std::map<std::string, Clock::time_point> retry_after_;   // compatibility mode: transient failures
  std::atomic<std::size_t> failures_{0};
  Reporter reporter_;  // last: its thread stops before the rest goes away
};

bool Worker::wait_until_allowed() {
  bool announced_pause = false, announced_schedule = false;
  for (;;) {
    if (stopping() || control_stop_) return false;
    if (g_paused) {
      if (!announced_pause) log("paused (SIGUSR2 or 'resume' in the control file resumes)");
      announced_pause = true;
      check_control_file({});
    } else if (options_.schedule && !options_.schedule->contains(local_minute_of_day())) {
      if (!announced_schedule) {
        int wait = options_.schedule->minutes_until_open(local_minute_of_day());
        log("outside the --schedule window: sleeping " + std::to_string(wait / 60) + " h " + std::to_string(wait % 60) +
            " min");
      }
      announced_schedule = true;
      check_control_file({});
    } else {
      if (announced_pause) log("resumed");
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

void Worker::stop_pool() {
  std::lock_guard lock(pool_mutex_);
  if (runner::RenderProcessPool* pool = g_pool.load(); pool && !pool->stop_requested()) pool->request_stop();
}

void Worker::check_control_file(const std::vector<Task*>& tasks) {
  if (options_.control_file.empty()) return;
  std::lock_guard control_lock(control_mutex_);
  std::ifstream in(options_.control_file);
  std::string word;
  in >> word;
  for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (word == "pause" && !g_paused) {
    on_pause(0);
  } else if (word == "resume" && g_paused) {
    g_paused = false;
  } else if (word == "stop" && !control_stop_) {
    control_stop_ = true;
    stop_pool();
  } else if (word == "skip") {
    // A one-shot command for exactly the assets being rendered now (one per render process): marked first, then
    // consumed, so whoever sees the file emptied knows the marks are set. Their renders are discarded when they end.
    std::vector<std::string> skipped;
    {
      std::lock_guard lock(tasks_mutex_);
      for (Task* task : tasks) {
        if (!task->rendering || task->finished || !task->skip_reason.empty()) continue;
        task->skip_reason = "skipped by operator";
        skipped.push_back(task->asset.display());
      }
    }
    std::ofstream(options_.control_file, std::ios::trunc);
    if (skipped.empty()) log("control file: skip, but no asset is being rendered");
    for (const std::string& name : skipped) log("control file: skip " + name);
  }
}

void Worker::load_failed_list() {
  std::ifstream in(failed_file_);
  if (!in) return;
  auto json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_object()) failed_list_ = std::move(json);
}

void Worker::save_failed_list() {
  fs::path temp = failed_file_;
  temp += ".tmp";
  std::ofstream(temp) << failed_list_.dump(1);
  std::error_code error;
  fs::rename(temp, failed_file_, error);
}

std::vector<std::unique_ptr<Task>> Worker::next_batch() {
  std::vector<std::unique_ptr<Task>> tasks;
  if (!compat_) {
    auto jobs = api_.claim(worker_name_, std::clamp(options_.batch, 1, 100), options_.lease_seconds);
    if (!jobs) {
      enter_compat_mode(" has no claim protocol (POST /api/v1/admin/thumbnail-jobs/claim answered 404)");
    } else {
      for (Job& job : *jobs) {
        auto task = std::make_unique<Task>();
        task->asset = job.asset;
        task->job = std::move(job);
        tasks.push_back(std::move(task));
      }
      return tasks;
    }
  }
  return compat_batch();
}

// Pages past the assets this worker gave up on (its failed list) to the first ones it has not tried.
std::vector<std::unique_ptr<Task>> Worker::compat_batch() {
  std::vector<std::unique_ptr<Task>> tasks;
  int limit = std::clamp(options_.batch, 1, 100);
  auto now = Clock::now();
  for (std::int64_t offset = 0;;) {
    MissingPage page = api_.list_missing(limit, offset);
    for (AssetInfo& asset : page.assets) {
      if (failed_list_.contains(asset.id)) continue;
      if (auto it = retry_after_.find(asset.id); it != retry_after_.end() && now < it->second) continue;
      auto task = std::make_unique<Task>();
      task->asset = std::move(asset);
      tasks.push_back(std::move(task));
    }
    if (!tasks.empty() || !page.has_more || page.assets.empty()) return tasks;
    offset += static_cast<std::int64_t>(page.assets.size());
  }
}

void Worker::report_success(Task& task, double ms) {
  auto jpeg = read_file(task.output);
  std::error_code ignored;
  fs::remove(task.output, ignored);
  try {
    std::string url = task.job ? api_.complete(*task.job, jpeg) : api_.upload_thumbnail(task.asset.id, jpeg);
    record({task.asset.display(), AssetStatus::Ok, ms, {}, url, {}});
  } catch (const StaleTokenError&) {
    task.lost = true;
    log_taken_over(task);
    heartbeat_now_ = true;  // the rest of the batch was probably taken over too
  } catch (const ApiError& error) {
    // Refused (400/413/415/422) or unreachable: a failure of this asset, retryable when the server was away.
    report_failure(task, error.what(), error.status == 0, ms);
  }
}

void Worker::release(Task& task) {
  if (!task.job) return;  // compatibility mode holds nothing
  try {
    api_.release(*task.job);
  } catch (const ApiError& error) {
    log("cannot release job " + task.job->job_id + " (" + task.asset.display() + "): " + error.what());
  }
}

void Worker::report_failure(Task& task, const std::string& reason, bool retryable, double ms, bool count) {
  try {
    if (task.job) {
      api_.fail(*task.job, reason, retryable);
    } else if (count) {
      if (retryable) {
        retry_after_[task.asset.id] = Clock::now() + std::chrono::minutes(5);
      } else {
        failed_list_[task.asset.id] = {{"reason", reason}, {"url", task.asset.url}, {"at", timestamp()}};
        save_failed_list();
      }
      api_.report_failure(task.asset.id, reason);  // the original gallery has no such endpoint: 404 is fine
    }
  } catch (const ApiError& error) {
    log("cannot report the failure of " + task.asset.display() + ": " + error.what());
  }
  if (count) {
    ++failures_;
    record({task.asset.display(), AssetStatus::Failed, ms, reason, {}, {}});
  }
}

// Heartbeats the batch's leases and reads the control file (every 200 ms: well within one asset's time) while the
// main thread fetches and renders.
void Worker::watch_jobs(std::vector<Task*> tasks, std::atomic<bool>& done) {
  auto heartbeat_every = std::chrono::seconds(std::max(1, options_.lease_seconds / 3));
  auto next_heartbeat = Clock::now() + heartbeat_every;
  while (!done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    check_control_file(tasks);
    if (compat_ || (Clock::now() < next_heartbeat && !heartbeat_now_)) continue;
    heartbeat_now_ = false;
    next_heartbeat = Clock::now() + heartbeat_every;
    heartbeat(tasks);
  }
}

void Worker::heartbeat(const std::vector<Task*>& tasks) {
  bool lost_unstarted = false;
  for (Task* task : tasks) {
    if (task->finished || task->lost) continue;
    try {
      HeartbeatAnswer answer = api_.heartbeat(*task->job, options_.lease_seconds);
      std::lock_guard lock(tasks_mutex_);
      if (answer.stale) {
        task->lost = true;
        lost_unstarted = lost_unstarted || !task->rendering;
      }
      if (answer.cancel && task->skip_reason.empty()) task->skip_reason = "skipped by admin";
    } catch (const std::exception& error) {
      // The lease may lapse; completion then tells (409) whether someone else took the job.
      log("heartbeat of job " + task->job->job_id + " failed: " + error.what());
    }
  }
  // Jobs taken over before their render started are not rendered: the pool stops after its current renders and
  // render() goes on without them.
  if (lost_unstarted) stop_pool();
}

void Worker::render(std::vector<Task*>& pending) {
  while (!pending.empty()) {
    if (stopping() || control_stop_) {
      for (Task* task : pending) reporter_.post([this, task] { release(*task); });
      pending.clear();
      return;
    }
    if (g_paused) {
      if (pool_) pool_->end_idle_processes();  // paused: hand their memory back
      wait_until_allowed();
      continue;
    }
    // Taken over by another worker, or skipped while the pool stopped before it got them: nothing to render.
    std::erase_if(pending, [&](Task* task) {
      std::string skip;
      {
        std::lock_guard lock(tasks_mutex_);
        skip = task->skip_reason;
      }
      if (task->lost) {
        log("job " + task->job->job_id + " (" + task->asset.display() +
            ") was taken over by another worker (stale fencing token): not rendering it");
      } else if (!skip.empty()) {
        reporter_.post([this, task, skip] { report_failure(*task, skip, false, 0); });
      } else {
        return false;
      }
      task->finished = true;
      return true;
    });
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
      pool_ = std::make_unique<runner::RenderProcessPool>(pool_options, make_setup(options_.job));
    }
    runner::RenderProcessPool& pool = *pool_;
    {
      std::lock_guard lock(pool_mutex_);
      pool.clear_stop_requests();  // a pause or skip stopped the previous run; stopping() is checked below
      g_pool = &pool;
    }
    if (stopping() || g_paused || control_stop_) pool.request_stop();  // a signal between the checks and here
    struct Reset {
      Worker& worker;
      ~Reset() {
        std::lock_guard lock(worker.pool_mutex_);
        g_pool = nullptr;
      }
    } reset{*this};

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
        log_taken_over(task);
      } else if (!skip.empty()) {
        reporter_.post([this, done, skip, ms] { report_failure(*done, skip, false, ms); });
      } else if (result.ok) {
        reporter_.post([this, done, ms] { report_success(*done, ms); });
      } else if (result.reason == "interrupted") {
        reporter_.post([this, done] { release(*done); });
      } else {
        std::string reason = result.reason;
        reporter_.post(
            [this, done, reason, ms] { report_failure(*done, reason, retryable_render_failure(reason), ms); });
      }
    });
    {
      std::lock_guard lock(tasks_mutex_);
      for (Task* task : pending) task->rendering = false;
    }
    std::erase_if(pending, [](Task* task) { return task->finished.load(); });
  }
}

void Worker::process(std::vector<std::unique_ptr<Task>>& tasks) {
  std::vector<Task*> all;
  for (auto& task : tasks) all.push_back(task.get());
  std::atomic<bool> done{false};
  std::thread watcher([&] { watch_jobs(all, done); });
  // On every way out (an exception included) the batch's tasks outlive the threads that use them.
  struct Join {
    std::atomic<bool>& done;
    std::thread& thread;
    Reporter& reporter;
    ~Join() {
      reporter.wait_idle();
      done = true;
      thread.join();
    }
  } join{done, watcher, reporter_};

  std::vector<Task*> pending;
  fs::create_directories(options_.cache_dir / "out");
  std::string extension = render::file_extension(options_.job.format);
  int sequence = 0;
  for (Task* task : all) {
    if (stopping() || control_stop_) {
      task->finished = true;
      reporter_.post([this, task] { release(*task); });
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
      if (stopping() || control_stop_) {  // stopped while waiting to try again: not the asset's fault
        reporter_.post([this, task] { release(*task); });
        continue;
      }
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
      std::string reason = std::string("download failed: ") + error.what();
      bool retryable = error.transient;
      reporter_.post([this, task, reason, retryable, ms] { report_failure(*task, reason, retryable, ms); });
    }
  }
  render(pending);
  reporter_.wait_idle();
  reporter_.rethrow();  // a refused token (AuthError) during an upload is as fatal as anywhere else
}

int Worker::run() {
  try {
    if (!options_.user.empty()) {
      api_.login(options_.user, options_.password);
    } else {
      api_.use_token(options_.token);
    }
    fetcher_.allow_host(api_.server_host());
    MissingPage first = api_.list_missing(1, 0);  // checks the token too, before any work is claimed
    progress_ = runner::Progress(static_cast<std::size_t>(first.total_count), terminal(), options_.json);
    log("thumbgen work: " + std::to_string(first.total_count) + " asset(s) without a thumbnail on " +
        api_.server_url() + " (worker " + worker_name_ + ", " + std::to_string(options_.jobs) + " render process(es))");

    if (options_.force_compat) enter_compat_mode(" (--compat)");
    auto idle_wait = std::chrono::seconds(2);
    while (wait_until_allowed()) {
      auto tasks = next_batch();
      if (tasks.empty()) {
        if (!options_.watch) break;
        if (pool_) pool_->end_idle_processes();  // nothing to do for a while: hand their memory back
        for (auto end = Clock::now() + idle_wait; Clock::now() < end && !stopping() && !control_stop_ && !g_paused;) {
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          check_control_file({});
        }
        idle_wait = std::min<std::chrono::seconds>(idle_wait * 2, options_.idle_poll_max);
        continue;
      }
      idle_wait = std::chrono::seconds(2);
      process(tasks);
    }
  } catch (const AuthError& error) {
    std::fprintf(stderr, "thumbgen work: %s (check --token, or --user and THUMBGEN_PASSWORD)\n", error.what());
    return kWorkExitFatal;
  } catch (const runner::RenderProcessStartupError& error) {
    std::fprintf(stderr, "thumbgen work: cannot start a render process: %s\n", error.what());
    return kWorkExitFatal;
  } catch (const ApiError& error) {
    if (stopping()) {
      progress_.finish(0, true);
      return g_last_signal == SIGTERM ? kWorkExitOk : kWorkExitInterrupted;
    }
    std::fprintf(stderr, "thumbgen work: %s\n", error.what());
    return kWorkExitUnreachable;
  } catch (const std::exception& error) {
    // An answer of the wrong shape from the server, or a local file error: one clear message, no crash.
    std::fprintf(stderr, "thumbgen work: %s\n", error.what());
    return kWorkExitUnreachable;
  }
  bool interrupted = stopping();
  progress_.finish(0, interrupted || control_stop_);
  if (interrupted) return g_last_signal == SIGTERM ? kWorkExitOk : kWorkExitInterrupted;
  if (control_stop_) return kWorkExitOk;
  return failures_ > 0 && !options_.watch ? kWorkExitSomeFailed : kWorkExitOk;
}

}  // namespace

int run_work(const WorkOptions& options) {
  g_stop_signals = 0;
  g_paused = false;
  std::error_code error;
  fs::create_directories(options.cache_dir, error);
  if (error) {
    std::fprintf(stderr, "thumbgen work: cannot create the cache folder %s: %s\n", options.cache_dir.c_str(),
                 error.message().c_str());
    return 2;
  }
  SignalHandlers handlers;
  Worker worker(options);
  return worker.run();
}

}  // namespace thumbgen::worker
