#include "worker/lease_keeper.h"

#include <algorithm>
#include <exception>

#include "worker/work_signals.h"

namespace thumbgen::worker {

LeaseKeeper::LeaseKeeper(ApiClient& api, int lease_seconds, std::mutex& tasks_mutex, WorkLog& log)
    : api_(api),
      lease_seconds_(lease_seconds),
      tasks_mutex_(tasks_mutex),
      log_(log),
      heartbeat_every_(std::max(1, lease_seconds / 3)) {}

void LeaseKeeper::start_batch() { next_heartbeat_ = Clock::now() + heartbeat_every_; }

void LeaseKeeper::tick(const std::vector<Task*>& tasks) {
  if (Clock::now() < next_heartbeat_ && !heartbeat_now_) return;
  heartbeat_now_ = false;
  next_heartbeat_ = Clock::now() + heartbeat_every_;
  heartbeat(tasks);
}

void LeaseKeeper::heartbeat(const std::vector<Task*>& tasks) {
  bool lost_unstarted = false;
  for (Task* task : tasks) {
    if (task->finished || task->lost) continue;
    try {
      HeartbeatAnswer answer = api_.heartbeat(*task->job, lease_seconds_);
      std::lock_guard lock(tasks_mutex_);
      if (answer.stale) {
        task->lost = true;
        lost_unstarted = lost_unstarted || !task->rendering;
      }
      if (answer.cancel && task->skip_reason.empty()) task->skip_reason = "skipped by admin";
    } catch (const std::exception& error) {
      // The lease may lapse; completion then tells (409) whether someone else took the job.
      log_.note("heartbeat of job " + task->job->job_id + " failed: " + error.what());
    }
  }
  // Jobs taken over before their render started are not rendered: the pool stops after its current renders and
  // the batch runner goes on without them.
  if (lost_unstarted) stop_running_pool();
}

}  // namespace thumbgen::worker
