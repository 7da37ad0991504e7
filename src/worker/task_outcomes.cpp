#include "worker/task_outcomes.h"

#include <fstream>
#include <iterator>
#include <system_error>

namespace thumbgen::worker {
namespace fs = std::filesystem;
namespace {

std::vector<std::uint8_t> read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

void TaskOutcomes::succeeded(JobSource& source, Task& task, double ms) {
  auto thumbnail = read_file(task.output);
  std::error_code ignored;
  fs::remove(task.output, ignored);
  try {
    std::string url = source.deliver(task, thumbnail);
    log_.record({task.asset.display(), runner::AssetStatus::Ok, ms, {}, url, {}, task.camera_used, task.camera_source});
  } catch (const StaleTokenError&) {
    task.lost = true;
    log_taken_over(task);
    if (LeaseKeeper* leases = source.leases()) leases->heartbeat_soon();  // the rest of the batch too, probably
  } catch (const ApiError& error) {
    // Refused (400/413/415/422) or unreachable: a failure of this asset, retryable when the server was away.
    failed(source, task, error.what(), error.status == 0, ms);
  }
}

void TaskOutcomes::failed(JobSource& source, Task& task, const std::string& reason, bool retryable, double ms) {
  try {
    source.report_failure(task, reason, retryable);
  } catch (const ApiError& error) {
    log_.note("cannot report the failure of " + task.asset.display() + ": " + error.what());
  }
  ++failures_;
  log_.record({task.asset.display(), runner::AssetStatus::Failed, ms, reason, {}, {}});
}

void TaskOutcomes::log_taken_over(const Task& task) {
  log_.note("job " + task.job->job_id + " (" + task.asset.display() +
            ") was taken over by another worker after its lease expired (stale fencing token): result dropped");
}

}  // namespace thumbgen::worker
