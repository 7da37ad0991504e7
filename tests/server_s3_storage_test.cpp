// `thumbgen serve --storage s3://bucket/prefix` end to end, over real HTTP, against a real S3-compatible server that
// verifies signatures: uploads land in the bucket, thumbnail_url fetches them (through /media/, or straight from the
// bucket's public URL), a replaced thumbnail's old object is gone once the pointer has switched, the start-up sweep
// clears orphans from the bucket, and a wrong secret stops the server at start with S3's error code named.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "server/catalogue.h"
#include "server/s3_client.h"
#include "support/http_client.h"
#include "support/s3_test_server.h"
#include "support/server_fixtures.h"
#include "support/server_login.h"
#include "support/server_process.h"

namespace thumbgen {
namespace {

using test::bearer;
using test::http_request;
using test::HttpResult;
using test::S3TestServer;
using test::ServerProcess;

constexpr std::int64_t kAsset = 1;
const std::string kStorage = "s3://thumbgen-test/gallery/";

std::vector<std::string> with(std::vector<std::string> environment, const std::vector<std::string>& more) {
  environment.insert(environment.end(), more.begin(), more.end());
  return environment;
}

// "http://host:port/path" → "/path".
std::string target_of(const std::string& url) { return url.substr(url.find('/', url.find("://") + 3)); }
std::string key_of(const std::string& thumbnail_url) { return thumbnail_url.substr(thumbnail_url.find("thumbs/")); }

class ServerS3Storage : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(server.add_user("admin", "admin-password", true), 0);
    server::Catalogue catalogue(server.data() / "catalogue.sqlite3", 1);
    catalogue.upsert_asset(test::test_asset("statue", kAsset));
  }
  HttpResult upload(std::uint8_t shade) {
    return http_request(server.port(), "POST", "/api/v1/admin/assets/statue/thumbnail", test::upload_body(shade),
                        bearer(token));
  }
  void start(const std::vector<std::string>& environment = {}) {
    server.start({"--storage", kStorage}, with(s3.serve_environment(), environment));
    token = test::login_token(server.port(), "admin", "admin-password");
    ASSERT_FALSE(token.empty()) << server.log();
  }
  std::optional<std::string> object(const std::string& key) { return bucket.get_object("gallery/" + key); }

  S3TestServer s3;
  ServerProcess server;
  server::S3Client bucket{s3.client_options()};
  std::string token;
};

TEST_F(ServerS3Storage, UploadsServedThroughMediaAndTheOldObjectGoesAfterTheSwitch) {
  start();
  EXPECT_NE(server.log().find("thumbnails are stored in s3://thumbgen-test/gallery/"), std::string::npos)
      << server.log();

  HttpResult first = upload(40);
  ASSERT_EQ(first.status, 200) << first.body << server.log();
  const std::string first_url = first.json()["thumbnail_url"];
  const std::string first_key = key_of(first_url);
  EXPECT_EQ(first_url, "http://127.0.0.1:" + std::to_string(server.port()) + "/media/" + first_key);
  ASSERT_TRUE(first_key.starts_with("thumbs/1/")) << first_key;
  const std::optional<std::string> stored = object(first_key);
  ASSERT_TRUE(stored) << "the upload is not in the bucket";
  EXPECT_FALSE(std::filesystem::exists(server.data() / "media" / first_key));

  // thumbnail_url fetches the object: /media/ streams it from the bucket.
  HttpResult fetched = http_request(server.port(), "GET", target_of(first_url));
  ASSERT_EQ(fetched.status, 200) << fetched.body;
  EXPECT_EQ(fetched.body, *stored);
  EXPECT_EQ(fetched.header("content-type"), "image/jpeg");
  EXPECT_EQ(fetched.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(fetched.header("content-security-policy"), "sandbox");
  EXPECT_EQ(http_request(server.port(), "GET", "/media/thumbs/1/missing.jpg").status, 404);

  // A replacement: the new object is in, the old one is gone from the bucket and from /media/.
  HttpResult second = upload(200);
  ASSERT_EQ(second.status, 200) << second.body;
  const std::string second_key = key_of(second.json()["thumbnail_url"]);
  ASSERT_NE(second_key, first_key);
  EXPECT_TRUE(object(second_key));
  EXPECT_EQ(object(first_key), std::nullopt) << "the replaced thumbnail's object is still in the bucket";
  EXPECT_EQ(http_request(server.port(), "GET", target_of(first_url)).status, 404);

  // The same image again: the pointer does not move and the object stays.
  ASSERT_EQ(upload(200).status, 200);
  EXPECT_TRUE(object(second_key));

  // The bucket stopped: /media/ answers 502 (not a hang, not a 404), and serves again once it is back.
  s3.stop();
  EXPECT_EQ(http_request(server.port(), "GET", "/media/" + second_key).status, 502);
  // An upload then fails as a whole (503, retry later: the worker does) and the pointer stays where it was.
  HttpResult refused = upload(77);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.header("retry-after"), "5");
  EXPECT_NE(server.log().find("thumbnail of asset 1 not stored: S3 PUT of s3://thumbgen-test/gallery/thumbs/1/"),
            std::string::npos)
      << server.log();
  s3.start();
  EXPECT_EQ(http_request(server.port(), "GET", "/media/" + second_key).status, 200);
}

