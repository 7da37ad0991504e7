// The OpenAPI document (src/server/openapi.json, embedded in the server) and the router agree: every route the
// server adds is documented under its method, and the document names no route the server lacks. A route added
// without documenting it fails here. (tests/openapi/ checks the document with a real OpenAPI validator and every
// route's answers against it on a running server.)
#include "server/openapi_document.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "support/in_process_api.h"

namespace thumbgen {
namespace {

// "GET /files/{}/{}": the router's "{name}" and "*" and the document's "{name}" read alike.
std::string route_key(std::string method, const std::string& pattern) {
  std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::toupper(c); });
  static const std::regex kCapture(R"(\{[^}/]*\}|\*)");
  return method + " " + std::regex_replace(pattern, kCapture, "{}");
}

std::set<std::string> router_routes() {
  test::InProcessApi server;
  std::set<std::string> keys;
  for (const auto& route : server.api().routes())
    keys.insert(route_key(std::string(to_string(route.method)), route.pattern));
  return keys;
}

std::set<std::string> documented_routes(const nlohmann::json& document) {
  static const std::set<std::string> kMethods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
  std::set<std::string> keys;
  for (const auto& [path, item] : document.at("paths").items()) {
    for (const auto& [method, operation] : item.items()) {
      if (kMethods.contains(method)) keys.insert(route_key(method, path));
    }
  }
  return keys;
}

std::string listed(const std::set<std::string>& keys) {
  std::string text;
  for (const std::string& key : keys) text += "\n  " + key;
  return text;
}

TEST(OpenApiDocument, IsOpenApi31Json) {
  nlohmann::json document = nlohmann::json::parse(server::openapi_document_text(), nullptr, false);
  ASSERT_FALSE(document.is_discarded()) << "src/server/openapi.json is not JSON";
  EXPECT_EQ(document.value("openapi", ""), "3.1.0");
  EXPECT_TRUE(document.contains("paths"));
}

TEST(OpenApiDocument, DocumentsEveryRouteOfTheRouterAndNoOther) {
  const std::set<std::string> routes = router_routes();
  const std::set<std::string> documented = documented_routes(nlohmann::json::parse(server::openapi_document_text()));
  ASSERT_GT(routes.size(), 20u);
  std::set<std::string> undocumented, unknown;
  std::set_difference(routes.begin(), routes.end(), documented.begin(), documented.end(),
                      std::inserter(undocumented, undocumented.end()));
  std::set_difference(documented.begin(), documented.end(), routes.begin(), routes.end(),
                      std::inserter(unknown, unknown.end()));
  EXPECT_TRUE(undocumented.empty()) << "routes missing from src/server/openapi.json:" << listed(undocumented);
  EXPECT_TRUE(unknown.empty()) << "routes in src/server/openapi.json the server does not have:" << listed(unknown);
}

// The check above must be able to fail: a route key ignores capture names but not literal segments or methods.
TEST(OpenApiDocument, RouteKeysTellRoutesApart) {
  EXPECT_EQ(route_key("get", "/files/{asset}/{path}"), route_key("GET", "/files/{asset}/*"));
  EXPECT_NE(route_key("get", "/admin/{path}"), route_key("GET", "/media/*"));
  EXPECT_NE(route_key("post", "/healthz"), route_key("GET", "/healthz"));
}

}  // namespace
}  // namespace thumbgen
