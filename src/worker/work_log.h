// What `thumbgen work` tells the user, from several threads (main loop, watcher, network queue, API retries)
// taking turns: notes (timestamped when stderr is not a terminal) and one record per asset, through
// runner::Progress.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>

#include "runner/progress.h"
#include "util/logging.h"

namespace thumbgen::worker {

struct Task;

// With --log-format json every line on stderr is a JSON object (notes, job events, the summary; no progress bar).
// With text the per-asset lines tell how each asset ended; of the job events only those marked for text are written
// (as notes), and only when stderr is not a terminal (a log file): a claim's line ties job, asset and correlation id.
class WorkLog {
 public:
  explicit WorkLog(bool json);  // json: --json, records on stdout
  ~WorkLog();
  // Starts counting towards `total` assets (the progress bar's end).
  void start(std::size_t total);
  void note(const std::string& line);
  void record(const runner::AssetRecord& record);
  // A step of one job or asset ("job claimed", "job completed", ...) with its ids.
  enum class Text { Omit, Write };
  void event(std::string_view message, const util::LogFields& fields, Text text = Text::Omit);
  // The summary; the run ends with no asset left unstarted (the server keeps them).
  void finish(bool interrupted);

 private:
  std::mutex mutex_;
  bool json_;
  bool structured_;             // --log-format json
  std::FILE* quiet_ = nullptr;  // structured: where Progress's human lines go (/dev/null)
  runner::Progress progress_;
};

bool stderr_is_terminal();
// "2024-05-01 13:45:07", local time.
std::string local_timestamp();

// A task's ids for its log lines: job (null in compatibility mode), asset, asset_url, correlation_id.
util::LogFields job_fields(const Task& task);

}  // namespace thumbgen::worker
