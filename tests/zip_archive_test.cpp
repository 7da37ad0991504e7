// ZipArchive: reads what minizip writes, refuses what is not a zip, and holds its limits against lying headers.
#include "scene/zip_archive.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "scene/load_error.h"
#include "support/zip_writer.h"

namespace thumbgen::scene {
namespace {

using test::Bytes;
using test::make_zip;
using test::text_bytes;

TEST(ZipArchive, ListsAndReadsStoredAndDeflatedEntries) {
  for (bool deflate : {false, true}) {
    const Bytes zip = make_zip({{"metadata.json", text_bytes("{\"a\":1}")}, {"data.sketch", Bytes(5000, 7)}}, deflate);
    ZipArchive archive(zip, "sketch.tilt");
    EXPECT_EQ(archive.names(), (std::vector<std::string>{"metadata.json", "data.sketch"}));
    EXPECT_TRUE(archive.contains("data.sketch"));
    EXPECT_FALSE(archive.contains("thumbnail.png"));
    EXPECT_EQ(archive.read("metadata.json", 100), text_bytes("{\"a\":1}"));
    EXPECT_EQ(archive.read("data.sketch", 5000), Bytes(5000, 7));
  }
}

TEST(ZipArchive, AcceptsBytesBeforeTheArchive) {
  // Older .tilt files put a 16-byte "tilT" header before the zip.
  Bytes file = text_bytes("tilT\x10\0\0\0\x01\0\0\0\0\0\0\0");
  file.resize(16);
  const Bytes zip = make_zip({{"data.sketch", text_bytes("strokes")}});
  file.insert(file.end(), zip.begin(), zip.end());
  ZipArchive archive(file, "old.tilt");
  EXPECT_EQ(archive.read("data.sketch", 100), text_bytes("strokes"));
}

TEST(ZipArchive, RefusesWhatIsNotAZip) {
  for (const Bytes& bytes : {Bytes{}, text_bytes("PK\3\4 not really"), Bytes(100'000, 0)}) {
    try {
      ZipArchive archive(bytes, "x.tilt");
      FAIL() << "accepted " << bytes.size() << " bytes";
    } catch (const LoadError& e) {
      EXPECT_NE(std::string(e.what()).find("x.tilt: not a zip archive"), std::string::npos) << e.what();
    }
  }
}

TEST(ZipArchive, NamesTheMissingEntry) {
  const Bytes zip = make_zip({{"a", text_bytes("1")}});
  ZipArchive archive(zip, "x.sog");
  EXPECT_THROW(
      {
        try {
          archive.read("meta.json", 100);
        } catch (const LoadError& e) {
          EXPECT_STREQ(e.what(), "x.sog: meta.json is missing from the zip archive");
          throw;
        }
      },
      LoadError);
}

TEST(ZipArchive, EnforcesTheSizeLimitEvenWhenTheHeaderLies) {
  const Bytes zip = make_zip({{"big", Bytes(200'000, 1)}});
  ZipArchive archive(zip, "x.tilt");
  EXPECT_THROW(archive.read("big", 199'999), LoadError);

  // Shrink the declared size in both headers: inflating must still stop at the limit.
  Bytes lying = zip;
  const std::uint32_t small = 10;
  for (std::size_t i = 0; i + 4 <= lying.size(); ++i) {
    const bool local = lying[i] == 'P' && lying[i + 1] == 'K' && lying[i + 2] == 3 && lying[i + 3] == 4;
    const bool central = lying[i] == 'P' && lying[i + 1] == 'K' && lying[i + 2] == 1 && lying[i + 3] == 2;
    const std::size_t at = local ? i + 22 : central ? i + 24 : 0;
    if (at != 0 && at + 4 <= lying.size()) std::memcpy(&lying[at], &small, 4);
  }
  ZipArchive liar(lying, "x.tilt");
  EXPECT_THROW(liar.read("big", 1000), LoadError);
}

// Reads "small" from `zip` with the address space limited to what the process uses plus 1 GiB; the exit code of a
// death test: 0 when it reads back "a few bytes".
int read_with_one_gib_of_address_space(const Bytes& zip) {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0;
  statm >> pages;
  const rlim_t limit = pages * static_cast<rlim_t>(::sysconf(_SC_PAGESIZE)) + (1ull << 30);
  const rlimit address_space{limit, limit};
  if (::setrlimit(RLIMIT_AS, &address_space) != 0) return 2;
  ZipArchive archive(zip, "x.tilt");
  return archive.read("small", 8ull << 30) == text_bytes("a few bytes") ? 0 : 3;
}

// A header claiming gigabytes for a few bytes must not reserve them: under a render process's RLIMIT_AS that is a
// std::bad_alloc (not a LoadError) for a 200-byte upload.
TEST(ZipArchive, AHeaderClaimingGigabytesReservesNothingLikeIt) {
  Bytes lying = make_zip({{"small", text_bytes("a few bytes")}});
  const std::uint32_t huge = 0xE0000000u;  // 3.5 GiB
  for (std::size_t i = 0; i + 4 <= lying.size(); ++i) {
    const bool local = lying[i] == 'P' && lying[i + 1] == 'K' && lying[i + 2] == 3 && lying[i + 3] == 4;
    const bool central = lying[i] == 'P' && lying[i + 1] == 'K' && lying[i + 2] == 1 && lying[i + 3] == 2;
    const std::size_t at = local ? i + 22 : central ? i + 24 : 0;
    if (at != 0 && at + 4 <= lying.size()) std::memcpy(&lying[at], &huge, 4);
  }
  EXPECT_EXIT(std::_Exit(read_with_one_gib_of_address_space(lying)), ::testing::ExitedWithCode(0), "");
}

TEST(ZipArchive, ReportsCorruptData) {
  Bytes zip = make_zip({{"data.sketch", Bytes(50'000, 3)}});
  zip[60] ^= 0xff;  // inside the deflated data of the only entry
  ZipArchive archive(zip, "x.tilt");
  EXPECT_THROW(archive.read("data.sketch", 100'000), LoadError);
}

}  // namespace
}  // namespace thumbgen::scene
