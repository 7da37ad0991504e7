#include "server/metrics_registry.h"

#include <algorithm>

namespace thumbgen::server {

namespace {

// Methods as label values: a fixed list (an unknown method is "other"), so a client cannot add series.
constexpr std::array<std::string_view, 8> kMethods = {"other", "GET",    "HEAD",    "POST",
                                                      "PUT",   "DELETE", "OPTIONS", "PATCH"};

std::uint32_t method_index(std::string_view method) {
  for (std::uint32_t i = 1; i < kMethods.size(); ++i) {
    if (kMethods[i] == method) return i;
  }
  return 0;
}

constexpr std::array<std::string_view, static_cast<int>(FailureClass::Count)> kFailureClasses = {
    "retryable", "permanent", "released"};
constexpr std::array<std::string_view, static_cast<int>(UploadOutcome::Count)> kUploadOutcomes = {
    "accepted", "bad_base64", "too_large", "unsupported_type", "corrupt", "other"};

constexpr std::string_view kUnmatched = "unmatched";

}  // namespace

ServerMetrics::ServerMetrics(const std::vector<std::string>& routes) {
  auto add = [this](std::string_view route) {
    if (by_route_.count(route)) return by_route_[route];
    auto series = std::make_unique<RouteSeries>();
    series->route = route;
    RouteSeries* raw = series.get();
    series_.push_back(std::move(series));
    by_route_.emplace(raw->route, raw);
    return raw;
  };
  for (const std::string& route : routes) add(route);
  unmatched_ = add(kUnmatched);
}

UploadOutcome ServerMetrics::upload_outcome_of_status(int http_status) {
  switch (http_status) {
    case 200:
      return UploadOutcome::Accepted;
    case 400:
      return UploadOutcome::BadBase64;
    case 413:
      return UploadOutcome::TooLarge;
    case 415:
      return UploadOutcome::UnsupportedType;
    case 422:
      return UploadOutcome::Corrupt;
    default:
      return UploadOutcome::Other;
  }
}

ServerMetrics::RouteSeries& ServerMetrics::series_of(std::string_view route) {
  auto found = by_route_.find(route);
  return found == by_route_.end() ? *unmatched_ : *found->second;
}

void ServerMetrics::record_request(std::string_view route, std::string_view method, int status, double seconds) {
  RouteSeries& series = series_of(route);
  const std::uint32_t key = method_index(method) << 16 | static_cast<std::uint32_t>(std::clamp(status, 1, 999));
  bool counted = false;
  for (auto& slot : series.slots) {
    std::uint32_t seen = slot.key.load(std::memory_order_acquire);
    if (seen == 0) {
      std::uint32_t expected = 0;
      if (slot.key.compare_exchange_strong(expected, key, std::memory_order_acq_rel)) {
        seen = key;
      } else {
        seen = expected;
      }
    }
    if (seen == key) {
      slot.count.fetch_add(1, std::memory_order_relaxed);
      counted = true;
      break;
    }
  }
  if (!counted) series.overflow.fetch_add(1, std::memory_order_relaxed);

  series.duration.observe(seconds);
}

void ServerMetrics::render(std::string& out) const {
  append_family_header(out, "thumbgen_http_requests_total", "counter",
                       "HTTP requests answered, by route pattern, method and status.");
  for (const auto& series : series_) {
    const std::string route = "route=\"" + escape_label_value(series->route) + "\"";
    for (const auto& slot : series->slots) {
      const std::uint32_t key = slot.key.load(std::memory_order_acquire);
      if (key == 0) break;
      const std::string labels = route + ",method=\"" + std::string(kMethods[key >> 16]) + "\",status=\"" +
                                 std::to_string(key & 0xffff) + "\"";
      append_sample(out, "thumbgen_http_requests_total", labels, slot.count.load(std::memory_order_relaxed));
    }
    if (auto overflow = series->overflow.load(std::memory_order_relaxed)) {
      append_sample(out, "thumbgen_http_requests_total", route + ",method=\"other\",status=\"other\"", overflow);
    }
  }

  append_family_header(out, "thumbgen_http_request_duration_seconds", "histogram",
                       "Time from the request's first byte to its response written, by route pattern.");
  for (const auto& series : series_) {
    if (series->duration.count() == 0) continue;
    series->duration.append_samples(out, "thumbgen_http_request_duration_seconds",
                                    "route=\"" + escape_label_value(series->route) + "\"");
  }

  append_family_header(out, "thumbgen_job_claims_total", "counter", "Jobs leased to workers.");
  append_sample(out, "thumbgen_job_claims_total", "", claims_.load(std::memory_order_relaxed));
  append_family_header(out, "thumbgen_job_completions_total", "counter", "Jobs completed with a stored thumbnail.");
  append_sample(out, "thumbgen_job_completions_total", "", completions_.load(std::memory_order_relaxed));
  append_family_header(out, "thumbgen_job_failures_total", "counter",
                       "Jobs given back by workers: retryable or permanent failures, or released untried.");
  for (std::size_t i = 0; i < kFailureClasses.size(); ++i) {
    append_sample(out, "thumbgen_job_failures_total", "reason=\"" + std::string(kFailureClasses[i]) + "\"",
                  failures_[i].load(std::memory_order_relaxed));
  }
  append_family_header(out, "thumbgen_fencing_refusals_total", "counter",
                       "Job requests refused for a stale fencing token (a lease that was lost or taken over).");
  append_sample(out, "thumbgen_fencing_refusals_total", "", fencing_refusals_.load(std::memory_order_relaxed));
  append_family_header(out, "thumbgen_upload_validations_total", "counter", "Thumbnail uploads by validation outcome.");
  for (std::size_t i = 0; i < kUploadOutcomes.size(); ++i) {
    append_sample(out, "thumbgen_upload_validations_total", "outcome=\"" + std::string(kUploadOutcomes[i]) + "\"",
                  uploads_[i].load(std::memory_order_relaxed));
  }
  append_family_header(out, "thumbgen_render_duration_seconds", "histogram",
                       "Render time of completed jobs, as the workers reported it with each completion.");
  render_seconds_.append_samples(out, "thumbgen_render_duration_seconds", "");
}

}  // namespace thumbgen::server
