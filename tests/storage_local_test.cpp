// LocalStorage: atomic replace under concurrent writers and readers, key validation, removal, URLs.
#include "server/storage_local.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "support/scratch_dir.h"

namespace thumbgen::server {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

class LocalStorageTest : public ::testing::Test {
 protected:
  static Bytes read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
  }
  std::vector<fs::path> all_files() const {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(root))
      if (entry.is_regular_file()) files.push_back(entry.path());
    return files;
  }

  test::ScratchDir scratch{"thumbgen-storage"};
  fs::path root = scratch / "media";  // not there yet: the storage makes it
};

TEST_F(LocalStorageTest, PutReadOverwriteRemove) {
  LocalStorage storage(root);
  const Bytes first = {1, 2, 3}, second(5000, 7);
  EXPECT_EQ(storage.put("thumbs/1/abc.jpg", first, "image/jpeg"), "thumbs/1/abc.jpg");
  const auto path = storage.local_path("thumbs/1/abc.jpg");
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(read_file(*path), first);
  EXPECT_EQ(fs::status(*path).permissions() & fs::perms::others_read, fs::perms::others_read);  // servable
  storage.put("thumbs/1/abc.jpg", second, "image/jpeg");
  EXPECT_EQ(read_file(*path), second);
  EXPECT_EQ(all_files().size(), 1u);  // no temp files left
  storage.remove("thumbs/1/abc.jpg");
  EXPECT_FALSE(fs::exists(*path));
  EXPECT_NO_THROW(storage.remove("thumbs/1/abc.jpg"));  // idempotent
  EXPECT_NO_THROW(storage.remove("thumbs/never/was.jpg"));
}

TEST_F(LocalStorageTest, EmptyObject) {
  LocalStorage storage(root);
  storage.put("a/empty.bin", {}, "application/octet-stream");
  EXPECT_EQ(fs::file_size(*storage.local_path("a/empty.bin")), 0u);
}

TEST_F(LocalStorageTest, BadKeysRejected) {
  LocalStorage storage(root);
  const Bytes data = {1};
  for (const char* key : {"", "/etc/passwd", "../escape.jpg", "thumbs/../../escape.jpg", "thumbs/..", "thumbs/./x.jpg",
                          "thumbs//x.jpg", "thumbs/x.jpg/", ".hidden", "thumbs/.tmp-x", "a b.jpg", "a\\b.jpg",
                          "thumbs/x.jpg\n", "thumbs/\xc3\xa9.jpg", "thumbs/x?.jpg", "thumbs/%2e%2e/x"}) {
    EXPECT_THROW(storage.put(key, data, "image/jpeg"), std::invalid_argument) << key;
    EXPECT_FALSE(storage.local_path(key).has_value()) << key;
    EXPECT_THROW(storage.remove(key), std::invalid_argument) << key;
  }
  EXPECT_THROW(storage.put(std::string(600, 'a'), data, "image/jpeg"), std::invalid_argument);
  EXPECT_TRUE(all_files().empty());
  EXPECT_FALSE(fs::exists(root.parent_path() / "escape.jpg"));
}

TEST_F(LocalStorageTest, PublicUrl) {
  LocalStorage storage(root);
  EXPECT_EQ(storage.public_url("thumbs/1/a.jpg", "https://example.org"), "https://example.org/media/thumbs/1/a.jpg");
  EXPECT_EQ(storage.public_url("thumbs/1/a.jpg", "https://example.org/"), "https://example.org/media/thumbs/1/a.jpg");
  EXPECT_EQ(storage.public_url("thumbs/1/a.jpg", ""), "/media/thumbs/1/a.jpg");
}

TEST(ThumbnailKeyTest, ContentAddressed) {
  const std::string hex(64, 'a');
  EXPECT_EQ(thumbnail_key(123, hex), "thumbs/123/" + hex + ".jpg");
  EXPECT_EQ(thumbnail_key(9007199254740993, hex), "thumbs/9007199254740993/" + hex + ".jpg");  // > 2^53, exact
  EXPECT_TRUE(is_valid_storage_key(thumbnail_key(1, hex)));
  EXPECT_THROW(thumbnail_key(1, "abc"), std::invalid_argument);
  EXPECT_THROW(thumbnail_key(1, std::string(64, 'A')), std::invalid_argument);
  EXPECT_THROW(thumbnail_key(1, std::string(63, 'a') + "/"), std::invalid_argument);
}

TEST_F(LocalStorageTest, ConcurrentWritersNeverMix) {
  LocalStorage storage(root);
  const std::string key = "thumbs/7/same.jpg";
  constexpr int kWriters = 4, kRounds = 25;
  constexpr std::size_t kSize = 256 * 1024;
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, bad_reads{0};

  std::thread reader([&] {
    const fs::path path = root / key;
    while (!done) {
      if (!fs::exists(path)) continue;
      const Bytes content = read_file(path);
      if (content.empty()) continue;  // file replaced between exists() and open: fine
      ++reads;
      const bool whole = content.size() == kSize &&
                         std::all_of(content.begin(), content.end(), [&](std::uint8_t b) { return b == content[0]; });
      if (!whole) ++bad_reads;
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w)
    writers.emplace_back([&, w] {
      const Bytes data(kSize, static_cast<std::uint8_t>(w + 1));
      for (int round = 0; round < kRounds; ++round) storage.put(key, data, "image/jpeg");
    });
  for (auto& writer : writers) writer.join();
  done = true;
  reader.join();

  const Bytes final_content = read_file(root / key);
  ASSERT_EQ(final_content.size(), kSize);
  EXPECT_GE(final_content[0], 1);
  EXPECT_LE(final_content[0], kWriters);
  EXPECT_TRUE(std::all_of(final_content.begin(), final_content.end(), [&](auto b) { return b == final_content[0]; }));
  EXPECT_EQ(bad_reads.load(), 0) << "of " << reads.load() << " reads";
  EXPECT_EQ(all_files().size(), 1u) << "temp files left behind";
}

TEST_F(LocalStorageTest, FailedWriteLeavesPreviousObjectAndNoTemp) {
  LocalStorage storage(root);
  const Bytes old_content = {9, 9, 9};
  storage.put("thumbs/2/x.jpg", old_content, "image/jpeg");
  // Make the directory read-only: the temp file cannot be created, the old object must survive.
  fs::permissions(root / "thumbs/2", fs::perms::owner_read | fs::perms::owner_exec);
  if (::geteuid() != 0) {
    EXPECT_THROW(storage.put("thumbs/2/x.jpg", Bytes(10, 1), "image/jpeg"), std::system_error);
    EXPECT_EQ(read_file(root / "thumbs/2/x.jpg"), old_content);
  }
  fs::permissions(root / "thumbs/2", fs::perms::owner_all);
  EXPECT_EQ(all_files().size(), 1u);
}

}  // namespace
}  // namespace thumbgen::server
