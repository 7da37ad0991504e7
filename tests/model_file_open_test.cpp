// Opening model files below their folder without following symlinks (server/model_file_open.h), with openat2 and
// with the walk used where the kernel lacks it; the data-folder guard; and the import's folder listing.
#include "server/model_file_open.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "server/data_folder_guard.h"
#include "server/folder_listing.h"
#include "support/scratch_dir.h"

namespace thumbgen::server {
namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string read_all(int fd) {
  std::string text;
  char buffer[256];
  for (ssize_t got; (got = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(got));
  return text;
}

class OpenBeneathTest : public ::testing::TestWithParam<BeneathResolver> {
 protected:
  void SetUp() override {
    root_ = fs::canonical(scratch_.path()) / "model";
    write_file(root_ / "model.obj", "obj");
    write_file(root_ / "textures" / "wood.png", "wood");
    write_file(scratch_ / "secret.txt", "secret");
    fs::create_directories(scratch_ / "elsewhere");
    write_file(scratch_ / "elsewhere" / "wood.png", "outside");
    fs::create_symlink(scratch_ / "secret.txt", root_ / "secret.png");
    fs::create_symlink("model.obj", root_ / "inside-link.obj");  // even a link that stays inside is refused
    fs::create_directory_symlink(scratch_ / "elsewhere", root_ / "linked");
    folder_ = UniqueFd(::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(folder_);
    if (GetParam() == BeneathResolver::Openat2 &&
        open_beneath(folder_.get(), "model.obj", O_RDONLY, BeneathResolver::Openat2) == -ENOSYS) {
      GTEST_SKIP() << "this kernel has no openat2";
    }
  }
  int open(const std::string& relative) { return open_beneath(folder_.get(), relative, O_RDONLY, GetParam()); }

  test::ScratchDir scratch_{"thumbgen-open-beneath"};
  fs::path root_;
  UniqueFd folder_;
};

TEST_P(OpenBeneathTest, OpensFilesBelowTheFolder) {
  UniqueFd model(open("model.obj"));
  ASSERT_TRUE(model);
  EXPECT_EQ(read_all(model.get()), "obj");
  UniqueFd texture(open("textures/wood.png"));
  ASSERT_TRUE(texture);
  EXPECT_EQ(read_all(texture.get()), "wood");
  EXPECT_EQ(open("missing.png"), -ENOENT);
}

TEST_P(OpenBeneathTest, NeverFollowsASymlink) {
  EXPECT_LT(open("secret.png"), 0);
  EXPECT_LT(open("inside-link.obj"), 0);
  EXPECT_LT(open("linked/wood.png"), 0);
  EXPECT_LT(open_beneath(folder_.get(), "linked", O_PATH | O_DIRECTORY, GetParam()), 0);
}

TEST_P(OpenBeneathTest, TakesOnlyPlainRelativePaths) {
  for (const char* path : {"", "..", "../secret.txt", "textures/../model.obj", "./model.obj", "/etc/passwd",
                           "textures//wood.png", "textures/", ".hidden", "textures/.wood.png"}) {
    EXPECT_EQ(open(path), -EINVAL) << path;
  }
  EXPECT_EQ(open(std::string("model.obj\0.png", 14)), -EINVAL);
}

TEST_P(OpenBeneathTest, OpensAFolderOnlyWhenNoComponentIsASymlink) {
  UniqueFd folder(open_folder_without_symlinks(root_ / "textures", GetParam()));
  EXPECT_TRUE(folder);
  EXPECT_LT(open_folder_without_symlinks(root_ / "linked", GetParam()), 0);
  fs::create_directory_symlink(root_, scratch_ / "model-link");
  EXPECT_LT(open_folder_without_symlinks(scratch_ / "model-link" / "textures", GetParam()), 0);
  EXPECT_EQ(open_folder_without_symlinks("relative/folder", GetParam()), -EINVAL);
  EXPECT_EQ(open_folder_without_symlinks(root_ / ".." / "model", GetParam()), -EINVAL);
}

INSTANTIATE_TEST_SUITE_P(Resolvers, OpenBeneathTest, ::testing::Values(BeneathResolver::Openat2, BeneathResolver::Walk),
                         [](const auto& info) { return info.param == BeneathResolver::Walk ? "Walk" : "Openat2"; });

class PublishedFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    top_ = fs::canonical(scratch_.path());
    write_file(top_ / "data" / "keys", "k1 secret");
    write_file(top_ / "models" / "model.obj", "obj");
  }
  std::variant<OpenedFile, OpenRefusal> open(const fs::path& root, const std::string& relative) {
    return open_published_file(root, relative, DataFolderGuard(top_ / "data"));
  }

  test::ScratchDir scratch_{"thumbgen-published-file"};
  fs::path top_;
};

TEST_F(PublishedFileTest, OpensARegularFileWithItsSize) {
  auto opened = open(top_ / "models", "model.obj");
  ASSERT_TRUE(std::holds_alternative<OpenedFile>(opened)) << std::get<OpenRefusal>(opened).reason;
  EXPECT_EQ(std::get<OpenedFile>(opened).size, 3u);
  EXPECT_EQ(::fcntl(std::get<OpenedFile>(opened).fd.get(), F_GETFL) & O_NONBLOCK, 0);  // blocking reads again
}

TEST_F(PublishedFileTest, RefusesTheDataFolderAndHardLinksToItsFiles) {
  auto inside = open(top_, "data/keys");
  ASSERT_TRUE(std::holds_alternative<OpenRefusal>(inside));
  EXPECT_EQ(std::get<OpenRefusal>(inside).reason, "inside the data folder");
  EXPECT_TRUE(std::holds_alternative<OpenRefusal>(open(top_ / "data", "keys")));
  fs::create_hard_link(top_ / "data" / "keys", top_ / "models" / "keys.png");
  auto linked = open(top_ / "models", "keys.png");
  ASSERT_TRUE(std::holds_alternative<OpenRefusal>(linked));
  EXPECT_EQ(std::get<OpenRefusal>(linked).reason, "a hard link to a file of the data folder");
}

TEST_F(PublishedFileTest, RefusesFifosWithoutBlockingAndFolders) {
  ASSERT_EQ(::mkfifo((top_ / "models" / "pipe.png").c_str(), 0600), 0);
  fs::create_directories(top_ / "models" / "folder.png");
  const auto started = std::chrono::steady_clock::now();
  auto fifo = open(top_ / "models", "pipe.png");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  ASSERT_TRUE(std::holds_alternative<OpenRefusal>(fifo));
  EXPECT_FALSE(std::get<OpenRefusal>(fifo).transient);
  EXPECT_TRUE(std::holds_alternative<OpenRefusal>(open(top_ / "models", "folder.png")));
}

TEST_F(PublishedFileTest, RefusesAModelFolderReachedThroughASymlink) {
  fs::create_directory_symlink(top_ / "models", top_ / "models-link");
  auto opened = open(top_ / "models-link", "model.obj");
  ASSERT_TRUE(std::holds_alternative<OpenRefusal>(opened));
  EXPECT_NE(std::get<OpenRefusal>(opened).reason.find("symlink"), std::string::npos)
      << std::get<OpenRefusal>(opened).reason;
}

TEST(DataFolderGuard, ContainsComparesWholeComponents) {
  const DataFolderGuard guard("/srv/data/");
  EXPECT_TRUE(guard.contains("/srv/data"));
  EXPECT_TRUE(guard.contains("/srv/data/keys"));
  EXPECT_TRUE(guard.contains("/srv/models/../data/keys"));
  EXPECT_FALSE(guard.contains("/srv/data2/keys"));
  EXPECT_FALSE(guard.contains("/srv"));
  EXPECT_FALSE(DataFolderGuard().contains("/srv/data/keys"));
}

TEST(FolderListing, ListsRegularFilesOnlyAndNothingOfTheDataFolder) {
  test::ScratchDir scratch("thumbgen-folder-listing");
  const fs::path top = fs::canonical(scratch.path());
  write_file(top / "outside" / "secret.png", "secret");
  const fs::path root = top / "models";
  write_file(root / "a.obj", "obj");
  write_file(root / "sub" / "b.png", "png");
  write_file(root / ".git" / "config", "hidden");
  write_file(root / ".env", "hidden");
  write_file(root / "data" / "keys", "k1 secret");
  fs::create_symlink(top / "outside" / "secret.png", root / "link.png");
  fs::create_directory_symlink(top / "outside", root / "linked");
  ASSERT_EQ(::mkfifo((root / "pipe.png").c_str(), 0600), 0);
  fs::create_hard_link(root / "data" / "keys", root / "sub" / "keys.bin");

  const UniqueFd folder(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  FolderListing listing = list_folder(folder.get(), DataFolderGuard(root / "data"));
  EXPECT_EQ(listing.files, (std::vector<std::string>{"a.obj", "sub/b.png"}));
  EXPECT_TRUE(listing.problems.empty());
}

TEST(FolderListing, ReportsFoldersTooDeepToList) {
  test::ScratchDir scratch("thumbgen-folder-listing");
  fs::path deep = scratch.path();
  for (int i = 0; i <= kMaxListingDepth; ++i) deep /= "d";
  write_file(deep / "lost.obj", "obj");
  write_file(scratch / "kept.obj", "obj");
  const UniqueFd folder(::open(scratch.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  FolderListing listing = list_folder(folder.get(), DataFolderGuard());
  EXPECT_EQ(listing.files, (std::vector<std::string>{"kept.obj"}));
  ASSERT_EQ(listing.problems.size(), 1u);
  EXPECT_NE(listing.problems[0].find("folders deep"), std::string::npos) << listing.problems[0];
}

}  // namespace
}  // namespace thumbgen::server
