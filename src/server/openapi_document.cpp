#include "server/openapi_document.h"

#include <memory>
#include <nlohmann/json.hpp>

// Generated from src/server/openapi.json by cmake/embed_file.cmake.
extern const unsigned char kOpenApiJson[];
extern const std::size_t kOpenApiJson_size;

namespace thumbgen::server {

std::string_view openapi_document_text() { return {reinterpret_cast<const char*>(kOpenApiJson), kOpenApiJson_size}; }

void add_openapi_route(Router& router, const std::string& public_url) {
  // Made once: the document only changes with the binary, the public URL only with a restart.
  nlohmann::json document = nlohmann::json::parse(openapi_document_text());
  document["servers"] = nlohmann::json::array({{{"url", public_url}, {"description", "This server."}}});
  auto body = std::make_shared<const std::string>(document.dump());
  router.add(http::verb::get, "/api/v1/openapi.json", {}, [body](ApiRequest&) {
    ApiResponse response;
    response.body = *body;
    response.headers.emplace_back("Cache-Control", "public, max-age=3600");
    return response;
  });
}

}  // namespace thumbgen::server
