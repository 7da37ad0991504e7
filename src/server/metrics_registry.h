// The server's counters for GET /metrics: one small registry of atomics, written on the request path without any
// lock, read at scrape time. Label sets are fixed or bounded (a route is the router's pattern, never a raw path).
// Hand-written rather than Debian's prometheus-cpp 1.0.1: its labelled counters take a per-family mutex on every
// lookup (the request path), and its exposer brings a second HTTP server (civetweb) next to ours; the text format
// itself is a few lines (util/metrics_text.cpp, shared with `thumbgen work --metrics-listen`).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/metrics_text.h"

namespace thumbgen::server {

// The exposition format's pieces live in src/util (the worker writes the same format).
using util::append_family_header;
using util::append_sample;
using util::escape_label_value;
using util::kMetricsContentType;

// Upload validation outcomes (by the validator's HTTP status) and job failure classes.
enum class UploadOutcome { Accepted, BadBase64, TooLarge, UnsupportedType, Corrupt, Other, Count };
enum class FailureClass { Retryable, Permanent, Released, Count };

class ServerMetrics {
 public:
  // Routes are the router's patterns, fixed before serving; anything else is counted as "unmatched".
  explicit ServerMetrics(const std::vector<std::string>& routes);

  void record_request(std::string_view route, std::string_view method, int status, double seconds);
  void count_claims(std::uint64_t jobs) { claims_.fetch_add(jobs, std::memory_order_relaxed); }
  void count_completion() { completions_.fetch_add(1, std::memory_order_relaxed); }
  void count_failure(FailureClass kind) { failures_[static_cast<int>(kind)].fetch_add(1, std::memory_order_relaxed); }
  void count_fencing_refusal() { fencing_refusals_.fetch_add(1, std::memory_order_relaxed); }
  void count_upload(UploadOutcome outcome) {
    uploads_[static_cast<int>(outcome)].fetch_add(1, std::memory_order_relaxed);
  }
  static UploadOutcome upload_outcome_of_status(int http_status);
  // A render time a worker reported with its completed job (the completion's optional "render_seconds").
  void observe_render_time(double seconds) { render_seconds_.observe(seconds); }

  // The counters' families in the text exposition format 0.0.4 (appended to `out`).
  void render(std::string& out) const;

  static constexpr std::array<double, 11> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  // Render times: a small model renders in well under a second on a GPU, a large one on llvmpipe in a minute.
  static constexpr std::array<double, 11> kRenderBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

 private:
  // One route's series. (method, status) pairs take a slot each the first time they are seen (compare-and-swap);
  // a route never sees more than a few, and any past the slots are counted under method="other", status="other".
  struct RouteSeries {
    struct Slot {
      std::atomic<std::uint32_t> key{0};  // method index << 16 | status; 0 = free
      std::atomic<std::uint64_t> count{0};
    };
    std::string route;
    std::array<Slot, 48> slots;
    std::atomic<std::uint64_t> overflow{0};
    util::Histogram duration{kBuckets};
  };
  RouteSeries& series_of(std::string_view route);

  std::vector<std::unique_ptr<RouteSeries>> series_;
  std::unordered_map<std::string_view, RouteSeries*> by_route_;  // read-only once built
  RouteSeries* unmatched_ = nullptr;
  std::atomic<std::uint64_t> claims_{0}, completions_{0}, fencing_refusals_{0};
  std::array<std::atomic<std::uint64_t>, static_cast<int>(FailureClass::Count)> failures_{};
  std::array<std::atomic<std::uint64_t>, static_cast<int>(UploadOutcome::Count)> uploads_{};
  util::Histogram render_seconds_{kRenderBuckets};
};

}  // namespace thumbgen::server
