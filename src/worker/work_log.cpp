#include "worker/work_log.h"

#include <unistd.h>

#include <ctime>

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

WorkLog::WorkLog(bool json) : json_(json), progress_(0, stderr_is_terminal(), json) {}

void WorkLog::start(std::size_t total) {
  std::lock_guard lock(mutex_);
  progress_ = runner::Progress(total, stderr_is_terminal(), json_);
}

void WorkLog::note(const std::string& line) {
  std::lock_guard lock(mutex_);
  progress_.note(stderr_is_terminal() ? line : local_timestamp() + " " + line);
}

void WorkLog::record(const runner::AssetRecord& record) {
  std::lock_guard lock(mutex_);
  progress_.record(record);
}

void WorkLog::finish(bool interrupted) {
  std::lock_guard lock(mutex_);
  progress_.finish(0, interrupted);
}

}  // namespace thumbgen::worker
