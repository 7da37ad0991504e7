// The HTTP API over real HTTP on loopback against a real `thumbgen serve` process and a temporary catalogue.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <boost/asio/write.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "render/encode.h"
#include "server/auth_jwt.h"
#include "server/catalogue.h"
#include "support/http_client.h"
#include "support/server_fixtures.h"
#include "support/server_login.h"
#include "support/server_process.h"
#include "support/test_database.h"
#include "util/base64.h"

namespace thumbgen {
namespace {

using server::AssetRecord;
using server::Catalogue;
using namespace test;

constexpr std::int64_t kBigId = 9007199254740993;  // 2^53 + 1: a double cannot hold it
constexpr std::uint64_t kBodyLimit = 4 * 1024 * 1024;

// One server per catalogue engine for the whole suite, started by the engine's first test; the static helpers talk
// to the one of the running test's engine.
class ServerApiTest : public ::testing::TestWithParam<Backend> {
 protected:
  struct Shared {
    std::unique_ptr<TestDatabase> database;
    std::unique_ptr<ServerProcess> server;
    std::unique_ptr<Catalogue> catalogue;
    std::string token, viewer_token;
  };
  static std::map<Backend, Shared>& shared() {
    static std::map<Backend, Shared> all;
    return all;
  }
  void SetUp() override {
    Shared& mine = shared()[GetParam()];
    if (!mine.server) {
      mine.server = std::make_unique<ServerProcess>();
      mine.database = std::make_unique<TestDatabase>(GetParam(), mine.server->data());
      mine.server->use_database(mine.database->setting());
      server_ = mine.server.get();
      start_server();
      mine.token = token_;
      mine.viewer_token = viewer_token_;
    }
    ASSERT_FALSE(mine.token.empty()) << "the suite's server for this engine did not start";
    current_ = &mine;
    server_ = mine.server.get();
    token_ = mine.token;
    viewer_token_ = mine.viewer_token;
    files_dir_ = server_->data().parent_path() / "models";
  }
  static void start_server() {
    ASSERT_EQ(server_->add_user("admin", "admin-password", true), 0);
    ASSERT_EQ(server_->add_user("viewer", "viewer-password", false), 0);
    {
      std::filesystem::create_directories(server_->data());
      Catalogue catalogue(server_->catalogue_target(), 1);
      catalogue.upsert_asset(test_asset("big-one", kBigId));
      for (int i = 0; i < 120; ++i) catalogue.upsert_asset(test_asset("bulk-" + std::to_string(i), 1000 + i));
      catalogue.upsert_asset(test_asset("not-viewable", 5000, false));
      catalogue.upsert_asset(test_asset("first", 1));
      AssetRecord awkward = test_asset("awkward", 900);
      awkward.name = "Quote \" back\\slash \x01 tab\t caf\xc3\xa9 \xe6\xbc\xa2";
      awkward.owner_displayname = "bad utf-8 \xff\xfe end";
      awkward.formats.push_back({"OBJ", "https://cdn.example/a \"b\".obj", false, {}});
      catalogue.upsert_asset(awkward);
      catalogue.upsert_asset(test_asset("second", 2));
      server::UserRecord inactive;
      inactive.username = "gone";
      inactive.password_hash = "x";
      inactive.is_staff = true;
      inactive.is_active = false;
      catalogue.add_user(inactive);
    }
    // A model folder to serve files from.
    files_dir_ = server_->data().parent_path() / "models";
    std::filesystem::create_directories(files_dir_ / "duck");
    std::ofstream(files_dir_ / "duck" / "duck.obj") << "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n";
    std::ofstream(files_dir_ / "duck" / "duck.mtl") << "newmtl a\n";
    ASSERT_EQ(server_->import({files_dir_.string()}), 0);
    // IdleConnectionsDoNotStopOtherClients holds 200 connections from the one loopback address: no per-address cap.
    server_->start(
        {}, {"THUMBGEN_BODY_LIMIT=" + std::to_string(kBodyLimit), "THUMBGEN_MAX_CONNECTIONS_PER_ADDRESS=100000"});
    token_ = login_token(server_->port(), "admin", "admin-password");
    viewer_token_ = login_token(server_->port(), "viewer", "viewer-password");
    ASSERT_FALSE(token_.empty()) << server_->log();
  }
  static void TearDownTestSuite() {
    for (auto& [backend, mine] : shared()) {
      mine.catalogue.reset();
      mine.server.reset();  // stopped before its database goes
      mine.database.reset();
    }
    shared().clear();
    server_ = nullptr;
    current_ = nullptr;
  }

