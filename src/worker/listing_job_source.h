// Compatibility mode, for a server with only the spec's endpoints: batches are the first missing thumbnails it
// lists, thumbnails are uploaded, failures reported where the server has the route (404 is fine). Nothing is held,
// so several workers on one server duplicate work. This worker remembers what failed so it does not try it again:
// for good in a failed list kept in the cache folder (per server), for 5 minutes when the failure may pass.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "worker/api_client.h"
#include "worker/job_source.h"
#include "worker/work_log.h"

namespace thumbgen::worker {

class ListingJobSource : public JobSource {
 public:
  // Says in the log that the worker is in compatibility mode, and `why` (appended to the server's URL), then
  // reads the failed list kept in `cache_dir` for `server_url` (as given: the file is named by its hash).
  ListingJobSource(ApiClient& api, const std::string& server_url, int batch, const std::filesystem::path& cache_dir,
                   const std::string& why, WorkLog& log);

  std::optional<Batch> next_batch() override;  // never nullopt
  std::string deliver(const Task& task, const std::vector<std::uint8_t>& thumbnail) override;
  void report_failure(const Task& task, const std::string& reason, bool retryable) override;
  void release(const Task&) override {}  // nothing is held
  LeaseKeeper* leases() override { return nullptr; }

 private:
  using Clock = std::chrono::steady_clock;
  void load_failed_list();
  void save_failed_list();

  ApiClient& api_;
  int batch_;
  std::filesystem::path failed_file_;
  nlohmann::json failed_list_ = nlohmann::json::object();  // asset id → {reason, url, at}
  std::map<std::string, Clock::time_point> retry_after_;   // transient failures
};

}  // namespace thumbgen::worker
