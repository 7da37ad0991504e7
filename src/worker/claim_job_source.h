// The claim protocol: batches are claimed with a lease and a fencing token per job, kept alive by heartbeats
// (LeaseKeeper) and ended by complete, fail or release. Several workers on one server never render the same job
// at once, and a worker whose lease expired cannot report over its successor (a stale token is refused).
#pragma once

#include <mutex>
#include <string>

#include "worker/api_client.h"
#include "worker/job_source.h"
#include "worker/lease_keeper.h"
#include "worker/work_log.h"

namespace thumbgen::worker {

class ClaimJobSource : public JobSource {
 public:
  // `worker_name` is recorded by the server with each claim. `tasks_mutex`: see LeaseKeeper.
  ClaimJobSource(ApiClient& api, std::string worker_name, int batch, int lease_seconds, std::mutex& tasks_mutex,
                 WorkLog& log);

  std::optional<Batch> next_batch() override;  // nullopt: the claim route answered 404
  std::string deliver(const Task& task, const std::vector<std::uint8_t>& thumbnail) override;
  void report_failure(const Task& task, const std::string& reason, bool retryable) override;
  void release(const Task& task) override;
  LeaseKeeper* leases() override { return &leases_; }

 private:
  ApiClient& api_;
  std::string worker_name_;
  int batch_, lease_seconds_;
  WorkLog& log_;
  LeaseKeeper leases_;
};

}  // namespace thumbgen::worker
