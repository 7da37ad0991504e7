// What `thumbgen work --metrics-listen` exposes (Prometheus text 0.0.4, util/metrics_text.h): renders, failures by
// reason (a fixed set: a reason's text never becomes a label), render and upload time, and render processes lost
// mid-render and replaced. Written lock-free from the worker's threads, read at scrape time.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/metrics_text.h"

namespace thumbgen::worker {

// Why an asset failed, as counted.
enum class FailureKind {
  Download,     // its files could not be fetched
  Load,         // the model could not be read or rendered (the render process said why)
  Crash,        // the render process died (a signal, an exit)
  Timeout,      // the render took longer than --timeout
  OutOfMemory,  // the render process ran out of --max-memory
  Skipped,      // skipped by an operator or admin
  Upload,       // the server refused the thumbnail, or could not be reached to take it
  Count
};

// A failed render's kind from the render process pool's reason ("crashed (signal 11 SIGSEGV)", "timeout after
// 30 s", "... under --max-memory 2 GiB", or the loader's own message).
FailureKind render_failure_kind(std::string_view reason);
// Render processes the pool replaces after this kind of failure.
bool ends_render_process(FailureKind kind);

class WorkerMetrics {
 public:
  void count_render(double seconds) {
    renders_.fetch_add(1, std::memory_order_relaxed);
    render_seconds_.observe(seconds);
  }
  void observe_upload(double seconds) { upload_seconds_.observe(seconds); }
  void count_failure(FailureKind kind);

  std::string text() const;

  // Renders take up to minutes on llvmpipe; uploads of a thumbnail are small.
  static constexpr std::array<double, 11> kRenderBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
  static constexpr std::array<double, 10> kUploadBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

 private:
  std::atomic<std::uint64_t> renders_{0}, restarts_{0};
  std::array<std::atomic<std::uint64_t>, static_cast<int>(FailureKind::Count)> failures_{};
  util::Histogram render_seconds_{kRenderBuckets};
  util::Histogram upload_seconds_{kUploadBuckets};
};

}  // namespace thumbgen::worker
