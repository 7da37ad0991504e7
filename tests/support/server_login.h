// Logging in to a test server over HTTP (POST /api/v1/login/jwt) and the bearer header the API tests send.
#pragma once

#include <map>
#include <string>

#include "support/http_client.h"

namespace thumbgen::test {

HttpResult login(unsigned short port, const std::string& user, const std::string& password);
// The access token of that login; "" when it failed.
std::string login_token(unsigned short port, const std::string& user, const std::string& password);
// {"Authorization": "Bearer <token>"}; no header at all for an empty token.
std::map<std::string, std::string> bearer(const std::string& token);

}  // namespace thumbgen::test
