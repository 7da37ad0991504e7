// The Prometheus text exposition format 0.0.4, the pieces both metrics endpoints write (`serve`'s /metrics and
// `work --metrics-listen`): one home for the escaping and number rules, and the histogram every duration uses.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace thumbgen::util {

// A label value with backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);
// "# HELP name text\n# TYPE name type\n" (HELP text escapes backslash and newline).
void append_family_header(std::string& out, std::string_view name, std::string_view type, std::string_view help);
// "name{labels} value\n"; `labels` is already rendered ("a=\"x\",b=\"y\""), empty for none.
void append_sample(std::string& out, std::string_view name, std::string_view labels, double value);
void append_sample(std::string& out, std::string_view name, std::string_view labels, std::uint64_t value);

inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// A histogram of seconds with fixed upper bounds, written lock-free from any thread, read at scrape time.
class Histogram {
 public:
  explicit Histogram(std::span<const double> upper_bounds);  // ascending; +Inf is added
  void observe(double seconds);
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  // The _bucket (cumulative, le="..."), _sum and _count samples of `name` (the family header is the caller's);
  // `labels` are added before le ("" for none).
  void append_samples(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  std::vector<double> bounds_;
  std::vector<std::atomic<std::uint64_t>> buckets_;  // per bucket (not cumulative), +Inf last
  std::atomic<std::uint64_t> count_{0}, sum_nanos_{0};
};

}  // namespace thumbgen::util
