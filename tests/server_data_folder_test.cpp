// The data folder is private (issue 10, item 8): whatever `thumbgen user`, `import` and `serve` create under --data
// (catalogue and its -wal/-shm, keys, media) is owner-only whatever the umask they start with; serve refuses a key
// file others may read and warns about a catalogue others may read.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/catalogue.h"
#include "support/http_client.h"
#include "support/server_fixtures.h"
#include "support/server_process.h"

namespace thumbgen {
namespace {

namespace fs = std::filesystem;
using namespace test;

// The usual umask, under which files come out world-readable unless the program says otherwise.
class DataFolderTest : public ::testing::Test {
 protected:
  void SetUp() override { saved_umask_ = ::umask(022); }
  void TearDown() override { ::umask(saved_umask_); }

  static unsigned mode_of(const fs::path& path) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) ADD_FAILURE() << "cannot stat " << path;
    return info.st_mode & 0777;
  }
  // Every path under `folder` (and the folder) that group or others may access.
  static std::vector<std::string> shared_paths(const fs::path& folder) {
    std::vector<std::string> shared;
    if ((mode_of(folder) & 077) != 0) shared.push_back(folder.string());
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
      if ((mode_of(entry.path()) & 077) != 0) {
        char octal[8];
        std::snprintf(octal, sizeof octal, "%03o", mode_of(entry.path()));
        shared.push_back(entry.path().string() + " " + octal);
      }
    }
    return shared;
  }

  mode_t saved_umask_ = 0;
};

TEST_F(DataFolderTest, EverythingUserImportAndServeCreateIsOwnerOnly) {
  ServerProcess server;
  ASSERT_EQ(server.add_user("admin", "admin-password", true), 0);  // creates the folder and the catalogue
  const fs::path models = server.data().parent_path() / "models";
  fs::create_directories(models);
  std::ofstream(models / "tri.obj") << "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n";
  ASSERT_EQ(server.import({models.string()}), 0);
  server.start();
  const std::string token =
      http_request(server.port(), "POST", "/api/v1/login/jwt", R"({"username":"admin","password":"admin-password"})")
          .json()
          .value("access_token", "");
  ASSERT_FALSE(token.empty()) << server.log();
  const std::map<std::string, std::string> auth = {{"Authorization", "Bearer " + token}};
  auto listing = http_request(server.port(), "GET", "/api/v1/admin/assets/missing-thumbnails", "", auth).json();
  ASSERT_EQ(listing["assets"].size(), 1u) << listing.dump();
  const std::string url = listing["assets"][0]["url"];
  HttpResult upload =
      http_request(server.port(), "POST", "/api/v1/admin/assets/" + url + "/thumbnail", test::upload_body(90), auth);
  ASSERT_EQ(upload.status, 200) << upload.body;

  for (const char* name : {"catalogue.sqlite3", "catalogue.sqlite3-wal", "catalogue.sqlite3-shm", "keys", "media"})
    EXPECT_TRUE(fs::exists(server.data() / name)) << name;
  EXPECT_EQ(shared_paths(server.data()), std::vector<std::string>{});
  EXPECT_EQ(mode_of(server.data()), 0700u);
  EXPECT_EQ(mode_of(server.data() / "catalogue.sqlite3"), 0600u);
}

TEST_F(DataFolderTest, ImportIntoANewFolderCreatesItOwnerOnly) {
  ServerProcess server;
  const fs::path models = server.data().parent_path() / "models";
  fs::create_directories(models);
  std::ofstream(models / "tri.obj") << "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n";
  ASSERT_EQ(server.import({models.string()}), 0);
  EXPECT_EQ(shared_paths(server.data()), std::vector<std::string>{});
}

TEST_F(DataFolderTest, ACatalogueMadeInProcessIsOwnerOnlyToo) {
  ServerProcess scratch;  // only for its temporary folder
  fs::create_directories(scratch.data());
  { server::Catalogue catalogue(scratch.data() / "c.sqlite3", 1); }
  EXPECT_EQ(mode_of(scratch.data() / "c.sqlite3"), 0600u);
}

TEST_F(DataFolderTest, ServeWarnsAboutACatalogueOthersCanRead) {
  ServerProcess server;
  ASSERT_EQ(server.add_user("admin", "admin-password", true), 0);
  fs::permissions(server.data() / "catalogue.sqlite3", fs::perms(0644));
  server.start();  // still serves: the operator may have reasons, but is told
  const std::string log = server.log();
  EXPECT_NE(log.find("catalogue.sqlite3"), std::string::npos) << log;
  EXPECT_NE(log.find("chmod 600"), std::string::npos) << log;
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz").status, 200);
}

TEST_F(DataFolderTest, ServeRefusesAKeyFileOthersCanRead) {
  ServerProcess server;
  server.start();
  ASSERT_EQ(server.stop(), 0);
  fs::permissions(server.data() / "keys", fs::perms(0640));
  EXPECT_THROW(server.restart(), std::runtime_error);
  EXPECT_NE(server.log().find("must not be accessible by others (chmod 600)"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace thumbgen
