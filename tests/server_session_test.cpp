// The admin web app's session and settings routes (issue 11), over real HTTP against a real `thumbgen serve`:
// POST /api/v1/login/refresh renews a token within THUMBGEN_SESSION_MAX_AGE of the login and respects revocation;
// GET /api/v1/admin/settings reports the server's thumbnail format and session rules; stored thumbnails follow
// THUMBGEN_THUMBNAIL_FORMAT. Session ends are tested with tokens signed by the server's own keys with an earlier
// auth_time: no test waits for a clock.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/auth_jwt.h"
#include "server/catalogue.h"
#include "support/http_client.h"
#include "support/server_fixtures.h"
#include "support/server_login.h"
#include "support/server_process.h"
#include "util/base64.h"
#include "util/version.h"

namespace thumbgen {
namespace {

using namespace test;

const std::string kRefresh = "/api/v1/login/refresh";
const std::string kSettings = "/api/v1/admin/settings";
const std::string kListing = "/api/v1/admin/assets/missing-thumbnails?limit=1";
constexpr std::int64_t kDefaultMaxAge = 43200;

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

nlohmann::json payload_of(const std::string& token) {
  const std::size_t first = token.find('.'), last = token.rfind('.');
  std::vector<std::uint8_t> bytes;
  if (first == std::string::npos || !util::decode_base64url_strict(token.substr(first + 1, last - first - 1), bytes))
    return {};
  return nlohmann::json::parse(std::string(bytes.begin(), bytes.end()), nullptr, false);
}

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(server_.add_user("admin", "admin-password", true), 0);
    ASSERT_EQ(server_.add_user("viewer", "viewer-password", false), 0);
  }
  void start(const std::vector<std::string>& env = {}) { server_.start({}, env); }

  HttpResult refresh(const std::string& token, const std::string& body = "") {
    return http_request(server_.port(), "POST", kRefresh, body, bearer(token));
  }
  // A token as the server signs them, for `user` with its current stamp, in a session that began at `auth_time`.
  std::string session_token(const std::string& user, const std::string& password, std::int64_t auth_time) {
    const nlohmann::json login = payload_of(login_token(server_.port(), user, password));
    server::JwtClaims claims;
    claims.subject = user;
    claims.stamp = login.value("stamp", "");
    claims.issued_at = now_seconds();
    claims.expires_at = claims.issued_at + 600;
    claims.auth_time = auth_time;
    return server::jwt_sign(server::load_or_create_keyring(server_.data() / "keys"), claims);
  }

  ServerProcess server_;
};

TEST_F(SessionTest, RefreshKeepsTheSessionStartAndTheStamp) {
  start();
  const std::string token = login_token(server_.port(), "admin", "admin-password");
  const nlohmann::json login = payload_of(token);
  ASSERT_TRUE(login.contains("auth_time")) << login.dump();
  EXPECT_EQ(login["auth_time"], login["iat"]);  // a password login starts the session

  HttpResult renewed = refresh(token);
  ASSERT_EQ(renewed.status, 200) << renewed.body;
  EXPECT_EQ(renewed.json()["token_type"], "bearer");
  EXPECT_EQ(renewed.header("cache-control"), "no-store");
  const std::int64_t expires_in = renewed.json()["expires_in"];
  EXPECT_GT(expires_in, 0);
  EXPECT_LE(expires_in, 3600);
  const std::string next = renewed.json()["access_token"];
  const nlohmann::json claims = payload_of(next);
  EXPECT_EQ(claims["auth_time"], login["auth_time"]);
  EXPECT_EQ(claims["stamp"], login["stamp"]);
  EXPECT_EQ(claims["sub"], "admin");
  EXPECT_EQ(http_request(server_.port(), "GET", kListing, "", bearer(next)).status, 200);
  EXPECT_EQ(refresh(next).status, 200);  // a refreshed token refreshes again
}

