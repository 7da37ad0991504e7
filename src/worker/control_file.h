// `--control FILE`: an operator's commands to a running worker, one word in the file, read every 100 ms while a
// batch renders and every 200-250 ms while the worker waits (empty queue, pause, outside --schedule).
//   pause   as SIGUSR1: no new work, the running renders finish
//   resume  as SIGUSR2
//   stop    the running renders finish, the rest of the batch is handed back, the worker exits 0
//   skip    one-shot: the renders running right now (one per render process) are discarded and their assets
//           reported failed ("skipped by operator"); the file is then emptied
// Other words, and no file, change nothing. A pause holds while the file says so (a SIGUSR2 lasts until the next
// read); a stop is final.
#pragma once

#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "worker/task.h"
#include "worker/work_log.h"

namespace thumbgen::worker {

class ControlFile {
 public:
  // `file` empty: no control file. `tasks_mutex` guards Task::rendering and Task::skip_reason.
  ControlFile(std::filesystem::path file, std::mutex& tasks_mutex, WorkLog& log);

  // Reads the file and obeys it; `tasks` are the batch's (skip marks those rendering now). Thread-safe.
  void check(const std::vector<Task*>& tasks);
  bool stop_requested() const { return stop_.load(); }

 private:
  std::filesystem::path file_;
  std::mutex& tasks_mutex_;
  WorkLog& log_;
  std::mutex read_mutex_;  // one reader of the file at a time
  std::atomic<bool> stop_{false};
};

}  // namespace thumbgen::worker
