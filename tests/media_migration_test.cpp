// The media half of `thumbgen migrate` between two real stores on disk (the S3 side is the same Storage interface,
// tested against s3rver in s3_storage_test).
#include "server/media_migration.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "server/s3_signer.h"
#include "server/storage_local.h"
#include "support/scratch_dir.h"

namespace thumbgen::server {
namespace {

std::span<const std::uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// A content-addressed thumbnail key for `text`, as uploads make them.
std::string key_for(std::int64_t asset, const std::string& text) {
  return thumbnail_key(asset, sha256_hex(bytes_of(text)));
}

TEST(MediaMigration, CopiesWhatIsMissingAndARerunCopiesNothing) {
  test::ScratchDir dir{"thumbgen-media-migration"};
  LocalStorage from(dir / "from"), to(dir / "to");
  const std::string one = "first thumbnail", two = "second thumbnail", three = "third";
  from.put(key_for(1, one), bytes_of(one), "image/jpeg");
  from.put(key_for(2, two), bytes_of(two), "image/jpeg");
  from.put(key_for(3, three), bytes_of(three), "image/jpeg");
  to.put(key_for(3, three), bytes_of(three), "image/jpeg");  // an earlier, interrupted run got this far

  MediaCopyResult first = copy_media(from, to);
  EXPECT_EQ(first.copied, 2);
  EXPECT_EQ(first.already_there, 1);
  EXPECT_EQ(first.bytes_copied, one.size() + two.size());
  EXPECT_EQ(to.read(key_for(1, one)), one);
  EXPECT_EQ(to.read(key_for(2, two)), two);

  MediaCopyResult again = copy_media(from, to);
  EXPECT_EQ(again.copied, 0);
  EXPECT_EQ(again.already_there, 3);
}

TEST(MediaMigration, AnObjectWhoseBytesDoNotMatchItsKeyStopsTheCopyNamingIt) {
  test::ScratchDir dir{"thumbgen-media-migration"};
  LocalStorage from(dir / "from"), to(dir / "to");
  const std::string key = key_for(7, "what the key promises");
  from.put(key, bytes_of(std::string("something else")), "image/jpeg");
  try {
    copy_media(from, to);
    FAIL() << "a damaged object was copied";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(key), std::string::npos) << error.what();
  }
  EXPECT_EQ(to.read(key), std::nullopt);
}

}  // namespace
}  // namespace thumbgen::server
