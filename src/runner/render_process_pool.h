// RenderProcessPool, the crash-isolating prefork supervisor of render processes (DESIGN §2): the parent holds no
// GL context; each render process sets itself up once (EGL context, compiled programs), then runs one item at a
// time. A render process that crashes, runs out of memory or exceeds the per-item timeout takes only its current
// item down; the parent records why and starts a replacement.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "render/view.h"

namespace thumbgen::runner {

struct WorkItem {
  std::string input;
  std::string output;
  std::string settings = {};  // the item's own render settings (JSON text, render_settings.h); empty: the job's
};

// What a render process's job function reports for one item. Throwing counts as a failure with the exception's text.
struct WorkOutcome {
  bool ok = false;
  std::string reason;
  std::vector<std::string> warnings;
  std::optional<render::AbsoluteCamera> camera = std::nullopt;  // the camera the thumbnail was rendered with
  std::string camera_source = {};                               // where it came from (render::camera_source_name)
};

using JobFunction = std::function<WorkOutcome(const WorkItem&)>;
// Runs in each new render process before its first item and returns the job function. Throwing means it
// cannot start at all (no GL context, ...): the run stops with RenderProcessStartupError.
using RenderProcessSetup = std::function<JobFunction()>;

struct PoolOptions {
  int processes = 1;                                  // render processes side by side
  std::chrono::milliseconds timeout{30'000};          // per item
  std::chrono::milliseconds startup_timeout{60'000};  // per render process setup
  // Address space a render process may grow by after setup (RLIMIT_AS = size after setup + this); 0: no limit.
  // Measured from after setup because llvmpipe reserves a lot of virtual memory it never touches.
  std::uint64_t max_memory_bytes = 0;
  // Set in each render process before setup, unless already set (e.g. LP_NUM_THREADS).
  std::vector<std::pair<std::string, std::string>> environment;
  // run() leaves its idle render processes running for the next run(): a caller that renders in batches
  // (thumbgen work) pays for process start-up and warm-up once, not per batch.
  bool keep_idle_processes = false;

  // For several render processes side by side: llvmpipe rasterises in the render thread itself instead of
  // its default one thread per core (which would oversubscribe the CPUs, and hands every flush to another
  // thread: 7 % slower on the corpus with LP_NUM_THREADS=1 than with 0).
  void one_core_per_process() { environment.emplace_back("LP_NUM_THREADS", "0"); }
};

struct WorkResult {
  std::size_t index = 0;  // into the items given to run()
  bool ok = false;
  double ms = 0;  // from dispatch to result, as the parent saw it
  std::string reason;
  std::vector<std::string> warnings;
  std::optional<render::AbsoluteCamera> camera = std::nullopt;
  std::string camera_source = {};
};

class RenderProcessStartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RenderProcessPool {
 public:
  RenderProcessPool(PoolOptions options, RenderProcessSetup setup);
  ~RenderProcessPool();  // kills and reaps any render process still alive
  RenderProcessPool(const RenderProcessPool&) = delete;
  RenderProcessPool& operator=(const RenderProcessPool&) = delete;

  // Runs the items and calls on_result (in the parent, in completion order) once for every item started.
  // Returns how many items were never started because stop was requested. Throws RenderProcessStartupError.
  std::size_t run(const std::vector<WorkItem>& items, const std::function<void(const WorkResult&)>& on_result);

  // Async-signal-safe. First call: start no more items, let running ones finish. Second: kill running ones
  // (reported as "interrupted").
  void request_stop();
  bool stop_requested() const { return stop_requests_.load() > 0; }
  // Forgets earlier stop requests so the next run() starts items again (with keep_idle_processes).
  void clear_stop_requests();
  // Ends the idle render processes kept by keep_idle_processes (their memory goes back to the system).
  void end_idle_processes();

 private:
  struct Process;
  void spawn(Process& process);
  [[noreturn]] void process_main(int job_fd, int result_fd);
  void dispatch(Process& process, std::size_t index, const WorkItem& item);
  void finish(Process& process, WorkResult result, const std::function<void(const WorkResult&)>& on_result);
  void bury(Process& process);
  void kill_all();

  PoolOptions options_;
  RenderProcessSetup setup_;
  std::vector<Process> processes_;
  int wake_pipe_[2] = {-1, -1};  // request_stop() wakes poll() through it
  std::atomic<int> stop_requests_{0};
};

// "crashed (signal 11 SIGSEGV)", "exited with status 3": what a waitpid status says about a render process's end.
std::string describe_exit(int wait_status);
// "30 s", "500 ms", "1.5 s"
std::string describe_duration(std::chrono::milliseconds duration);

}  // namespace thumbgen::runner
