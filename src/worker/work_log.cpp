#include "worker/work_log.h"

#include <unistd.h>

#include <ctime>

#include "worker/task.h"

namespace thumbgen::worker {

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

std::string local_timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm parts{};
  localtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &parts);
  return text;
}

util::LogFields job_fields(const Task& task) {
  util::LogFields fields;
  fields["job"] = task.job ? nlohmann::ordered_json(task.job->job_id) : nlohmann::ordered_json(nullptr);
  fields["asset"] = task.asset.id;
  fields["asset_url"] = task.asset.url;
  if (task.job && !task.job->correlation_id.empty()) fields["correlation_id"] = task.job->correlation_id;
  return fields;
}

WorkLog::WorkLog(bool json)
    : json_(json),
      structured_(util::log_format() == util::LogFormat::Json),
      quiet_(structured_ ? std::fopen("/dev/null", "w") : nullptr),
      progress_(0, !structured_ && stderr_is_terminal(), json, stdout, quiet_ ? quiet_ : stderr) {}

WorkLog::~WorkLog() {
  if (quiet_) std::fclose(quiet_);
}

void WorkLog::start(std::size_t total) {
  std::lock_guard lock(mutex_);
  progress_ = runner::Progress(total, !structured_ && stderr_is_terminal(), json_, stdout, quiet_ ? quiet_ : stderr);
}

void WorkLog::note(const std::string& line) {
  std::lock_guard lock(mutex_);
  if (structured_) return util::log_event(spdlog::level::info, line, util::LogFields::object());
  progress_.note(stderr_is_terminal() ? line : local_timestamp() + " " + line);
}

void WorkLog::event(std::string_view message, const util::LogFields& fields, Text text) {
  std::lock_guard lock(mutex_);
  if (structured_) return util::log_event(spdlog::level::info, message, fields);
  if (text == Text::Omit || stderr_is_terminal()) return;  // the bar and the per-asset lines are the terminal's view
  std::string line = local_timestamp() + " " + std::string(message);
  for (const auto& [key, value] : fields.items()) line += " " + key + "=" + util::text_field_value(value);
  progress_.note(line);
}

void WorkLog::record(const runner::AssetRecord& record) {
  std::lock_guard lock(mutex_);
  progress_.record(record);
}

void WorkLog::finish(bool interrupted) {
  std::lock_guard lock(mutex_);
  runner::Summary summary = progress_.finish(0, interrupted);
  if (!structured_) return;
  util::log_event(spdlog::level::info, "work finished",
                  {{"done", summary.done},
                   {"failed", summary.failed},
                   {"skipped", summary.skipped},
                   {"seconds", summary.wall_seconds},
                   {"interrupted", summary.interrupted}});
}

}  // namespace thumbgen::worker