TEST_F(SessionTest, ARevokedTokenIsNotRefreshed) {
  start();
  const std::string token = login_token(server_.port(), "admin", "admin-password");
  ASSERT_EQ(refresh(token).status, 200);
  ASSERT_EQ(http_request(server_.port(), "POST", "/api/v1/login/logout-all", "", bearer(token)).status, 204);
  HttpResult refused = refresh(token);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.json()["detail"], "Invalid or expired token");
}

TEST_F(SessionTest, ASessionPastItsMaximumAgeIsNotRefreshed) {
  start();
  HttpResult expired = refresh(session_token("admin", "admin-password", now_seconds() - kDefaultMaxAge - 5));
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.json()["detail"], "Session expired");
  EXPECT_EQ(expired.header("www-authenticate"), "Bearer");

  // Near its end, the renewed token lasts only as long as the session: min(now + TTL, auth_time + max age).
  const std::int64_t auth_time = now_seconds() - kDefaultMaxAge + 100;
  HttpResult last = refresh(session_token("admin", "admin-password", auth_time));
  ASSERT_EQ(last.status, 200) << last.body;
  EXPECT_LE(last.json()["expires_in"].get<std::int64_t>(), 100);
  EXPECT_EQ(payload_of(last.json()["access_token"])["exp"], auth_time + kDefaultMaxAge);
}

TEST_F(SessionTest, TheMaximumAgeIsTheConfiguredOne) {
  start({"THUMBGEN_SESSION_MAX_AGE=300"});
  EXPECT_EQ(refresh(session_token("admin", "admin-password", now_seconds() - 310)).status, 401);
  HttpResult young = refresh(session_token("admin", "admin-password", now_seconds() - 100));
  ASSERT_EQ(young.status, 200);
  EXPECT_LE(young.json()["expires_in"].get<std::int64_t>(), 200);
  // A login never outlives the session either, even with a longer token TTL.
  const nlohmann::json login = payload_of(login_token(server_.port(), "admin", "admin-password"));
  EXPECT_EQ(login["exp"].get<std::int64_t>() - login["auth_time"].get<std::int64_t>(), 300);
}

TEST_F(SessionTest, RefreshAttacks) {
  start();
  EXPECT_EQ(refresh("").status, 401);                          // no token
  EXPECT_EQ(refresh("not.a.token").status, 401);               // garbage
  EXPECT_EQ(refresh("", std::string(4096, 'x')).status, 401);  // the token is checked before the body
  const std::string token = login_token(server_.port(), "admin", "admin-password");
  EXPECT_EQ(refresh(token, "{\"pad\":\"" + std::string(1100, 'x') + "\"}").status, 413);
  EXPECT_EQ(http_request(server_.port(), "POST", kRefresh, "a=b",
                         {{"Authorization", "Bearer " + token}, {"Content-Type", "text/plain"}})
                .status,
            415);
  EXPECT_EQ(http_request(server_.port(), "GET", kRefresh, "", bearer(token)).status, 405);
  // A token whose signature is not the server's.
  std::string forged = token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(refresh(forged).status, 401);
}

TEST_F(SessionTest, SettingsReportTheDefaults) {
  start();
  const std::string token = login_token(server_.port(), "admin", "admin-password");
  HttpResult settings = http_request(server_.port(), "GET", kSettings, "", bearer(token));
  ASSERT_EQ(settings.status, 200) << settings.body;
  const nlohmann::json body = settings.json();
  EXPECT_EQ(body["thumbnail_format"], "jpeg");
  EXPECT_EQ(body["thumbnail_quality"], 85);
  EXPECT_EQ(body["pause_release_seconds"], 600);
  EXPECT_EQ(body["session_max_age_seconds"], 43200);
  EXPECT_EQ(body["token_ttl_seconds"], 3600);
  EXPECT_EQ(body["max_batch_size"], 100);
  EXPECT_EQ(body["renderer_version"].get<std::string>(), kRendererVersion);
  EXPECT_EQ(body["media_origin"], "http://127.0.0.1:" + std::to_string(server_.port()));
  EXPECT_EQ(body["file_origins"], nlohmann::json::array());
}

