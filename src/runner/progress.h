// What a `render` or `work` run tells the user: a progress bar on a terminal, one line per model otherwise, one
// JSON object per model with --json, and a summary at the end.
#pragma once

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "render/view.h"

namespace thumbgen::runner {

enum class AssetStatus { Ok, Failed, Skipped };

struct AssetRecord {
  std::string file;  // the model's name as shown (relative to the folder given)
  AssetStatus status = AssetStatus::Ok;
  double ms = 0;
  std::string reason;  // failed / skipped: why
  std::string output;  // ok / skipped: the thumbnail
  std::vector<std::string> warnings;
  std::optional<render::AbsoluteCamera> camera = std::nullopt;  // ok: the camera it was rendered with
  std::string camera_source = {};
};

struct Summary {
  std::size_t done = 0, failed = 0, skipped = 0, not_started = 0;
  double wall_seconds = 0;
  bool interrupted = false;
  double rate() const { return wall_seconds > 0 ? static_cast<double>(done) / wall_seconds : 0; }  // thumbnails/s
};

class Progress {
 public:
  // `terminal`: draw an updating bar on `log` instead of one line per model. `json`: records go to `out`.
  Progress(std::size_t total, bool terminal, bool json, std::FILE* out = stdout, std::FILE* log = stderr);
  void record(const AssetRecord& record);
  void note(const std::string& line);  // a line for the user on `log` (keeps the bar intact)
  // Prints the summary (human form on `log`, and a final {"summary": ...} object on `out` with --json).
  Summary finish(std::size_t not_started, bool interrupted);

 private:
  void draw_bar();
  void clear_bar();

  std::size_t total_;
  bool terminal_, json_;
  std::FILE* out_;
  std::FILE* log_;
  Summary summary_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

std::string to_json_line(const AssetRecord& record);
std::string summary_line(const Summary& summary);

}  // namespace thumbgen::runner
