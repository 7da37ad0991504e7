// Request ids: what ties one request's log lines on both sides (the server's X-Request-Id) and one job's requests
// across machines (the worker's X-Correlation-Id). A client-supplied id is only ever used when it is a short safe
// token: it ends up in log lines and response headers, where a newline, quote or megabyte of text must not go.
#pragma once

#include <string>
#include <string_view>

namespace thumbgen::util {

inline constexpr std::size_t kMaxRequestIdLength = 64;  // a UUID (36), nginx's $request_id (32 hex) and room

// 1 to 64 characters of [A-Za-z0-9._-].
bool is_safe_request_id(std::string_view id);

// 16 random hex digits (64 bits: unique enough to grep for among a server's lifetime of requests).
std::string new_request_id();

}  // namespace thumbgen::util

namespace thumbgen::util {

// The server's id of a request, in every response; a trusted proxy may set it on the request (request_log.h).
inline constexpr const char* kRequestIdHeader = "X-Request-Id";
// Sent by `thumbgen work` with each request about a job ("<claim's request id>.<job id>"), logged by the server.
inline constexpr const char* kCorrelationIdHeader = "X-Correlation-Id";

}  // namespace thumbgen::util
