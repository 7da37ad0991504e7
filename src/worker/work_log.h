// What `thumbgen work` tells the user, from several threads (main loop, watcher, network queue, API retries)
// taking turns: notes (timestamped when stderr is not a terminal) and one record per asset, through
// runner::Progress.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>

#include "runner/progress.h"

namespace thumbgen::worker {

class WorkLog {
 public:
  explicit WorkLog(bool json);
  // Starts counting towards `total` assets (the progress bar's end).
  void start(std::size_t total);
  void note(const std::string& line);
  void record(const runner::AssetRecord& record);
  // The summary; the run ends with no asset left unstarted (the server keeps them).
  void finish(bool interrupted);

 private:
  std::mutex mutex_;
  bool json_;
  runner::Progress progress_;
};

bool stderr_is_terminal();
// "2024-05-01 13:45:07", local time.
std::string local_timestamp();

}  // namespace thumbgen::worker