  static HttpResult login(const std::string& user, const std::string& password) {
    return test::login(server_->port(), user, password);
  }
  static HttpResult get(const std::string& target, const std::string& token = token_) {
    return http_request(server_->port(), "GET", target, "", bearer(token));
  }
  static HttpResult post(const std::string& target, const std::string& body, const std::string& token = token_) {
    return http_request(server_->port(), "POST", target, body, bearer(token));
  }
  static Catalogue& catalogue() {
    if (!current_->catalogue) current_->catalogue = std::make_unique<Catalogue>(server_->catalogue_target(), 2);
    return *current_->catalogue;
  }

  static Shared* current_;
  static ServerProcess* server_;
  static std::filesystem::path files_dir_;
  static std::string token_, viewer_token_;
};

INSTANTIATE_TEST_SUITE_P(Backends, ServerApiTest, kBothBackends, backend_name);

ServerApiTest::Shared* ServerApiTest::current_ = nullptr;
ServerProcess* ServerApiTest::server_ = nullptr;
std::filesystem::path ServerApiTest::files_dir_;
std::string ServerApiTest::token_, ServerApiTest::viewer_token_;

TEST_P(ServerApiTest, LoginAnswersTheSpecShape) {
  HttpResult result = login("admin", "admin-password");
  ASSERT_EQ(result.status, 200);
  auto json = result.json();
  EXPECT_EQ(json["token_type"], "bearer");
  EXPECT_EQ(json["expires_in"], 3600);
  std::string token = json["access_token"];
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
}

TEST_P(ServerApiTest, LoginRejectsBadCredentialsAndBadBodies) {
  EXPECT_EQ(login("admin", "wrong-password").json()["detail"], "Invalid credentials");
  EXPECT_EQ(login("admin", "wrong-password").status, 401);
  EXPECT_EQ(login("nobody", "whatever-pass").status, 401);
  EXPECT_EQ(login("gone", "x").status, 401);  // inactive
  EXPECT_EQ(http_request(server_->port(), "POST", "/api/v1/login/jwt", "{not json").status, 400);
  EXPECT_EQ(http_request(server_->port(), "POST", "/api/v1/login/jwt", R"({"username":"admin"})").status, 400);
}

TEST_P(ServerApiTest, AuthErrorsUseTheSpecTexts) {
  const std::string target = "/api/v1/admin/assets/missing-thumbnails";
  HttpResult none = get(target, "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.json()["detail"], "JWT token required");
  HttpResult bad = get(target, "not.a.token");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(bad.json()["detail"], "Invalid or expired token");
  HttpResult forbidden = get(target, viewer_token_);
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(forbidden.json()["detail"], "Admin access required");

  server::JwtKeyring keyring = server::load_or_create_keyring(server_->data() / "keys");
  server::JwtClaims expired;
  expired.subject = "admin";
  expired.issued_at = std::time(nullptr) - 7200;
  expired.expires_at = std::time(nullptr) - 3600;
  EXPECT_EQ(get(target, server::jwt_sign(keyring, expired)).json()["detail"], "Invalid or expired token");
  server::JwtClaims valid = expired;
  valid.expires_at = std::time(nullptr) + 600;
  valid.stamp = catalogue().find_user("admin")->auth_stamp;  // as the login writes it (token revocation)
  EXPECT_EQ(get(target, server::jwt_sign(keyring, valid)).status, 200);
  EXPECT_EQ(post("/api/v1/admin/assets/first/thumbnail", upload_body(10), viewer_token_).status, 403);
  EXPECT_EQ(post("/api/v1/admin/assets/first/thumbnail", upload_body(10), "").status, 401);
}

TEST_P(ServerApiTest, MissingThumbnailsHasTheSpecShapeAndExact64BitIds) {
  HttpResult result = get("/api/v1/admin/assets/missing-thumbnails");
  ASSERT_EQ(result.status, 200) << result.body;
  auto json = result.json();
  EXPECT_EQ(json["assets"].size(), 50u);  // default limit
  EXPECT_TRUE(json["has_more"].get<bool>());
  EXPECT_GE(json["total_count"].get<int>(), 120);
  const auto& first = json["assets"][0];
  for (const char* key : {"id", "url", "name", "owner_displayname", "formats"}) EXPECT_TRUE(first.contains(key)) << key;
  EXPECT_EQ(first["formats"][0]["format_type"], "GLB");
  EXPECT_TRUE(first["formats"][0]["root_url"].get<std::string>().starts_with("https://cdn.example/"));
  EXPECT_EQ(first["formats"][0]["is_preferred"], true);
  bool found_big = false;
  for (int offset = 0; offset < 200 && !found_big; offset += 100) {
    auto page = get("/api/v1/admin/assets/missing-thumbnails?limit=100&offset=" + std::to_string(offset)).json();
    for (const auto& item : page["assets"]) {
      if (item["url"] == "big-one") {
        found_big = true;
        EXPECT_EQ(item["id_str"], "9007199254740993");
        EXPECT_EQ(item["id"].get<std::int64_t>(), kBigId);
      }
    }
  }
  EXPECT_TRUE(found_big);
  for (const auto& item : json["assets"]) EXPECT_NE(item["url"], "not-viewable");
}

TEST_P(ServerApiTest, MissingThumbnailsPaginationEdges) {
  const std::string base = "/api/v1/admin/assets/missing-thumbnails?";
  EXPECT_EQ(get(base + "limit=101").json()["assets"].size(), 100u);  // clamped to the spec's max
  for (const char* bad : {"limit=0", "limit=-1", "limit=abc", "limit=", "offset=-1", "offset=x",
                          "viewer_compatible_only=maybe", "after=garbage"}) {
    HttpResult result = get(base + bad);
    EXPECT_EQ(result.status, 400) << bad;
    EXPECT_TRUE(result.json().contains("detail")) << bad;
  }
  auto past = get(base + "offset=100000").json();
  EXPECT_EQ(past["assets"].size(), 0u);
  EXPECT_FALSE(past["has_more"].get<bool>());
  EXPECT_GT(past["total_count"].get<int>(), 0);

  auto all = get(base + "viewer_compatible_only=false&limit=100&offset=100").json();
  auto compatible = get(base + "viewer_compatible_only=1&limit=100&offset=100").json();
  EXPECT_EQ(all["total_count"].get<int>(), compatible["total_count"].get<int>() + 1);
  bool listed = false;
  for (int offset = 0; offset < 300; offset += 100) {
    auto page = get(base + "viewer_compatible_only=false&limit=100&offset=" + std::to_string(offset)).json();
    for (const auto& item : page["assets"]) {
      listed = listed || item["url"] == "not-viewable";
    }
  }
  EXPECT_TRUE(listed);
}

TEST_P(ServerApiTest, KeysetCursorWalksEveryAssetOnce) {
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0, total = 0;
  while (pages < 20) {
    auto page =
        get("/api/v1/admin/assets/missing-thumbnails?limit=37" + (cursor.empty() ? "" : "&after=" + cursor)).json();
    total = page["total_count"].get<int>();
    for (const auto& item : page["assets"]) EXPECT_TRUE(seen.insert(item["url"].get<std::string>()).second);
    ++pages;
    if (!page["has_more"].get<bool>()) {
      EXPECT_TRUE(page["next_cursor"].is_null());
      break;
    }
    cursor = page["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(static_cast<int>(seen.size()), total);
}

TEST_P(ServerApiTest, UploadByUrlStoresAndServesTheThumbnail) {
  HttpResult result = post("/api/v1/admin/assets/second/thumbnail", upload_body(200));
  ASSERT_EQ(result.status, 200) << result.body;
  auto json = result.json();
  EXPECT_EQ(json["success"], true);
  EXPECT_EQ(json["asset_url"], "second");
  std::string url = json["thumbnail_url"];
  std::string prefix = "http://127.0.0.1:" + std::to_string(server_->port());
  ASSERT_TRUE(url.starts_with(prefix)) << url;
  HttpResult image = get(url.substr(prefix.size()), "");
  ASSERT_EQ(image.status, 200);
  EXPECT_EQ(image.header("content-type"), "image/jpeg");
  ASSERT_GT(image.body.size(), 4u);
  EXPECT_EQ(static_cast<unsigned char>(image.body[0]), 0xFF);
  EXPECT_EQ(static_cast<unsigned char>(image.body[1]), 0xD8);

  // No longer missing; previews and thumbnails point at the same key.
  auto listing = get("/api/v1/admin/assets/missing-thumbnails?limit=100").json();
  for (const auto& item : listing["assets"]) {
    EXPECT_NE(item["url"], "second");
  }
  auto id = catalogue().find_asset("second")->id;
  EXPECT_TRUE(catalogue().thumbnail_of(id)->starts_with("thumbs/2/"));
}

TEST_P(ServerApiTest, UploadById64BitAndErrors) {
  EXPECT_EQ(post("/api/v1/admin/assets/9007199254740993/thumbnail", upload_body(50)).status, 200);
  EXPECT_EQ(catalogue().thumbnail_of(kBigId)->substr(0, 24), "thumbs/9007199254740993/");

  HttpResult missing = post("/api/v1/admin/assets/no-such-asset/thumbnail", upload_body(50));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json()["detail"], "Asset not found");
  EXPECT_EQ(post("/api/v1/admin/assets/bulk-1/thumbnail", "{oops").status, 400);
  EXPECT_EQ(post("/api/v1/admin/assets/bulk-1/thumbnail", R"({"other":1})").status, 400);
  EXPECT_EQ(post("/api/v1/admin/assets/bulk-1/thumbnail", R"({"thumbnail_base64":"@@@"})").status, 400);
  EXPECT_EQ(post("/api/v1/admin/assets/bulk-1/thumbnail", R"({"thumbnail_base64":"R0lGODlhAQABAAAAACw="})").status,
            415);
  EXPECT_FALSE(catalogue().thumbnail_of(1001).has_value());
}

TEST_P(ServerApiTest, FailedUploadKeepsThePreviousThumbnail) {
  ASSERT_EQ(post("/api/v1/admin/assets/bulk-2/thumbnail", upload_body(90)).status, 200);
  std::string before = *catalogue().thumbnail_of(1002);
  std::vector<std::uint8_t> truncated = test_jpeg(30);
  truncated.resize(truncated.size() / 2);
  HttpResult bad =
      post("/api/v1/admin/assets/bulk-2/thumbnail", nlohmann::json{{"thumbnail_base64", base64(truncated)}}.dump());
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(*catalogue().thumbnail_of(1002), before);
  EXPECT_EQ(get("/media/" + before, "").status, 200);
}

TEST_P(ServerApiTest, FailureRecordsBackoffAndMovesTheAssetBehindNeverTriedOnes) {
  auto first_page = get("/api/v1/admin/assets/missing-thumbnails?limit=1").json();
  ASSERT_EQ(first_page["assets"][0]["url"], "first");
  HttpResult result = post("/api/v1/admin/assets/first/thumbnail-failure", R"({"reason":"loader crashed"})");
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(result.json()["success"], true);
  EXPECT_EQ(result.json()["attempts"], 1);
  EXPECT_TRUE(result.json()["next_attempt_at"].is_string());
  EXPECT_EQ(post("/api/v1/admin/assets/first/thumbnail-failure", "{}").json()["attempts"], 2);
  EXPECT_NE(get("/api/v1/admin/assets/missing-thumbnails?limit=1").json()["assets"][0]["url"], "first");
  EXPECT_EQ(post("/api/v1/admin/assets/nope/thumbnail-failure", "{}").status, 404);
}

TEST_P(ServerApiTest, BodyOverTheLimitIsRefusedBeforeItIsSent) {
  auto start = std::chrono::steady_clock::now();
  HttpResult result = raw_request(server_->port(),
                                  "POST /api/v1/admin/assets/first/thumbnail HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                  "Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n");
  EXPECT_EQ(result.status, 413);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_P(ServerApiTest, ChunkedBodyOverTheLimitIs413) {
  std::string raw = "POST /api/v1/login/jwt HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string chunk(64 * 1024, 'a');
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
  for (std::uint64_t sent = 0; sent <= kBodyLimit; sent += chunk.size()) raw += size + chunk + "\r\n";
  raw += "0\r\n\r\n";
  EXPECT_EQ(raw_request(server_->port(), raw).status, 413);
}

TEST_P(ServerApiTest, CompressedBodyIs415) {
  HttpResult result = http_request(server_->port(), "POST", "/api/v1/login/jwt", std::string("\x1f\x8b\x08\x00", 4),
                                   {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(result.status, 415);
}

TEST_P(ServerApiTest, IdleConnectionsDoNotStopOtherClients) {
  std::vector<std::unique_ptr<test::IdleConnection>> idle;
  for (int i = 0; i < 200; ++i) idle.push_back(std::make_unique<test::IdleConnection>(server_->port()));
  auto start = std::chrono::steady_clock::now();
  HttpResult result = get("/api/v1/admin/assets/missing-thumbnails?limit=5");
  EXPECT_EQ(result.status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_P(ServerApiTest, ServesImportedFilesWithRangesAndNoTraversal) {
  auto page = get("/api/v1/admin/assets/missing-thumbnails?limit=100&offset=100").json();
  std::string root;
  for (const auto& item : page["assets"]) {
    if (item["formats"][0]["format_type"] == "OBJ") root = item["formats"][0]["root_url"];
  }
  ASSERT_FALSE(root.empty()) << page.dump();
  std::string prefix = "http://127.0.0.1:" + std::to_string(server_->port());
  std::string path = root.substr(prefix.size());
  HttpResult whole = get(path, "");
  ASSERT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
  EXPECT_EQ(whole.header("content-type"), "model/obj");
  auto ranged = http_request(server_->port(), "GET", path, "", {{"Range", "bytes=2-4"}});
  EXPECT_EQ(ranged.status, 206);
  EXPECT_EQ(ranged.body, "0 0");
  EXPECT_EQ(ranged.header("content-range"), "bytes 2-4/32");
  EXPECT_EQ(http_request(server_->port(), "GET", path, "", {{"Range", "bytes=-3"}}).body, " 3\n");
  EXPECT_EQ(http_request(server_->port(), "GET", path, "", {{"Range", "bytes=0-1,0-1,0-1"}}).status, 200);
  EXPECT_EQ(http_request(server_->port(), "GET", path, "", {{"Range", "bytes=999-"}}).status, 416);
  std::string side = path.substr(0, path.rfind('/')) + "/duck.mtl";
  EXPECT_EQ(get(side, "").status, 404);  // duck.obj names no mtllib: its neighbour is not published
  std::string asset_prefix = path.substr(0, path.rfind('/'));
  EXPECT_EQ(get(asset_prefix + "/../../../etc/passwd", "").status, 404);
  EXPECT_EQ(get(asset_prefix + "/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "").status, 404);
  EXPECT_EQ(get("/media/../keys", "").status, 404);
  EXPECT_EQ(get("/media/keys", "").status, 404);
}

TEST_P(ServerApiTest, ListingEscapesEveryStringItWrites) {
  nlohmann::json found;
  for (int offset = 0; offset < 200 && found.is_null(); offset += 100) {
    HttpResult page = get("/api/v1/admin/assets/missing-thumbnails?limit=100&offset=" + std::to_string(offset));
    ASSERT_EQ(page.status, 200);
    nlohmann::json json = page.json();
    ASSERT_FALSE(json.is_discarded()) << page.body;
    for (const auto& item : json["assets"]) {
      if (item["url"] == "awkward") found = item;
    }
  }
  ASSERT_FALSE(found.is_null());
  EXPECT_EQ(found["name"], "Quote \" back\\slash \x01 tab\t caf\xc3\xa9 \xe6\xbc\xa2");
  EXPECT_EQ(found["owner_displayname"], "bad utf-8 \xef\xbf\xbd\xef\xbf\xbd end");  // U+FFFD for each bad byte
  ASSERT_EQ(found["formats"].size(), 2u);
  EXPECT_EQ(found["formats"][0]["format_type"], "GLB");  // the preferred one first
  EXPECT_EQ(found["formats"][1]["root_url"], "https://cdn.example/a \"b\".obj");
  EXPECT_EQ(found["formats"][1]["is_preferred"], false);
  EXPECT_EQ(found["id"], 900);
  EXPECT_EQ(found["id_str"], "900");
  EXPECT_EQ(found["thumbnail_state"], "queued");
  EXPECT_TRUE(found["thumbnail_last_error"].is_null());
}

TEST_P(ServerApiTest, PostBodiesMustBeJsonOrUntypedOrCurlsDefault) {
  const std::string target = "/api/v1/admin/assets/bulk-7/thumbnail-failure";
  std::map<std::string, std::string> headers = bearer(token_);
  headers["Content-Type"] = "text/plain";
  HttpResult plain = http_request(server_->port(), "POST", target, R"({"reason":"x"})", headers);
  EXPECT_EQ(plain.status, 415);
  EXPECT_EQ(plain.json()["detail"], "Content-Type must be application/json");
  // curl -d without -H: read as JSON like the original API did; a real form body is bad JSON.
  headers["Content-Type"] = "application/x-www-form-urlencoded";
  EXPECT_EQ(http_request(server_->port(), "POST", target, R"({"reason":"x"})", headers).status, 200);
  EXPECT_EQ(http_request(server_->port(), "POST", target, "reason=x", headers).status, 400);
  headers["Content-Type"] = "Application/JSON; charset=utf-8";
  EXPECT_EQ(http_request(server_->port(), "POST", target, R"({"reason":"x"})", headers).status, 200);
  headers["Content-Type"] = "application/problem+json";
  EXPECT_EQ(http_request(server_->port(), "POST", target, R"({"reason":"x"})", headers).status, 200);
  headers["Content-Type"] = "application/jsonx";
  EXPECT_EQ(http_request(server_->port(), "POST", target, R"({"reason":"x"})", headers).status, 415);
  // No Content-Type at all: accepted, as the spec shows bodies without headers.
  std::string body = R"({"reason":"no type"})";
  HttpResult untyped =
      raw_request(server_->port(), "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                                       token_ + "\r\nContent-Length: " + std::to_string(body.size()) +
                                       "\r\nConnection: close\r\n\r\n" + body);
  EXPECT_EQ(untyped.status, 200) << untyped.body;
  // Login takes application/json only (a cross-site form must not reach it): see server_login_lockout_test.
  HttpResult login_xml =
      http_request(server_->port(), "POST", "/api/v1/login/jwt", R"({"username":"admin","password":"admin-password"})",
                   {{"Content-Type", "application/xml"}});
  EXPECT_EQ(login_xml.status, 415);
  HttpResult login_curl =
      http_request(server_->port(), "POST", "/api/v1/login/jwt", R"({"username":"admin","password":"admin-password"})",
                   {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(login_curl.status, 415);
}

TEST_P(ServerApiTest, HeadAnswersLikeGetWithoutTheBody) {
  auto head = [](const std::string& target, const std::string& extra = "") {
    return raw_request(server_->port(),
                       "HEAD " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "Connection: close\r\n\r\n");
  };
  HttpResult health = get("/healthz", "");
  HttpResult health_head = head("/healthz");
  EXPECT_EQ(health_head.status, 200);
  EXPECT_TRUE(health_head.body.empty());
  EXPECT_EQ(health_head.header("content-length"), std::to_string(health.body.size()));
  EXPECT_EQ(health_head.header("content-type"), "application/json");

  const std::string listing = "/api/v1/admin/assets/missing-thumbnails?limit=3";
  HttpResult listed = head(listing, "Authorization: Bearer " + token_ + "\r\n");
  EXPECT_EQ(listed.status, 200);
  EXPECT_TRUE(listed.body.empty());
  EXPECT_EQ(listed.header("content-length"), std::to_string(get(listing).body.size()));
  EXPECT_EQ(head(listing).status, 401);  // the same checks as GET

  auto page = get("/api/v1/admin/assets/missing-thumbnails?limit=100&offset=100").json();
  std::string root;
  for (const auto& item : page["assets"]) {
    if (item["formats"][0]["format_type"] == "OBJ") root = item["formats"][0]["root_url"];
  }
  ASSERT_FALSE(root.empty());
  std::string path = root.substr(("http://127.0.0.1:" + std::to_string(server_->port())).size());
  HttpResult file = head(path);
  EXPECT_EQ(file.status, 200);
  EXPECT_TRUE(file.body.empty());
  EXPECT_EQ(file.header("content-length"), "32");
  EXPECT_EQ(file.header("content-type"), "model/obj");
  EXPECT_EQ(head("/api/v1/login/jwt").status, 405);  // a POST-only route
}

TEST_P(ServerApiTest, UnknownRoutesAndMethods) {
  EXPECT_EQ(get("/nope").status, 404);
  EXPECT_EQ(http_request(server_->port(), "DELETE", "/api/v1/login/jwt").status, 405);
}

TEST_P(ServerApiTest, ConcurrentUploadsToOneAssetLeaveOneCompleteThumbnail) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      if (post("/api/v1/admin/assets/bulk-7/thumbnail", upload_body(static_cast<std::uint8_t>(20 + i * 25))).status ==
          200)
        ++ok;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 8);
  std::string key = *catalogue().thumbnail_of(1007);
  HttpResult image = get("/media/" + key, "");
  ASSERT_EQ(image.status, 200);
  ASSERT_GT(image.body.size(), 4u);
  EXPECT_EQ(static_cast<unsigned char>(image.body[image.body.size() - 2]), 0xFF);
  EXPECT_EQ(static_cast<unsigned char>(image.body[image.body.size() - 1]), 0xD9);
  // Replaced thumbnails were removed: exactly one object left for the asset.
  int objects = 0;
  for (const auto& entry : std::filesystem::directory_iterator(server_->data() / "media" / "thumbs" / "1007")) {
    if (entry.path().extension() == ".jpg") ++objects;
  }
  EXPECT_EQ(objects, 1);
}

TEST(ServerProcessTest, LoginRateLimitAnswers429) {
  ServerProcess server;
  ASSERT_EQ(server.add_user("admin", "admin-password", true), 0);
  server.start({}, {"THUMBGEN_LOGIN_MAX_FAILURES=3"});
  auto login = [&](const std::string& password) { return test::login(server.port(), "admin", password); };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(login("wrong-password").status, 401);
  HttpResult limited = login("admin-password");
  EXPECT_EQ(limited.status, 429);
  EXPECT_TRUE(limited.json().contains("detail"));
}

TEST(ServerProcessTest, CorsPreflightForConfiguredOrigins) {
  ServerProcess server;
  server.start({}, {"THUMBGEN_CORS_ORIGINS=https://admin.example, https://other.example"});
  HttpResult preflight = http_request(server.port(), "OPTIONS", "/api/v1/admin/assets/missing-thumbnails", "",
                                      {{"Origin", "https://admin.example"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.header("access-control-allow-origin"), "https://admin.example");
  EXPECT_NE(preflight.header("access-control-allow-headers").find("Authorization"), std::string::npos);
  // The camera and up-axis routes are PUT: a preflight for them must allow it (it allowed GET and POST only).
  HttpResult put = http_request(server.port(), "OPTIONS", "/api/v1/admin/assets/1/camera", "",
                                {{"Origin", "https://admin.example"}, {"Access-Control-Request-Method", "PUT"}});
  EXPECT_EQ(put.status, 204);
  EXPECT_NE(put.header("access-control-allow-methods").find("PUT"), std::string::npos);
  HttpResult stranger = http_request(server.port(), "GET", "/healthz", "", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(stranger.status, 200);
  EXPECT_EQ(stranger.header("access-control-allow-origin"), "");
}

TEST(ServerProcessTest, SigtermFinishesTheRequestInFlightAndExitsZero) {
  ServerProcess server;
  ASSERT_EQ(server.add_user("admin", "admin-password", true), 0);
  server.start();
  test::IdleConnection idle(server.port());
  std::string body = R"({"username":"admin","password":"admin-password"})";
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
  std::string head =
      "POST /api/v1/login/jwt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 10);
  boost::asio::write(socket, boost::asio::buffer(head));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::thread stopper([&] { EXPECT_EQ(server.stop(SIGTERM, 30000), 0); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  boost::asio::write(socket, boost::asio::buffer(body.substr(10)));
  std::string response(4096, '\0');
  boost::system::error_code ec;
  std::size_t got = socket.read_some(boost::asio::buffer(response), ec);
  stopper.join();
  EXPECT_TRUE(response.substr(0, got).starts_with("HTTP/1.1 200")) << response.substr(0, got);
  std::string log = server.log();
  EXPECT_NE(log.find("stopped"), std::string::npos) << log;
  EXPECT_EQ(log.find("grace period over"), std::string::npos) << log;  // every connection was closed, none dropped
}

}  // namespace
}  // namespace thumbgen
