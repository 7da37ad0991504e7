// Tokens die with the password (issue 10, item 4): a password change, a user deleted and made again under the same
// name, `thumbgen user logout NAME` and POST /api/v1/login/logout-all each make every earlier token of that user
// answer 401, on every authenticated route, while the server keeps running.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "server/catalogue.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace thumbgen {
namespace {

using test::http_request;
using test::HttpResult;
using test::ServerProcess;

const std::string kListing = "/api/v1/admin/assets/missing-thumbnails?limit=1";
const std::string kLogoutAll = "/api/v1/login/logout-all";

std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class TokenRevocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(server_.add_user("admin", "admin-password", true), 0);
    ASSERT_EQ(server_.add_user("other", "other-password", true), 0);
    ASSERT_EQ(server_.add_user("viewer", "viewer-password", false), 0);
    server_.start();
  }

  // `thumbgen user ARGS --data DIR`, with `input` on stdin (the password, where one is asked for).
  int user_command(const std::string& args, const std::string& input = "") {
    std::string command = "printf '%s\\n' " + quote(input) + " | " + quote(THUMBGEN_BINARY) + " user " + args +
                          " --data " + quote(server_.data().string()) + " >/dev/null";
    return WEXITSTATUS(std::system(command.c_str()));
  }
  std::string login(const std::string& user, const std::string& password) {
    HttpResult result = http_request(server_.port(), "POST", "/api/v1/login/jwt",
                                     nlohmann::json{{"username", user}, {"password", password}}.dump());
    return result.json().value("access_token", "");
  }
  int get_status(const std::string& token) {
    return http_request(server_.port(), "GET", kListing, "", {{"Authorization", "Bearer " + token}}).status;
  }
  HttpResult logout_all(const std::string& token, const std::string& body = "") {
    return http_request(server_.port(), "POST", kLogoutAll, body, {{"Authorization", "Bearer " + token}});
  }

  ServerProcess server_;
};

TEST_F(TokenRevocationTest, PasswordChangeRevokesEarlierTokens) {
  const std::string before = login("admin", "admin-password");
  ASSERT_EQ(get_status(before), 200);
  ASSERT_EQ(user_command("passwd admin", "a-new-password"), 0);
  HttpResult refused = http_request(server_.port(), "GET", kListing, "", {{"Authorization", "Bearer " + before}});
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.json()["detail"], "Invalid or expired token");
  // Also on the routes of `thumbgen work`.
  EXPECT_EQ(http_request(server_.port(), "GET", "/api/v1/admin/thumbnail-jobs/stats", "",
                         {{"Authorization", "Bearer " + before}})
                .status,
            401);
  const std::string after = login("admin", "a-new-password");
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(get_status(after), 200);
  EXPECT_EQ(get_status(login("other", "other-password")), 200);  // nobody else is logged out
}

TEST_F(TokenRevocationTest, AUserMadeAgainUnderTheSameNameRefusesTheOldUsersTokens) {
  const std::string old_token = login("admin", "admin-password");
  ASSERT_EQ(get_status(old_token), 200);
  ASSERT_EQ(user_command("delete admin"), 0);
  EXPECT_EQ(get_status(old_token), 401);
  ASSERT_EQ(user_command("add admin --staff", "admin-password"), 0);  // even with the same password
  EXPECT_EQ(get_status(old_token), 401);
  EXPECT_EQ(get_status(login("admin", "admin-password")), 200);
  EXPECT_NE(user_command("delete nobody"), 0);
}

TEST_F(TokenRevocationTest, AUserDeletedAndAddedBehindThumbgensBackRefusesTheOldTokens) {
  // As an SQL shell or another admin tool would do it, id reuse included (SQLite reuses the highest rowid).
  const std::string old_token = login("viewer", "viewer-password");
  ASSERT_FALSE(old_token.empty());
  {
    server::Catalogue catalogue(server_.data() / "catalogue.sqlite3", 1);
    auto viewer = catalogue.find_user("viewer");
    ASSERT_TRUE(viewer);
    catalogue.with_connection([&](server::sql::Connection& db) {
      db.exec("DELETE FROM users WHERE username = 'viewer'");
      db.exec(("INSERT INTO users (id, username, password_hash, is_staff, created_at) VALUES (" +
               std::to_string(viewer->id) + ", 'viewer', '" + viewer->password_hash + "', 1, 1)")
                  .c_str());
      return 0;
    });
  }
  EXPECT_EQ(get_status(old_token), 401);
  EXPECT_EQ(get_status(login("viewer", "viewer-password")), 200);
}

TEST_F(TokenRevocationTest, LogoutCommandRevokesEveryTokenOfThatUserOnly) {
  const std::string first = login("admin", "admin-password"), second = login("admin", "admin-password");
  const std::string other = login("other", "other-password");
  ASSERT_EQ(get_status(first), 200);
  ASSERT_EQ(user_command("logout admin"), 0);
  EXPECT_EQ(get_status(first), 401);
  EXPECT_EQ(get_status(second), 401);
  EXPECT_EQ(get_status(other), 200);
  EXPECT_EQ(get_status(login("admin", "admin-password")), 200);  // the password still works
  EXPECT_NE(user_command("logout nobody"), 0);
}

TEST_F(TokenRevocationTest, LogoutAllEndsEveryTokenOfTheCaller) {
  const std::string first = login("admin", "admin-password"), second = login("admin", "admin-password");
  const std::string other = login("other", "other-password");
  HttpResult result = logout_all(first);
  EXPECT_EQ(result.status, 204) << result.body;
  EXPECT_EQ(get_status(first), 401);
  EXPECT_EQ(get_status(second), 401);
  EXPECT_EQ(logout_all(first).status, 401);  // a revoked token cannot call it again
  EXPECT_EQ(get_status(other), 200);
  EXPECT_EQ(get_status(login("admin", "admin-password")), 200);
}

TEST_F(TokenRevocationTest, LogoutAllWorksForAnyUserAndNeedsAToken) {
  const std::string viewer = login("viewer", "viewer-password");
  EXPECT_EQ(get_status(viewer), 403);  // logged in, but not staff
  EXPECT_EQ(logout_all(viewer, "{}").status, 204);
  EXPECT_EQ(get_status(viewer), 401);  // no longer logged in at all
  HttpResult anonymous = http_request(server_.port(), "POST", kLogoutAll);
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.header("www-authenticate"), "Bearer");
  EXPECT_EQ(logout_all("not-a-token").status, 401);
  // It takes no body worth the name.
  const std::string admin = login("admin", "admin-password");
  EXPECT_EQ(logout_all(admin, std::string(4096, ' ')).status, 413);
  EXPECT_EQ(get_status(admin), 200);
}

TEST_F(TokenRevocationTest, ALoginThatUpgradesAnImportedHashGetsAWorkingToken) {
  {  // A Django PBKDF2 hash (RFC 7914's vector, password "passwd"): the first login rehashes it to argon2id.
    server::Catalogue catalogue(server_.data() / "catalogue.sqlite3", 1);
    ASSERT_TRUE(catalogue.set_password("admin", "pbkdf2_sha256$1$salt$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw="));
  }
  const std::string token = login("admin", "passwd");
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(get_status(token), 200);  // signed with the stamp the new hash brought
  server::Catalogue catalogue(server_.data() / "catalogue.sqlite3", 1);
  EXPECT_TRUE(catalogue.find_user("admin")->password_hash.starts_with("$argon2id$"));
}

}  // namespace
}  // namespace thumbgen
