#include "support/server_login.h"

#include <nlohmann/json.hpp>

namespace thumbgen::test {

HttpResult login(unsigned short port, const std::string& user, const std::string& password) {
  return http_request(port, "POST", "/api/v1/login/jwt",
                      nlohmann::json{{"username", user}, {"password", password}}.dump());
}

std::string login_token(unsigned short port, const std::string& user, const std::string& password) {
  const nlohmann::json body = login(port, user, password).json();
  return body.is_object() ? body.value("access_token", "") : "";
}

std::map<std::string, std::string> bearer(const std::string& token) {
  if (token.empty()) return {};
  return {{"Authorization", "Bearer " + token}};
}

}  // namespace thumbgen::test
