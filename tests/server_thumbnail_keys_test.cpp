// An upload replaces only its own asset's stored thumbnail, over real HTTP against a real `thumbgen serve`: the
// previous object is deleted only when it lies under the asset's own prefix (thumbs/<asset id>/), whatever the
// catalogue's pointer says.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "server/catalogue.h"
#include "support/http_client.h"
#include "support/server_fixtures.h"
#include "support/server_login.h"
#include "support/server_process.h"

namespace thumbgen {
namespace {

using test::bearer;
using test::http_request;
using test::HttpResult;
using test::ServerProcess;

constexpr std::int64_t kVictim = 2, kUploader = 1;

// The stored key of a thumbnail_url ("http://host/media/thumbs/2/<sha>.jpg" → "thumbs/2/<sha>.jpg").
std::string key_of(const std::string& thumbnail_url) { return thumbnail_url.substr(thumbnail_url.find("/media/") + 7); }

TEST(ThumbnailKeys, AnUploadDeletesNoThumbnailOfAnotherAsset) {
  ServerProcess server;
  ASSERT_EQ(server.add_user("admin", "admin-password", true), 0);
  {
    server::Catalogue catalogue(server.data() / "catalogue.sqlite3", 1);
    catalogue.upsert_asset(test::test_asset("uploader", kUploader));
    catalogue.upsert_asset(test::test_asset("victim", kVictim));
  }
  server.start();
  const std::string token = test::login_token(server.port(), "admin", "admin-password");
  ASSERT_FALSE(token.empty()) << server.log();
  auto upload = [&](const std::string& asset, std::uint8_t shade) {
    return http_request(server.port(), "POST", "/api/v1/admin/assets/" + asset + "/thumbnail", test::upload_body(shade),
                        bearer(token));
  };

  HttpResult victim = upload("victim", 40);
  ASSERT_EQ(victim.status, 200) << victim.body;
  const std::string victim_key = key_of(victim.json()["thumbnail_url"]);
  ASSERT_TRUE(victim_key.starts_with("thumbs/2/")) << victim_key;
  // The uploader's pointer names the victim's object, as an import of a hostile or mistaken record could once make
  // it (and as a catalogue written then still holds).
  {
    server::Catalogue catalogue(server.data() / "catalogue.sqlite3", 1);
    catalogue.set_thumbnail(kUploader, victim_key, "image/jpeg", 0);
  }

  HttpResult replaced = upload("uploader", 200);
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_TRUE(std::filesystem::exists(server.data() / "media" / victim_key)) << "the victim's thumbnail was deleted";
  EXPECT_EQ(http_request(server.port(), "GET", "/media/" + victim_key).status, 200);

  // Its own previous object still goes when it is replaced.
  const std::string first_own = key_of(replaced.json()["thumbnail_url"]);
  ASSERT_EQ(upload("uploader", 90).status, 200);
  EXPECT_FALSE(std::filesystem::exists(server.data() / "media" / first_own));
}

}  // namespace
}  // namespace thumbgen
