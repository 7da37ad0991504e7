#include "runner/progress.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "render/render_settings.h"

namespace thumbgen::runner {
namespace {

const char* status_name(AssetStatus status) {
  switch (status) {
    case AssetStatus::Ok:
      return "ok";
    case AssetStatus::Failed:
      return "failed";
    case AssetStatus::Skipped:
      return "skipped";
  }
  return "?";
}

std::string format(const char* pattern, auto... values) {
  char text[512];
  std::snprintf(text, sizeof text, pattern, values...);
  return text;
}

std::string clock_time(double seconds) {
  auto s = static_cast<long>(std::lround(seconds));
  return s >= 3600 ? format("%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60) : format("%ld:%02ld", s / 60, s % 60);
}

}  // namespace

std::string to_json_line(const AssetRecord& record) {
  nlohmann::ordered_json object = {
      {"file", record.file}, {"status", status_name(record.status)}, {"ms", std::round(record.ms * 10) / 10}};
  if (!record.reason.empty()) object["reason"] = record.reason;
  if (!record.output.empty()) object["output"] = record.output;
  if (!record.warnings.empty()) object["warnings"] = record.warnings;
  if (record.camera) {
    object["camera"] = render::camera_to_json(*record.camera);
    object["camera_source"] = record.camera_source;
  }
  return object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string summary_line(const Summary& summary) {
  std::size_t total = summary.done + summary.failed + summary.skipped + summary.not_started;
  std::string line = format("%zu model%s: %zu done, %zu failed, %zu skipped in %.1f s (%.1f thumbnails/s)", total,
                            total == 1 ? "" : "s", summary.done, summary.failed, summary.skipped, summary.wall_seconds,
                            summary.rate());
  if (summary.interrupted) line += format("; interrupted, %zu not started", summary.not_started);
  return line;
}

Progress::Progress(std::size_t total, bool terminal, bool json, std::FILE* out, std::FILE* log)
    : total_(total), terminal_(terminal), json_(json), out_(out), log_(log) {
  if (terminal_) draw_bar();
}

void Progress::record(const AssetRecord& record) {
  if (record.status == AssetStatus::Ok) ++summary_.done;
  if (record.status == AssetStatus::Failed) ++summary_.failed;
  if (record.status == AssetStatus::Skipped) ++summary_.skipped;
  if (json_) {
    std::fprintf(out_, "%s\n", to_json_line(record).c_str());
    std::fflush(out_);
  }
  std::string line;
  if (record.status == AssetStatus::Failed) line = "FAIL " + record.file + ": " + record.reason;
  if (!terminal_ && !json_) {
    if (record.status == AssetStatus::Ok) line = format("ok   %4.0f ms  %s", record.ms, record.file.c_str());
    if (record.status == AssetStatus::Skipped) line = "skip " + record.file + ": " + record.reason;
  }
  // Failures always reach the log (on a terminal above the bar); successes only without a bar or --json.
  if (!line.empty()) {
    note(line);
  } else if (terminal_) {
    draw_bar();
  }
}

void Progress::note(const std::string& line) {
  clear_bar();
  std::fprintf(log_, "%s\n", line.c_str());
  if (terminal_) draw_bar();
  std::fflush(log_);
}

void Progress::clear_bar() {
  if (terminal_) std::fputs("\r\x1b[K", log_);
}

void Progress::draw_bar() {
  constexpr int kWidth = 24;
  std::size_t finished = summary_.done + summary_.failed + summary_.skipped;
  std::size_t rendered = summary_.done + summary_.failed;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  int filled = total_ ? static_cast<int>(kWidth * finished / total_) : kWidth;
  std::string bar = "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "]";
  double rate = elapsed > 0 ? static_cast<double>(rendered) / elapsed : 0;
  std::string eta = rate > 0 ? clock_time(static_cast<double>(total_ - finished) / rate) : "-:--";
  std::fprintf(log_, "\r\x1b[K%s %zu/%zu  ok %zu  failed %zu  skipped %zu  %.1f/s  ETA %s", bar.c_str(), finished,
               total_, summary_.done, summary_.failed, summary_.skipped, rate, eta.c_str());
  std::fflush(log_);
}

Summary Progress::finish(std::size_t not_started, bool interrupted) {
  summary_.not_started = not_started;
  summary_.interrupted = interrupted;
  summary_.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  clear_bar();
  std::fprintf(log_, "%s\n", summary_line(summary_).c_str());
  std::fflush(log_);
  if (json_) {
    nlohmann::ordered_json summary = {{"done", summary_.done},
                                      {"failed", summary_.failed},
                                      {"skipped", summary_.skipped},
                                      {"not_started", summary_.not_started},
                                      {"interrupted", summary_.interrupted},
                                      {"wall_s", std::round(summary_.wall_seconds * 1000) / 1000},
                                      {"rate", std::round(summary_.rate() * 100) / 100}};
    std::fprintf(out_, "%s\n", nlohmann::ordered_json{{"summary", summary}}.dump().c_str());
    std::fflush(out_);
  }
  return summary_;
}

}  // namespace thumbgen::runner
