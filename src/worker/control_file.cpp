#include "worker/control_file.h"

#include <cctype>
#include <fstream>

#include "util/ascii.h"
#include "worker/work_signals.h"

namespace thumbgen::worker {

ControlFile::ControlFile(std::filesystem::path file, std::mutex& tasks_mutex, WorkLog& log)
    : file_(std::move(file)), tasks_mutex_(tasks_mutex), log_(log) {}

void ControlFile::check(const std::vector<Task*>& tasks) {
  if (file_.empty()) return;
  std::lock_guard read_lock(read_mutex_);
  std::ifstream in(file_);
  std::string text;
  in >> text;
  const std::string word = util::to_lower_ascii(text);
  if (word == "pause" && !work_paused()) {
    pause_work();
  } else if (word == "resume" && work_paused()) {
    resume_work();
  } else if (word == "stop" && !stop_) {
    stop_ = true;
    stop_running_pool();
  } else if (word == "skip") {
    // Marked first, then consumed, so whoever sees the file emptied knows the marks are set. The marked renders
    // are discarded when they end.
    std::vector<std::string> skipped;
    {
      std::lock_guard lock(tasks_mutex_);
      for (Task* task : tasks) {
        if (!task->rendering || task->finished || !task->skip_reason.empty()) continue;
        task->skip_reason = "skipped by operator";
        skipped.push_back(task->asset.display());
      }
    }
    std::ofstream(file_, std::ios::trunc);
    if (skipped.empty()) log_.note("control file: skip, but no asset is being rendered");
    for (const std::string& name : skipped) log_.note("control file: skip " + name);
  }
}

}  // namespace thumbgen::worker
