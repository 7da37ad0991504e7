// What uploads interrupted by a crash or a failed catalogue update leave in the media storage is removed when the
// server starts (issue 10, item 11), over a real `thumbgen serve`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "server/catalogue.h"
#include "support/server_process.h"

namespace thumbgen {
namespace {

namespace fs = std::filesystem;
using test::ServerProcess;

// Asset 7 whose current thumbnail is thumbs/7/ab12.jpg.
void add_asset_seven(const ServerProcess& server) {
  fs::create_directories(server.data());
  server::Catalogue catalogue(server.data() / "catalogue.sqlite3", 1);
  server::AssetRecord seven;
  seven.id = 7;
  seven.url = "seven";
  seven.thumbnail = "thumbs/7/ab12.jpg";
  catalogue.upsert_asset(seven);
}

TEST(ServerMediaTempFilesTest, StaleTemporaryFilesAreRemovedAtStart) {
  ServerProcess server;
  add_asset_seven(server);
  fs::path thumbs = server.data() / "media" / "thumbs" / "7";
  fs::create_directories(thumbs);
  // What an upload interrupted by a crash leaves behind (LocalStorage::put names its temporary files so).
  const std::vector<fs::path> stale = {thumbs / ".tmp-0123456789abcdef-ab12.jpg",
                                       server.data() / "media" / ".tmp-fedcba9876543210-x.jpg"};
  const std::vector<fs::path> kept = {thumbs / "ab12.jpg", server.data() / "media" / "x.tmp-0123456789abcdef",
                                      server.data() / ".tmp-0123456789abcdef-outside-media"};
  for (const auto& file : stale) std::ofstream(file) << "partial";
  for (const auto& file : kept) std::ofstream(file) << "kept";
  server.start();
  for (const auto& file : stale) EXPECT_FALSE(fs::exists(file)) << file;
  for (const auto& file : kept) EXPECT_TRUE(fs::exists(file)) << file;
}

// An upload stores the file, then switches the asset's pointer: when that update fails, the file stays with nothing
// pointing at it.
TEST(ServerMediaTempFilesTest, StoredThumbnailsNoAssetPointsAtAreRemovedAtStart) {
  ServerProcess server;
  add_asset_seven(server);
  const fs::path thumbs = server.data() / "media" / "thumbs";
  const std::vector<fs::path> orphans = {thumbs / "7" / "0ld0ld.jpg", thumbs / "8" / "ab12.jpg"};  // no asset 8
  const std::vector<fs::path> kept = {thumbs / "7" / "ab12.jpg", thumbs / "not-an-id" / "x.jpg"};
  for (const auto& file : orphans) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << "orphan";
  }
  for (const auto& file : kept) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << "kept";
  }
  server.start();
  for (const auto& file : orphans) EXPECT_FALSE(fs::exists(file)) << file;
  for (const auto& file : kept) EXPECT_TRUE(fs::exists(file)) << file;
  EXPECT_NE(server.log().find("removed 2 stored thumbnail(s)"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace thumbgen
