#include "support/prometheus_text.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>
#include <stdexcept>

namespace thumbgen::test {

namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }
bool is_name_char(char c) { return is_name_start(c) || std::isdigit(static_cast<unsigned char>(c)); }

std::size_t read_name(const std::string& line, std::size_t at) {
  if (at >= line.size() || !is_name_start(line[at])) return std::string::npos;
  while (at < line.size() && is_name_char(line[at])) ++at;
  return at;
}

// The family a sample belongs to: histogram and summary samples carry a suffix.
std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  if (types.count(name)) return name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      std::string base = name.substr(0, name.size() - s.size());
      auto found = types.find(base);
      if (found != types.end() && (found->second == "histogram" || found->second == "summary")) return base;
    }
  }
  return name;
}

double parse_value(const std::string& text, const std::string& line) {
  if (text == "+Inf") return INFINITY;
  if (text == "-Inf") return -INFINITY;
  if (text == "NaN") return NAN;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) throw std::runtime_error("bad value in: " + line);
  return value;
}

}  // namespace

double PrometheusText::value(const std::string& series) const {
  auto found = samples.find(series);
  if (found == samples.end()) throw std::out_of_range("no series " + series + " in the scrape");
  return found->second;
}

PrometheusText parse_prometheus_text(const std::string& text) {
  PrometheusText parsed;
  std::set<std::string> helped, finished;
  std::string current;  // the family whose samples are being read
  std::istringstream lines(text);
  std::string line;
  if (!text.empty() && text.back() != '\n') throw std::runtime_error("the text does not end with a newline");
  while (std::getline(lines, line)) {
    if (line.empty()) throw std::runtime_error("empty line");
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      bool is_type = line[2] == 'T';
      std::size_t end = read_name(line, 7);
      if (end == std::string::npos || end >= line.size() || line[end] != ' ')
        throw std::runtime_error("bad comment line: " + line);
      std::string name = line.substr(7, end - 7);
      if (name != current) {
        if (!current.empty()) finished.insert(current);
        if (finished.count(name)) throw std::runtime_error("family declared again: " + line);
        current = name;
      }
      if (is_type) {
        std::string type = line.substr(end + 1);
        static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary", "untyped"};
        if (!kTypes.count(type)) throw std::runtime_error("unknown type: " + line);
        if (!helped.count(name)) throw std::runtime_error("TYPE before HELP: " + line);
        if (parsed.types.count(name)) throw std::runtime_error("TYPE twice: " + line);
        parsed.types[name] = type;
      } else {
        if (helped.count(name)) throw std::runtime_error("HELP twice: " + line);
        helped.insert(name);
      }
      continue;
    }
    if (line.front() == '#') throw std::runtime_error("unexpected comment: " + line);
    std::size_t at = read_name(line, 0);
    if (at == std::string::npos) throw std::runtime_error("bad metric name: " + line);
    std::string name = line.substr(0, at);
    std::string series = name;
    if (at < line.size() && line[at] == '{') {
      series += '{';
      ++at;
      bool first = true;
      while (at < line.size() && line[at] != '}') {
        std::size_t label_end = read_name(line, at);
        if (label_end == std::string::npos || label_end + 1 >= line.size() || line[label_end] != '=' ||
            line[label_end + 1] != '"') {
          throw std::runtime_error("bad label: " + line);
        }
        if (!first) series += ',';
        first = false;
        series += line.substr(at, label_end - at) + "=\"";
        at = label_end + 2;
        while (at < line.size() && line[at] != '"') {
          if (line[at] == '\\') {
            if (at + 1 >= line.size() || (line[at + 1] != '\\' && line[at + 1] != '"' && line[at + 1] != 'n'))
              throw std::runtime_error("bad escape in label value: " + line);
            series += line.substr(at, 2);
            at += 2;
          } else {
            series += line[at++];
          }
        }
        if (at >= line.size()) throw std::runtime_error("unterminated label value: " + line);
        series += '"';
        ++at;
        if (at < line.size() && line[at] == ',') ++at;
      }
      if (at >= line.size()) throw std::runtime_error("unterminated label set: " + line);
      series += '}';
      ++at;
    }
    if (at >= line.size() || line[at] != ' ') throw std::runtime_error("no value: " + line);
    std::string value_text = line.substr(at + 1);
    if (auto space = value_text.find(' '); space != std::string::npos) value_text.resize(space);  // a timestamp
    std::string family = family_of(name, parsed.types);
    if (family != current || !parsed.types.count(family))
      throw std::runtime_error("sample outside its family's HELP/TYPE block: " + line);
    if (parsed.samples.count(series)) throw std::runtime_error("series twice: " + line);
    parsed.samples[series] = parse_value(value_text, line);
  }
  return parsed;
}

}  // namespace thumbgen::test
