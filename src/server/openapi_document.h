// The OpenAPI 3.1 document of every route `thumbgen serve` answers (src/server/openapi.json, embedded at build time)
// and GET /api/v1/openapi.json, which serves it.
#pragma once

#include <string>
#include <string_view>

#include "server/http_router.h"

namespace thumbgen::server {

// The document as the repository holds it (pretty-printed JSON).
std::string_view openapi_document_text();

// Adds GET /api/v1/openapi.json: public, cacheable, compact JSON whose `servers` names `public_url`.
void add_openapi_route(Router& router, const std::string& public_url);

}  // namespace thumbgen::server
