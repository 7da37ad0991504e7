#include "worker/claim_job_source.h"

#include <algorithm>

#include "render/render_settings.h"

namespace thumbgen::worker {

ClaimJobSource::ClaimJobSource(ApiClient& api, std::string worker_name, int batch, int lease_seconds,
                               std::mutex& tasks_mutex, WorkLog& log)
    : api_(api),
      worker_name_(std::move(worker_name)),
      batch_(batch),
      lease_seconds_(lease_seconds),
      log_(log),
      leases_(api, lease_seconds, tasks_mutex, log) {}

std::optional<Batch> ClaimJobSource::next_batch() {
  auto jobs = api_.claim(worker_name_, std::clamp(batch_, 1, 100), lease_seconds_);
  if (!jobs) return std::nullopt;
  Batch tasks;
  for (Job& job : *jobs) {
    log_.event("job claimed",
               {{"job", job.job_id},
                {"asset", job.asset.id},
                {"asset_url", job.asset.url},
                {"attempt", job.attempt},
                {"correlation_id", job.correlation_id}},
               WorkLog::Text::Write);
    auto task = std::make_unique<Task>();
    task->asset = job.asset;
    task->job = std::move(job);
    tasks.push_back(std::move(task));
  }
  return tasks;
}

std::string ClaimJobSource::deliver(const Task& task, const std::vector<std::uint8_t>& thumbnail) {
  // Provenance stored with the thumbnail: which rules made it, and the exact view ("use this camera" repeats it).
  nlohmann::json provenance = {{"renderer_version", render::kRendererVersion}};
  if (task.camera_used) provenance["camera"] = render::camera_to_json(*task.camera_used);
  provenance["render_seconds"] = task.render_seconds;  // the server's render time histogram
  return api_.complete(*task.job, thumbnail, provenance);
}

void ClaimJobSource::report_failure(const Task& task, const std::string& reason, bool retryable) {
  api_.fail(*task.job, reason, retryable);
}

void ClaimJobSource::release(const Task& task) {
  try {
    api_.release(*task.job);
    log_.event("job released", job_fields(task));
  } catch (const ApiError& error) {
    log_.note("cannot release job " + task.job->job_id + " (" + task.asset.display() + "): " + error.what());
  }
}

}  // namespace thumbgen::worker
