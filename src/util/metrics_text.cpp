#include "util/metrics_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace thumbgen::util {

std::string escape_label_value(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"') {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

void append_family_header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

namespace {

void append_name(std::string& out, std::string_view name, std::string_view labels) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
}

}  // namespace

void append_sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  append_name(out, name, labels);
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char text[64];
    auto [end, error] = std::to_chars(text, text + sizeof text, value);
    out.append(text, error == std::errc() ? end : text);
  }
  out += '\n';
}

void append_sample(std::string& out, std::string_view name, std::string_view labels, std::uint64_t value) {
  append_name(out, name, labels);
  out += std::to_string(value);
  out += '\n';
}

Histogram::Histogram(std::span<const double> upper_bounds)
    : bounds_(upper_bounds.begin(), upper_bounds.end()), buckets_(upper_bounds.size() + 1) {}

void Histogram::observe(double seconds) {
  std::size_t bucket = 0;
  while (bucket < bounds_.size() && seconds > bounds_[bucket]) ++bucket;
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  // NaN and negative values count as 0 s (clamp would pass NaN through).
  const double clean = seconds > 0 ? std::min(seconds, 1e9) : 0.0;
  sum_nanos_.fetch_add(static_cast<std::uint64_t>(clean * 1e9), std::memory_order_relaxed);
}

void Histogram::append_samples(std::string& out, std::string_view name, std::string_view labels) const {
  const std::string prefix = labels.empty() ? std::string() : std::string(labels) + ",";
  const std::string bucket_name = std::string(name) + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    std::string le = "+Inf";
    if (i < bounds_.size()) {
      std::string number;
      append_sample(number, "", "", bounds_[i]);  // the same number formatting as samples: " 0.25\n"
      le = number.substr(1, number.size() - 2);
    }
    append_sample(out, bucket_name, prefix + "le=\"" + le + "\"", cumulative);
  }
  append_sample(out, std::string(name) + "_sum", labels,
                static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9);
  // _count is the +Inf bucket: both from the same loads, so a scrape never shows them disagreeing.
  append_sample(out, std::string(name) + "_count", labels, cumulative);
}

}  // namespace thumbgen::util
