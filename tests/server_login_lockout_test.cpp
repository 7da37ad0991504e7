// Login throttling as clients see it (issue 10, item 2): failures count per (user, client address) and per address,
// so nobody can lock an admin out from elsewhere; X-Forwarded-For is believed only from trusted proxies; login takes
// only application/json. Several clients are several loopback source addresses (127.0.0.2, ...).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/http_client.h"
#include "support/server_process.h"
#include "support/test_database.h"

namespace thumbgen {
namespace {

using test::http_request;
using test::http_request_from;
using test::HttpResult;
using test::ServerProcess;

const std::string kLogin = "/api/v1/login/jwt";

std::string credentials(const std::string& user, const std::string& password) {
  return nlohmann::json{{"username", user}, {"password", password}}.dump();
}

HttpResult login_from(const ServerProcess& server, const std::string& source, const std::string& user,
                      const std::string& password, const std::map<std::string, std::string>& headers = {}) {
  return http_request_from(source, server.port(), "POST", kLogin, credentials(user, password), headers);
}

// On both engines: the server counts failures in its catalogue.
class LoginLockoutTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void start(const std::vector<std::string>& env) {
    server_.use_database(database_.setting());
    ASSERT_EQ(server_.add_user("admin", "admin-password", true), 0);
    server_.start({}, env);
  }
  ServerProcess server_;
  test::TestDatabase database_{GetParam(), server_.data()};
};
INSTANTIATE_TEST_SUITE_P(Backends, LoginLockoutTest, test::kBothBackends, test::backend_name);

TEST_P(LoginLockoutTest, RightPasswordFromAnotherAddressStillLogsIn) {
  start({"THUMBGEN_LOGIN_MAX_FAILURES=3"});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(login_from(server_, "127.0.0.2", "admin", "wrong-password").status, 401);
  // The guessing address is refused, even with the right password...
  HttpResult refused = login_from(server_, "127.0.0.2", "admin", "admin-password");
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_FALSE(refused.header("retry-after").empty());
  // ...but the admin elsewhere is not locked out.
  HttpResult elsewhere = login_from(server_, "127.0.0.3", "admin", "admin-password");
  EXPECT_EQ(elsewhere.status, 200) << elsewhere.body;
  EXPECT_TRUE(elsewhere.json().contains("access_token"));
}

TEST_P(LoginLockoutTest, AnAddressGuessingManyNamesIsRefusedForAllOfThem) {
  start({"THUMBGEN_LOGIN_MAX_FAILURES=3", "THUMBGEN_LOGIN_ADDRESS_MAX_FAILURES=5"});
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(login_from(server_, "127.0.0.4", "user" + std::to_string(i), "wrong-password").status, 401) << i;
  }
  EXPECT_EQ(login_from(server_, "127.0.0.4", "admin", "admin-password").status, 429);
  EXPECT_EQ(login_from(server_, "127.0.0.5", "admin", "admin-password").status, 200);
}

TEST_P(LoginLockoutTest, ForwardedForSeparatesClientsBehindATrustedProxy) {
  // 127.0.0.1 plays the reverse proxy; the clients behind it are told apart by X-Forwarded-For.
  start({"THUMBGEN_LOGIN_MAX_FAILURES=3", "THUMBGEN_TRUSTED_PROXIES=127.0.0.1"});
  const std::map<std::string, std::string> guesser = {{"X-Forwarded-For", "203.0.113.7"}};
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(login_from(server_, "127.0.0.1", "admin", "wrong-password", guesser).status, 401);
  EXPECT_EQ(login_from(server_, "127.0.0.1", "admin", "admin-password", guesser).status, 429);
  // Another client through the same proxy logs in. A client-supplied left part does not choose the bucket either:
  // the rightmost address the proxy did not add is the client.
  EXPECT_EQ(login_from(server_, "127.0.0.1", "admin", "admin-password", {{"X-Forwarded-For", "198.51.100.1"}}).status,
            200);
  EXPECT_EQ(
      login_from(server_, "127.0.0.1", "admin", "admin-password", {{"X-Forwarded-For", "203.0.113.7, 198.51.100.2"}})
          .status,
      200);
  // Whoever connects directly (not through the proxy) is judged by its own address, whatever it forwards.
  EXPECT_EQ(login_from(server_, "127.0.0.2", "admin", "admin-password", guesser).status, 200);
}

TEST_P(LoginLockoutTest, ForwardedForFromAnUntrustedPeerIsIgnored) {
  start({"THUMBGEN_LOGIN_MAX_FAILURES=3"});  // no trusted proxies: the default
  for (int i = 0; i < 3; ++i) {
    const std::map<std::string, std::string> spoofed = {{"X-Forwarded-For", "192.0.2." + std::to_string(i + 1)}};
    EXPECT_EQ(login_from(server_, "127.0.0.2", "admin", "wrong-password", spoofed).status, 401);
  }
  EXPECT_EQ(login_from(server_, "127.0.0.2", "admin", "admin-password", {{"X-Forwarded-For", "192.0.2.99"}}).status,
            429);
}

TEST_P(LoginLockoutTest, LoginTakesOnlyJson) {
  start({});
  const std::string body = credentials("admin", "admin-password");
  // A cross-site form can send these three types without a CORS preflight: none of them reaches the login.
  for (const char* type : {"application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"}) {
    HttpResult result = http_request(server_.port(), "POST", kLogin, body, {{"Content-Type", type}});
    EXPECT_EQ(result.status, 415) << type;
    EXPECT_EQ(result.json()["detail"], "Content-Type must be application/json") << type;
  }
  HttpResult untyped = test::raw_request(server_.port(), "POST " + kLogin +
                                                             " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                                                             "Content-Length: " +
                                                             std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(untyped.status, 415);
  EXPECT_EQ(http_request(server_.port(), "POST", kLogin, body, {{"Content-Type", "application/problem+json"}}).status,
            415);
  EXPECT_EQ(
      http_request(server_.port(), "POST", kLogin, body, {{"Content-Type", "Application/JSON; charset=utf-8"}}).status,
      200);
}

}  // namespace
}  // namespace thumbgen
