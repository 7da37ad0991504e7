// How thumbgen's commands log (`--log-format text|json`, THUMBGEN_LOG_FORMAT): one line per message on stderr,
// either spdlog's usual text or one JSON object per line for log collectors. Structured events (a request, a job's
// step) carry fields: JSON keys in json, `key=value` pairs in text, quoted whenever a value could be mistaken for
// more pairs or another line. Every string goes through a JSON encoder: a newline, quote or invalid UTF-8 from a
// client never splits or forges a line.
#pragma once

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace thumbgen::util {

enum class LogFormat { Text, Json };

// "text" or "json"; nullopt otherwise.
std::optional<LogFormat> parse_log_format(std::string_view name);

// Replaces spdlog's default logger with one writing `format` to stderr (stdout stays the commands' own output,
// e.g. `work --json`). Call once, before any other thread logs.
void configure_logging(LogFormat format);
LogFormat log_format();

// A structured line's fields, in the order they are written.
using LogFields = nlohmann::ordered_json;

// json: {"time":"2026-01-02T03:04:05.678Z","level":"info","msg":message, ...fields}
// text: [time] [info] message key=value key="value with spaces" (null fields are written as key=-)
// Nothing is formatted below the level spdlog::set_level chose (the default logger's level decides).
void log_event(spdlog::level::level_enum level, std::string_view message, const LogFields& fields);
// Whether an event at `level` would be written: callers check it before they build the fields.
bool logs_at(spdlog::level::level_enum level);

// A field value as text mode writes it: as it is when it is printable ASCII without spaces, quotes or backslashes,
// else as a JSON string (quoted and escaped). Exposed for the tests.
std::string text_field_value(const nlohmann::ordered_json& value);

}  // namespace thumbgen::util
