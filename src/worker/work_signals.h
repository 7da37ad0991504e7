// The signals `thumbgen work` obeys, and the state they leave for the loop to read. SIGINT/SIGTERM stop: the first
// starts no new render and lets the running ones finish, the second kills the running renders too. SIGUSR1 pauses
// (no new work, running renders finish), SIGUSR2 resumes. The state is process-wide, as signals are: the handlers
// only touch atomics and the running pool's async-signal-safe request_stop().
#pragma once

#include <signal.h>

#include "runner/render_process_pool.h"

namespace thumbgen::worker {

// Installs the handlers, with nothing signalled yet, for as long as it lives; the previous handlers come back after.
class WorkSignalHandlers {
 public:
  WorkSignalHandlers();
  ~WorkSignalHandlers();
  WorkSignalHandlers(const WorkSignalHandlers&) = delete;
  WorkSignalHandlers& operator=(const WorkSignalHandlers&) = delete;

 private:
  struct sigaction previous_[4] = {};
};

bool stop_signalled();   // SIGINT or SIGTERM came
int last_stop_signal();  // which of the two came last
bool work_paused();
void pause_work();   // as SIGUSR1 (the control file's "pause")
void resume_work();  // as SIGUSR2 (the control file's "resume")

// While it lives, `pool` is the running pool that stop signals, pause_work() and stop_running_pool() stop. It
// starts by forgetting the pool's earlier stop requests (a pause or skip stopped its previous run).
class RunningPool {
 public:
  explicit RunningPool(runner::RenderProcessPool& pool);
  ~RunningPool();
  RunningPool(const RunningPool&) = delete;
  RunningPool& operator=(const RunningPool&) = delete;
};

// From any thread but a signal handler: the running pool, if any, starts no new render; the running ones finish.
void stop_running_pool();

}  // namespace thumbgen::worker
