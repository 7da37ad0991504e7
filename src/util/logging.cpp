#include "util/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <memory>

namespace thumbgen::util {
namespace {

std::atomic<LogFormat> g_format{LogFormat::Text};

// Structured events go through a logger of this name (sharing the default logger's sink): its payload is already
// the event's JSON members (json) or its rendered pairs (text).
constexpr std::string_view kEventLogger = "event";
std::shared_ptr<spdlog::logger> g_events;

constexpr auto kReplaceInvalid = nlohmann::ordered_json::error_handler_t::replace;

std::string json_text(const nlohmann::ordered_json& value) { return value.dump(-1, ' ', false, kReplaceInvalid); }

std::string json_string(std::string_view text) { return json_text(nlohmann::ordered_json(std::string(text))); }

// "2026-01-02T03:04:05.678Z"
std::string utc_time(std::chrono::system_clock::time_point time) {
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[40];
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &parts);
  return std::string(text, length) + "." + std::to_string(1000 + millis).substr(1) + "Z";
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& dest) override {
    const std::string_view payload(message.payload.data(), message.payload.size());
    const auto level = spdlog::level::to_string_view(message.level);
    std::string line =
        "{\"time\":\"" + utc_time(message.time) + "\",\"level\":\"" + std::string(level.data(), level.size()) + "\",";
    if (std::string_view(message.logger_name.data(), message.logger_name.size()) == kEventLogger) {
      line += payload;  // log_event's members, encoded there
    } else {
      line += "\"msg\":" + json_string(payload);
    }
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

bool plain_text(std::string_view text) {
  if (text.empty()) return false;
  for (unsigned char c : text) {
    if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\') return false;
  }
  return true;
}

}  // namespace

std::optional<LogFormat> parse_log_format(std::string_view name) {
  if (name == "text") return LogFormat::Text;
  if (name == "json") return LogFormat::Json;
  return std::nullopt;
}

void configure_logging(LogFormat format) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  if (format == LogFormat::Json) {
    sink->set_color_mode(spdlog::color_mode::never);
    sink->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    sink->set_formatter(std::make_unique<spdlog::pattern_formatter>("[%Y-%m-%d %H:%M:%S.%e] [%^%l%$] %v"));
  }
  auto logger = std::make_shared<spdlog::logger>("", sink);
  g_events = std::make_shared<spdlog::logger>(std::string(kEventLogger), sink);
  g_format = format;
  spdlog::set_default_logger(std::move(logger));
}

LogFormat log_format() { return g_format.load(); }

std::string text_field_value(const nlohmann::ordered_json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    return plain_text(text) ? text : json_text(value);
  }
  const std::string dumped = json_text(value);
  return plain_text(dumped) ? dumped : json_string(dumped);
}

bool logs_at(spdlog::level::level_enum level) { return spdlog::default_logger_raw()->should_log(level); }

void log_event(spdlog::level::level_enum level, std::string_view message, const LogFields& fields) {
  if (!logs_at(level)) return;
  std::string line;
  if (g_format.load() == LogFormat::Json) {
    line = "\"msg\":" + json_string(message);
    for (const auto& [key, value] : fields.items()) line += "," + json_string(key) + ":" + json_text(value);
  } else {
    line = message;
    for (const auto& [key, value] : fields.items()) line += " " + key + "=" + text_field_value(value);
  }
  // Before configure_logging (a test calling in directly): the default logger, whose formatter takes it as text.
  spdlog::logger& events = g_events ? *g_events : *spdlog::default_logger_raw();
  events.log(level, "{}", line);
}

}  // namespace thumbgen::util
