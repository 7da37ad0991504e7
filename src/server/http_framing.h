// Request framing the server accepts beyond what Beast checks (RFC 9112 §6): a body is framed by Content-Length or
// by exactly "Transfer-Encoding: chunked". Beast alone reads "gzip, chunked" as plain chunked (a coded body taken
// as text) and a lone "gzip" as no body at all (the body then parsed as the next request: request smuggling).
#pragma once

#include <optional>
#include <string_view>

#include "server/http_router.h"

namespace thumbgen::server {

// Why the request's framing is refused (answered 400, connection closed), or nullopt when it is acceptable:
// more than one Transfer-Encoding field, a value other than "chunked" (any case), or chunked in HTTP/1.0.
std::optional<std::string_view> framing_problem(const HttpRequest& header);

}  // namespace thumbgen::server