TEST_F(SessionTest, SettingsAreForStaffOnly) {
  start();
  EXPECT_EQ(http_request(server_.port(), "GET", kSettings).status, 401);
  const std::string viewer = login_token(server_.port(), "viewer", "viewer-password");
  HttpResult forbidden = http_request(server_.port(), "GET", kSettings, "", bearer(viewer));
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(forbidden.json()["detail"], "Admin access required");
  const std::string token = login_token(server_.port(), "admin", "admin-password");
  EXPECT_EQ(http_request(server_.port(), "GET", kSettings, "x", bearer(token)).status, 413);  // a GET takes no body
  EXPECT_EQ(http_request(server_.port(), "POST", kSettings, "{}", bearer(token)).status, 405);
}

TEST_F(SessionTest, ConfiguredSettingsAndOriginsAreReportedAndInThePagesPolicy) {
  {
    server::Catalogue catalogue(server_.data() / "catalogue.sqlite3", 1);
    catalogue.upsert_asset(test_asset("remote-one", 1));  // its format root is on https://cdn.example
    server::AssetRecord other = test_asset("remote-two", 2);
    other.formats.front().root = "HTTPS://Models.Example.org:8443/a/b.glb";
    other.thumbnail = "https://thumbs.example.net/t/2.jpg";
    catalogue.upsert_asset(other);
  }
  start({"THUMBGEN_THUMBNAIL_FORMAT=webp", "THUMBGEN_THUMBNAIL_QUALITY=70", "THUMBGEN_PAUSE_RELEASE=900",
         "THUMBGEN_EXTRA_ORIGINS=https://extra.example, http://10.0.0.5:9000"});
  const std::string token = login_token(server_.port(), "admin", "admin-password");
  const nlohmann::json body = http_request(server_.port(), "GET", kSettings, "", bearer(token)).json();
  EXPECT_EQ(body["thumbnail_format"], "webp");
  EXPECT_EQ(body["thumbnail_quality"], 70);
  EXPECT_EQ(body["pause_release_seconds"], 900);
  const nlohmann::json expected = {"https://extra.example", "http://10.0.0.5:9000", "https://cdn.example",
                                   "https://models.example.org:8443", "https://thumbs.example.net"};
  EXPECT_EQ(body["file_origins"], expected);

  const std::string csp = http_request(server_.port(), "GET", "/admin/").header("content-security-policy");
  const std::string origins = " http://127.0.0.1:" + std::to_string(server_.port()) +
                              " https://extra.example http://10.0.0.5:9000 https://cdn.example"
                              " https://models.example.org:8443 https://thumbs.example.net";
  EXPECT_NE(csp.find("img-src 'self' data: blob:" + origins + ";"), std::string::npos) << csp;
  EXPECT_NE(csp.find("connect-src 'self'" + origins + ";"), std::string::npos) << csp;
}

TEST_F(SessionTest, StoredThumbnailsFollowTheConfiguredFormat) {
  {
    server::Catalogue catalogue(server_.data() / "catalogue.sqlite3", 1);
    catalogue.upsert_asset(test_asset("to-thumbnail", 7));
  }
  start({"THUMBGEN_THUMBNAIL_FORMAT=webp"});
  const std::string token = login_token(server_.port(), "admin", "admin-password");
  HttpResult upload =
      http_request(server_.port(), "POST", "/api/v1/admin/assets/7/thumbnail", upload_body(0x60), bearer(token));
  ASSERT_EQ(upload.status, 200) << upload.body;
  const std::string url = upload.json()["thumbnail_url"];
  EXPECT_TRUE(url.ends_with(".webp")) << url;
  HttpResult media = http_request(server_.port(), "GET", url.substr(url.find("/media/")));
  ASSERT_EQ(media.status, 200);
  EXPECT_EQ(media.header("content-type"), "image/webp");
  EXPECT_EQ(media.header("content-security-policy"), "sandbox");
  ASSERT_GE(media.body.size(), 12u);
  EXPECT_EQ(media.body.substr(0, 4), "RIFF");
  EXPECT_EQ(media.body.substr(8, 4), "WEBP");
}

}  // namespace
}  // namespace thumbgen
