// Crash-isolating prefork supervisor (DESIGN §2): the parent holds no GL context; each worker process sets
// itself up once (EGL context, compiled programs), then runs one item at a time. A worker that crashes, runs out
// of memory or exceeds the per-item timeout takes only its current item down; the parent records why and
// starts a replacement.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace thumbgen::runner {

struct WorkItem {
  std::string input;
  std::string output;
};

// What a worker's job function reports for one item. Throwing counts as a failure with the exception's text.
struct WorkOutcome {
  bool ok = false;
  std::string reason;
  std::vector<std::string> warnings;
};

using JobFunction = std::function<WorkOutcome(const WorkItem&)>;
// Runs in each new worker before its first item and returns the job function. Throwing means the worker
// cannot start at all (no GL context, ...): the run stops with WorkerStartupError.
using WorkerSetup = std::function<JobFunction()>;

struct PoolOptions {
  int workers = 1;
  std::chrono::milliseconds timeout{30'000};          // per item
  std::chrono::milliseconds startup_timeout{60'000};  // per worker setup
  // Address space a worker may grow by after setup (RLIMIT_AS = size after setup + this); 0: no limit.
  // Measured from after setup because llvmpipe reserves a lot of virtual memory it never touches.
  std::uint64_t max_memory_bytes = 0;
  // Set in each worker before setup, unless already set (e.g. LP_NUM_THREADS).
  std::vector<std::pair<std::string, std::string>> environment;
  // run() leaves its idle render processes running for the next run(): a caller that renders in batches
  // (thumbgen work) pays for process start-up and warm-up once, not per batch.
  bool keep_idle_workers = false;

  // For several render processes side by side: llvmpipe rasterises in the render thread itself instead of
  // its default one thread per core (which would oversubscribe the CPUs, and hands every flush to another
  // thread: 7 % slower on the corpus with LP_NUM_THREADS=1 than with 0).
  void one_core_per_worker() { environment.emplace_back("LP_NUM_THREADS", "0"); }
};

struct WorkResult {
  std::size_t index = 0;  // into the items given to run()
  bool ok = false;
  double ms = 0;  // from dispatch to result, as the parent saw it
  std::string reason;
  std::vector<std::string> warnings;
};

class WorkerStartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class WorkerPool {
 public:
  WorkerPool(PoolOptions options, WorkerSetup setup);
  ~WorkerPool();  // kills and reaps any worker still alive
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs the items and calls on_result (in the parent, in completion order) once for every item started.
  // Returns how many items were never started because stop was requested. Throws WorkerStartupError.
  std::size_t run(const std::vector<WorkItem>& items, const std::function<void(const WorkResult&)>& on_result);

  // Async-signal-safe. First call: start no more items, let running ones finish. Second: kill running ones
  // (reported as "interrupted").
  void request_stop();
  bool stop_requested() const { return stop_requests_.load() > 0; }
  // Forgets earlier stop requests so the next run() starts items again (with keep_idle_workers).
  void clear_stop_requests();
  // Ends the idle render processes kept by keep_idle_workers (their memory goes back to the system).
  void end_idle_workers();

 private:
  struct Worker;
  void spawn(Worker& worker);
  [[noreturn]] void worker_main(int job_fd, int result_fd);
  void dispatch(Worker& worker, std::size_t index, const WorkItem& item);
  void finish(Worker& worker, WorkResult result, const std::function<void(const WorkResult&)>& on_result);
  void bury(Worker& worker);
  void kill_all();

  PoolOptions options_;
  WorkerSetup setup_;
  std::vector<Worker> workers_;
  int wake_pipe_[2] = {-1, -1};  // request_stop() wakes poll() through it
  std::atomic<int> stop_requests_{0};
};

// "crashed (signal 11 SIGSEGV)", "exited with status 3": what a waitpid status says about a worker's end.
std::string describe_exit(int wait_status);
// "30 s", "500 ms", "1.5 s"
std::string describe_duration(std::chrono::milliseconds duration);

}  // namespace thumbgen::runner
