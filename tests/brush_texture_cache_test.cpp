// Brush textures from the operator's URL prefix, over real HTTP on loopback: a tiny file server on 127.0.0.2 plays
// the gallery's mirror of the Open Brush brush textures; the cache is a real folder.
#include "worker/brush_texture_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "support/scratch_dir.h"
#include "support/tiny_http_server.h"

namespace thumbgen {
namespace {

namespace fs = std::filesystem;
using test::TinyHttpServer;

constexpr const char* kInk = "Ink-f5c336cf-5108-4b40-ade9-c687504385ab";
constexpr const char* kLight = "Light-2241cd32-8ba2-48a5-9ee7-2caef7e9ed62";

// The URL an export writes (never fetched itself), and the path the mirror has for it.
std::string export_url(const std::string& brush, const std::string& kind = "MainTex") {
  return "https://www.tiltbrush.com/shaders/brushes/" + brush + "/" + brush + "-v10.0-" + kind + ".png";
}
std::string mirror_path(const std::string& brush, const std::string& kind = "MainTex") {
  return "/mirror/brushes/" + brush + "/" + brush + "-v10.0-" + kind + ".png";
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class BrushTextureCacheTest : public ::testing::Test {
 protected:
  worker::BrushTextureCache cache(worker::BrushTextureLimits limits = {}) {
    return worker::BrushTextureCache(mirror_.origin() + "/mirror/brushes/", scratch_.path() / "cache", policy_, limits);
  }
  fs::path cached(const std::string& brush, const std::string& kind = "MainTex") {
    return scratch_.path() / "cache" / brush / (brush + "-v10.0-" + kind + ".png");
  }

  test::ScratchDir scratch_{"brush-texture-cache"};
  TinyHttpServer mirror_{"127.0.0.2", TinyHttpServer::serve({{mirror_path(kInk), "ink texture"},
                                                             {mirror_path(kLight), std::string(5000, 'L')}})};
  // The mirror allowed by address (a loopback address must be), as --allow-host 127.0.0.2:PORT does.
  worker::FetchPolicy policy_{"", {"127.0.0.2:" + std::to_string(mirror_.port())}};
};

TEST_F(BrushTextureCacheTest, ATextureIsFetchedOnceAndThenServedFromTheCache) {
  {
    auto first = cache();
    EXPECT_TRUE(first.fetch({export_url(kInk), export_url(kInk)}).empty());
  }
  EXPECT_EQ(read_text(cached(kInk)), "ink texture");
  EXPECT_EQ(mirror_.requests(mirror_path(kInk)), 1);
  // Another model naming the same texture, in a later run: no request.
  auto later = cache();
  EXPECT_TRUE(later.fetch({export_url(kInk)}).empty());
  EXPECT_EQ(mirror_.requests(mirror_path(kInk)), 1);
  EXPECT_EQ(mirror_.connections(), 1);
  // Nothing half-written is left behind.
  EXPECT_TRUE(fs::is_empty(scratch_.path() / "cache" / ".incoming"));
}

TEST_F(BrushTextureCacheTest, AMissingTextureIsAWarningAskedForOncePerRun) {
  auto textures = cache();
  const std::vector<std::string> warnings = textures.fetch({export_url(kInk, "BumpMap")});
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("HTTP 404"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find(std::string(kInk) + "-v10.0-BumpMap.png"), std::string::npos) << warnings[0];
  EXPECT_FALSE(fs::exists(cached(kInk, "BumpMap")));
  EXPECT_TRUE(textures.fetch({export_url(kInk, "BumpMap")}).empty());  // warned already
  EXPECT_EQ(mirror_.requests(mirror_path(kInk, "BumpMap")), 1);
}

TEST_F(BrushTextureCacheTest, AnOversizedTextureIsRefusedAndNotStored) {
  auto textures = cache({.max_file_bytes = 1000, .max_total_bytes = 1 << 20});
  const std::vector<std::string> warnings = textures.fetch({export_url(kLight), export_url(kInk)});
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("larger than"), std::string::npos) << warnings[0];
  EXPECT_FALSE(fs::exists(cached(kLight)));
  EXPECT_EQ(read_text(cached(kInk)), "ink texture");  // the others still come
  EXPECT_TRUE(fs::is_empty(scratch_.path() / "cache" / ".incoming"));
}

TEST_F(BrushTextureCacheTest, TheCacheStopsAtItsTotalLimit) {
  auto textures = cache({.max_file_bytes = 1 << 20, .max_total_bytes = 5010});
  EXPECT_TRUE(textures.fetch({export_url(kLight)}).empty());
  const std::vector<std::string> warnings = textures.fetch({export_url(kInk)});
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("does not fit"), std::string::npos) << warnings[0];
  EXPECT_FALSE(fs::exists(cached(kInk)));
  // What a previous run left counts too.
  auto next_run = cache({.max_file_bytes = 1 << 20, .max_total_bytes = 5010});
  EXPECT_EQ(next_run.fetch({export_url(kInk)}).size(), 1u);
}

// A model may list up to 10,000 references: made-up brush texture paths would each cost a request to the operator's
// mirror (and a warning), thousands per upload. One model's fetch stops at a number no real sketch needs.
TEST_F(BrushTextureCacheTest, OneModelCannotAskForThousandsOfTextures) {
  auto textures = cache();
  std::vector<std::string> urls;
  for (int i = 0; i < 1000; ++i)
    urls.push_back(export_url("Made" + std::to_string(i) + "-f5c336cf-5108-4b40-ade9-c687504385ab"));
  const std::vector<std::string> warnings = textures.fetch(urls);
  EXPECT_EQ(mirror_.connections(), static_cast<int>(worker::BrushTextureCache::kMaxFetchesPerCall));
  ASSERT_FALSE(warnings.empty());
  EXPECT_NE(warnings.back().find("the rest are not fetched"), std::string::npos) << warnings.back();
  EXPECT_LE(warnings.size(), worker::BrushTextureCache::kMaxFetchesPerCall + 1);
}

TEST_F(BrushTextureCacheTest, OnlyBrushTexturePathsBelowThePrefixAreAskedFor) {
  auto textures = cache();
  const std::vector<std::string> warnings =
      textures.fetch({"https://www.tiltbrush.com/textures/a.png", "https://h/shaders/brushes/../../secret.png",
                      "https://h/shaders/brushes/a/../../secret.png", "https://h/shaders/brushes/.x/y.png",
                      "https://h/shaders/brushes/a%2F..%2F..%2Fsecret.png", "https://h/shaders/brushes/flat.png",
                      "file:///shaders/brushes/a/b.png"});
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(mirror_.connections(), 0);
}

TEST_F(BrushTextureCacheTest, APrefixOnAHostThatIsNotAllowedIsRefusedAtStart) {
  TinyHttpServer elsewhere("127.0.0.3", TinyHttpServer::serve({}));
  try {
    worker::BrushTextureCache refused(elsewhere.origin() + "/brushes/", scratch_.path() / "cache", policy_);
    FAIL() << "a prefix on another host was accepted";
  } catch (const std::invalid_argument& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("--brush-textures"), std::string::npos) << message;
    EXPECT_NE(message.find("--allow-host 127.0.0.3:" + std::to_string(elsewhere.port())), std::string::npos) << message;
  }
  EXPECT_THROW(worker::BrushTextureCache("ftp://127.0.0.2/x/", scratch_.path() / "cache", policy_),
               std::invalid_argument);
  EXPECT_EQ(elsewhere.connections(), 0);
}

TEST_F(BrushTextureCacheTest, TheServersOwnHostIsAllowedForWork) {
  worker::FetchPolicy work_policy(mirror_.origin(), {});
  EXPECT_NO_THROW(worker::brush_texture_prefix(mirror_.origin() + "/mirror/brushes", work_policy));
  EXPECT_EQ(worker::brush_texture_prefix(mirror_.origin() + "/mirror/brushes", work_policy).path, "/mirror/brushes/");
}

}  // namespace
}  // namespace thumbgen
