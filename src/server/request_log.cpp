#include "server/request_log.h"

#include <cmath>

#include "util/logging.h"
#include "util/request_id.h"

namespace thumbgen::server {
namespace {

// The value of the only `name` field of the request, when it is a safe token.
std::string single_safe_token(const HttpRequest& header, std::string_view name) {
  auto [first, last] = header.equal_range(boost::beast::string_view(name.data(), name.size()));
  if (first == last || std::next(first) != last) return {};
  std::string_view value(first->value().data(), first->value().size());
  return util::is_safe_request_id(value) ? std::string(value) : std::string();
}

}  // namespace

void log_request(const RequestLogLine& line) {
  if (!util::logs_at(spdlog::level::info)) return;
  util::LogFields fields;
  fields["method"] = line.method;
  fields["route"] = line.route.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(line.route);
  // The path right before the status: the text form "path=... status=..." is what scripts grep for.
  fields["path"] = line.path;
  fields["status"] = line.status;
  fields["bytes"] = line.bytes;
  fields["ms"] = std::round(line.ms * 10) / 10;
  fields["client"] = line.client;
  fields["user"] = line.user.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(line.user);
  fields["request_id"] = line.request_id;
  if (!line.correlation_id.empty()) fields["correlation_id"] = line.correlation_id;
  if (!line.write_error.empty()) fields["write_error"] = line.write_error;
  util::log_event(spdlog::level::info, "request", fields);
}

std::string request_id_for(const HttpRequest& header, bool from_trusted_proxy) {
  if (from_trusted_proxy) {
    if (std::string given = single_safe_token(header, util::kRequestIdHeader); !given.empty()) return given;
  }
  return util::new_request_id();
}

std::string correlation_id_of(const HttpRequest& header) {
  return single_safe_token(header, util::kCorrelationIdHeader);
}

}  // namespace thumbgen::server