TEST_F(ServerS3Storage, PublicUrlPointsAtTheBucketAndTheAdminPolicyAllowsIt) {
  const std::string public_url = s3.endpoint() + "/thumbgen-test/";
  start({"THUMBGEN_S3_PUBLIC_URL=" + public_url});
  HttpResult uploaded = upload(90);
  ASSERT_EQ(uploaded.status, 200) << uploaded.body;
  const std::string url = uploaded.json()["thumbnail_url"];
  ASSERT_TRUE(url.starts_with(s3.endpoint() + "/thumbgen-test/gallery/thumbs/1/")) << url;

  // Straight from the bucket, with no credentials (a public bucket or CDN in production).
  HttpResult fetched = http_request(s3.port(), "GET", target_of(url));
  ASSERT_EQ(fetched.status, 200) << fetched.body;
  EXPECT_EQ(fetched.body, object(key_of(url)));

  // The admin pages may load images from there.
  HttpResult page = http_request(server.port(), "GET", "/admin/");
  const std::string policy = page.header("content-security-policy");
  const std::size_t img_src = policy.find("img-src ");
  ASSERT_NE(img_src, std::string::npos) << policy;
  const std::string images = policy.substr(img_src, policy.find(';', img_src) - img_src);
  EXPECT_NE((images + " ").find(" " + s3.endpoint() + " "), std::string::npos) << policy;
  HttpResult settings = http_request(server.port(), "GET", "/api/v1/admin/settings", "", bearer(token));
  ASSERT_EQ(settings.status, 200) << settings.body;
  EXPECT_NE(settings.body.find("\"" + s3.endpoint() + "\""), std::string::npos) << settings.body;
}

TEST_F(ServerS3Storage, StartupSweepRemovesOrphanedObjectsOnceOldEnough) {
  start();
  HttpResult uploaded = upload(120);
  ASSERT_EQ(uploaded.status, 200) << uploaded.body;
  const std::string current = key_of(uploaded.json()["thumbnail_url"]);
  ASSERT_EQ(server.stop(), 0);
  // What an upload whose pointer switch never committed leaves, and objects of an asset that no longer exists.
  const std::string payload = "orphan";
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size());
  for (const std::string key : {"thumbs/1/0ld0ld.jpg", "thumbs/8/ab12.jpg"})
    bucket.put_object("gallery/" + key, bytes, "image/jpeg");
  bucket.put_object("gallery/notes/readme.txt", bytes, "text/plain");  // not a thumbnail: never swept

  // By default a bucket's young objects are left alone (another server's upload may be about to switch to them).
  server.restart({"--storage", kStorage}, s3.serve_environment());
  EXPECT_TRUE(object("thumbs/1/0ld0ld.jpg"));
  EXPECT_TRUE(object("thumbs/8/ab12.jpg"));
  ASSERT_EQ(server.stop(), 0);

  server.restart({"--storage", kStorage}, with(s3.serve_environment(), {"THUMBGEN_ORPHAN_MIN_AGE=0"}));
  EXPECT_EQ(object("thumbs/1/0ld0ld.jpg"), std::nullopt);
  EXPECT_EQ(object("thumbs/8/ab12.jpg"), std::nullopt);
  EXPECT_TRUE(object(current)) << "the current thumbnail was swept";
  EXPECT_TRUE(object("notes/readme.txt"));
  EXPECT_NE(server.log().find("removed 2 stored thumbnail(s)"), std::string::npos) << server.log();
}

TEST_F(ServerS3Storage, WrongSecretStopsTheServerAtStartNamingTheError) {
  try {
    server.start({"--storage", kStorage}, {"THUMBGEN_S3_ENDPOINT=" + s3.endpoint(),
                                           std::string("AWS_ACCESS_KEY_ID=") + S3TestServer::kAccessKeyId,
                                           "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYWRONG"});
    FAIL() << "serve started with a wrong secret:\n" << server.log();
  } catch (const std::runtime_error&) {
    const std::string log = server.log();
    EXPECT_NE(log.find("SignatureDoesNotMatch"), std::string::npos) << log;
    EXPECT_NE(log.find("s3://thumbgen-test/gallery/"), std::string::npos) << log;
  }
  // And without credentials at all, before any request.
  ServerProcess bare;
  try {
    bare.start({"--storage", kStorage},
               {"THUMBGEN_S3_ENDPOINT=" + s3.endpoint(), "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY="});
    FAIL() << "serve started without credentials";
  } catch (const std::runtime_error&) {
    EXPECT_NE(bare.log().find("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), std::string::npos) << bare.log();
  }
  ServerProcess misspelt;
  EXPECT_THROW(misspelt.start({"--storage", "s4://bucket"}), std::runtime_error);
  EXPECT_NE(misspelt.log().find("--storage: expected file:, file:DIR or s3://bucket/prefix"), std::string::npos)
      << misspelt.log();
}

}  // namespace
}  // namespace thumbgen
