#include "worker/worker_metrics.h"

namespace thumbgen::worker {
namespace {

constexpr std::array<std::string_view, static_cast<int>(FailureKind::Count)> kFailureNames = {
    "download", "load", "crash", "timeout", "out_of_memory", "skipped", "upload"};

}  // namespace

FailureKind render_failure_kind(std::string_view reason) {
  // The pool's own words (runner/render_process_pool.cpp); anything else came from the loader or renderer.
  if (reason.starts_with("timeout after")) return FailureKind::Timeout;
  if (reason.find("--max-memory") != std::string_view::npos || reason.find("out of memory") != std::string_view::npos)
    return FailureKind::OutOfMemory;
  if (reason.starts_with("crashed") || reason.starts_with("exited with status")) return FailureKind::Crash;
  return FailureKind::Load;
}

bool ends_render_process(FailureKind kind) {
  return kind == FailureKind::Crash || kind == FailureKind::Timeout || kind == FailureKind::OutOfMemory;
}

void WorkerMetrics::count_failure(FailureKind kind) {
  failures_[static_cast<int>(kind)].fetch_add(1, std::memory_order_relaxed);
  if (ends_render_process(kind)) restarts_.fetch_add(1, std::memory_order_relaxed);
}

std::string WorkerMetrics::text() const {
  using util::append_family_header;
  using util::append_sample;
  std::string out;
  append_family_header(out, "thumbgen_worker_renders_total", "counter", "Assets rendered to a thumbnail.");
  append_sample(out, "thumbgen_worker_renders_total", "", renders_.load(std::memory_order_relaxed));
  append_family_header(out, "thumbgen_worker_failures_total", "counter",
                       "Assets that failed, by reason: download, load, crash, timeout, out_of_memory, skipped, "
                       "upload.");
  for (std::size_t i = 0; i < kFailureNames.size(); ++i) {
    append_sample(out, "thumbgen_worker_failures_total", "reason=\"" + std::string(kFailureNames[i]) + "\"",
                  failures_[i].load(std::memory_order_relaxed));
  }
  append_family_header(out, "thumbgen_worker_render_duration_seconds", "histogram",
                       "Time from handing an asset to a render process to its thumbnail written.");
  render_seconds_.append_samples(out, "thumbgen_worker_render_duration_seconds", "");
  append_family_header(out, "thumbgen_worker_upload_duration_seconds", "histogram",
                       "Time to hand a thumbnail to the server (retries included).");
  upload_seconds_.append_samples(out, "thumbgen_worker_upload_duration_seconds", "");
  append_family_header(out, "thumbgen_worker_render_process_restarts_total", "counter",
                       "Render processes lost mid-render (crash, timeout, out of memory) and replaced.");
  append_sample(out, "thumbgen_worker_render_process_restarts_total", "", restarts_.load(std::memory_order_relaxed));
  return out;
}

}  // namespace thumbgen::worker
