#include "worker/task_outcomes.h"

#include <chrono>
#include <cmath>
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

// Seconds to the millisecond: log lines and the completion's render_seconds need no more.
double seconds_of(double ms) { return std::round(ms) / 1000; }

}  // namespace

void TaskOutcomes::succeeded(JobSource& source, Task& task, double ms) {
  auto thumbnail = read_file(task.output);
  std::error_code ignored;
  fs::remove(task.output, ignored);
  task.render_seconds = seconds_of(ms);
  metrics_.count_render(task.render_seconds);
  try {
    const auto started = std::chrono::steady_clock::now();
    std::string url = source.deliver(task, thumbnail);
    const double upload_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    metrics_.observe_upload(upload_ms / 1000);
    util::LogFields fields = job_fields(task);
    fields["render_seconds"] = task.render_seconds;
    fields["upload_seconds"] = seconds_of(upload_ms);
    fields["thumbnail_url"] = url;
    log_.event("job completed", fields);
    log_.record({task.asset.display(), runner::AssetStatus::Ok, ms, {}, url, {}, task.camera_used, task.camera_source});
  } catch (const StaleTokenError&) {
    task.lost = true;
    log_taken_over(task);
    if (LeaseKeeper* leases = source.leases()) leases->heartbeat_soon();  // the rest of the batch too, probably
  } catch (const ApiError& error) {
    // Refused (400/413/415/422) or unreachable: a failure of this asset, retryable when the server was away.
    failed(source, task, error.what(), error.status == 0, ms, FailureKind::Upload);
  }
}

void TaskOutcomes::failed(JobSource& source, Task& task, const std::string& reason, bool retryable, double ms,
                          FailureKind kind) {
  metrics_.count_failure(kind);
  try {
    source.report_failure(task, reason, retryable);
  } catch (const ApiError& error) {
    log_.note("cannot report the failure of " + task.asset.display() + ": " + error.what());
  }
  ++failures_;
  util::LogFields fields = job_fields(task);
  fields["reason"] = reason;
  fields["retryable"] = retryable;
  log_.event("job failed", fields);
  log_.record({task.asset.display(), runner::AssetStatus::Failed, ms, reason, {}, {}});
}

void TaskOutcomes::log_taken_over(const Task& task) {
  log_.event("job taken over", job_fields(task));
  log_.note("job " + task.job->job_id + " (" + task.asset.display() +
            ") was taken over by another worker after its lease expired (stale fencing token): result dropped");
}

}  // namespace thumbgen::worker
