// Keeps a claimed batch's leases alive while it is fetched and rendered: a heartbeat for each unfinished job every
// lease/3 (at least 1 s), and at once after a stale fencing token was seen elsewhere. The server's answers mark
// tasks: stale → lost (another worker took the job over; its result is dropped), cancel → skipped ("skipped by
// admin"). Jobs lost before their render started stop the running pool after its current renders, so they are
// never rendered.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "worker/api_client.h"
#include "worker/task.h"
#include "worker/work_log.h"

namespace thumbgen::worker {

class LeaseKeeper {
 public:
  // `tasks_mutex` guards Task::rendering and Task::skip_reason.
  LeaseKeeper(ApiClient& api, int lease_seconds, std::mutex& tasks_mutex, WorkLog& log);

  // A batch starts: its first heartbeat is one period away.
  void start_batch();
  // Called by the batch's watcher thread every 100 ms: heartbeats `tasks` when due.
  void tick(const std::vector<Task*>& tasks);
  // A stale token was seen: the rest of the batch was probably taken over too, check it at the next tick.
  void heartbeat_soon() { heartbeat_now_ = true; }

 private:
  using Clock = std::chrono::steady_clock;
  void heartbeat(const std::vector<Task*>& tasks);

  ApiClient& api_;
  int lease_seconds_;
  std::mutex& tasks_mutex_;
  WorkLog& log_;
  std::chrono::seconds heartbeat_every_;
  Clock::time_point next_heartbeat_;
  std::atomic<bool> heartbeat_now_{false};
};

}  // namespace thumbgen::worker
