// A strict reader of the Prometheus text exposition format 0.0.4 for the metrics tests: every line is a HELP or
// TYPE line or a sample `name{label="value",...} number`; a family's HELP and TYPE come before its samples, its
// samples are together, and no family is declared twice. Throws std::runtime_error naming the line otherwise.
#pragma once

#include <map>
#include <string>

namespace thumbgen::test {

struct PrometheusText {
  std::map<std::string, std::string> types;  // family name → counter | gauge | histogram | ...
  // Every sample by its series, written back canonically: name{a="x",b="y"} (labels in the order given).
  std::map<std::string, double> samples;
  // The series' value; throws std::out_of_range naming it when it was not exported, so that no check (of a zero
  // least of all) passes for a metric that is missing.
  double value(const std::string& series) const;
  bool has(const std::string& series) const { return samples.count(series) > 0; }
};

PrometheusText parse_prometheus_text(const std::string& text);

}  // namespace thumbgen::test
