// The server's line per request (one structured log event, util/logging.h) and the ids it carries: the request id
// (X-Request-Id, returned on every response) and the worker's correlation id (X-Correlation-Id).
//
// An incoming X-Request-Id is honoured only from THUMBGEN_TRUSTED_PROXIES and only as a safe token (1-64 of
// [A-Za-z0-9._-]): a proxy that stamps its own id (nginx's $request_id) then ties its access log to ours; from
// anyone else an id is a way to make one's requests look like someone else's in the logs, so a new one is made.
// An X-Correlation-Id is the client's own word and is logged as such (its own field, never as the request id),
// only when it is a safe token; otherwise it is dropped, never echoed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "server/http_router.h"

namespace thumbgen::server {

struct RequestLogLine {
  std::string_view method, route, path;  // route: the router's pattern ("" when none answered)
  int status = 0;
  std::uint64_t bytes = 0;  // the response body's length (0 for HEAD)
  double ms = 0;            // from the request's first byte to the response written
  std::string_view client, user, request_id, correlation_id, write_error;
};

void log_request(const RequestLogLine& line);

// The id a request is answered and logged under: the one a trusted proxy sent (exactly one X-Request-Id field, a
// safe token), else a new one.
std::string request_id_for(const HttpRequest& header, bool from_trusted_proxy);
// The request's X-Correlation-Id when it is exactly one safe token; "" otherwise.
std::string correlation_id_of(const HttpRequest& header);

}  // namespace thumbgen::server
