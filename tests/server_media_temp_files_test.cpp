// Temporary files that uploads interrupted by a crash leave in the media storage are removed when the server starts
// (issue 10, item 11), over a real `thumbgen serve`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "support/server_process.h"

namespace thumbgen {
namespace {

namespace fs = std::filesystem;
using test::ServerProcess;

TEST(ServerMediaTempFilesTest, StaleTemporaryFilesAreRemovedAtStart) {
  ServerProcess server;
  fs::path thumbs = server.data() / "media" / "thumbs" / "7";
  fs::create_directories(thumbs);
  // What an upload interrupted by a crash leaves behind (LocalStorage::put names its temporary files so).
  const std::vector<fs::path> stale = {thumbs / ".tmp-0123456789abcdef-ab12.jpg",
                                       server.data() / "media" / ".tmp-fedcba9876543210-x.jpg"};
  const std::vector<fs::path> kept = {thumbs / "ab12.jpg", thumbs / "x.tmp-0123456789abcdef",
                                      server.data() / ".tmp-0123456789abcdef-outside-media"};
  for (const auto& file : stale) std::ofstream(file) << "partial";
  for (const auto& file : kept) std::ofstream(file) << "kept";
  server.start();
  for (const auto& file : stale) EXPECT_FALSE(fs::exists(file)) << file;
  for (const auto& file : kept) EXPECT_TRUE(fs::exists(file)) << file;
}

}  // namespace
}  // namespace thumbgen
