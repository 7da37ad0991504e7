#include "worker/listing_job_source.h"

#include <algorithm>
#include <fstream>

#include "worker/work_log.h"

namespace thumbgen::worker {
namespace fs = std::filesystem;

ListingJobSource::ListingJobSource(ApiClient& api, const std::string& server_url, int batch, const fs::path& cache_dir,
                                   const std::string& why, WorkLog& log)
    : api_(api),
      batch_(batch),
      failed_file_(cache_dir / ("failed-" + std::to_string(std::hash<std::string>{}(server_url)) + ".json")) {
  log.note("warning: " + api_.server_url() + why +
           ": compatibility mode, listing missing thumbnails and uploading. Several workers on this server will "
           "duplicate work.");
  load_failed_list();
}

// Pages past the assets this worker gave up on (its failed list) to the first ones it has not tried.
std::optional<Batch> ListingJobSource::next_batch() {
  Batch tasks;
  int limit = std::clamp(batch_, 1, 100);
  auto now = Clock::now();
  for (std::int64_t offset = 0;;) {
    MissingPage page = api_.list_missing(limit, offset);
    for (AssetInfo& asset : page.assets) {
      if (failed_list_.contains(asset.id)) continue;
      if (auto it = retry_after_.find(asset.id); it != retry_after_.end() && now < it->second) continue;
      auto task = std::make_unique<Task>();
      task->asset = std::move(asset);
      tasks.push_back(std::move(task));
    }
    if (!tasks.empty() || !page.has_more || page.assets.empty()) return tasks;
    offset += static_cast<std::int64_t>(page.assets.size());
  }
}

std::string ListingJobSource::deliver(const Task& task, const std::vector<std::uint8_t>& thumbnail) {
  return api_.upload_thumbnail(task.asset.id, thumbnail);
}

void ListingJobSource::report_failure(const Task& task, const std::string& reason, bool retryable) {
  if (retryable) {
    retry_after_[task.asset.id] = Clock::now() + std::chrono::minutes(5);
  } else {
    failed_list_[task.asset.id] = {{"reason", reason}, {"url", task.asset.url}, {"at", local_timestamp()}};
    save_failed_list();
  }
  api_.report_failure(task.asset.id, reason);  // the original gallery has no such endpoint: 404 is fine
}

void ListingJobSource::load_failed_list() {
  std::ifstream in(failed_file_);
  if (!in) return;
  auto json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_object()) failed_list_ = std::move(json);
}

void ListingJobSource::save_failed_list() {
  fs::path temp = failed_file_;
  temp += ".tmp";
  std::ofstream(temp) << failed_list_.dump(1);
  std::error_code error;
  fs::rename(temp, failed_file_, error);
}

}  // namespace thumbgen::worker
