// The SQLite catalogue: migrations, the missing-thumbnail queue (order, backoff, counts, indexes), upserts.
#include "server/catalogue.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace thumbgen::server {
namespace {

class CatalogueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("thumbgen-catalogue-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    catalogue_ = std::make_unique<Catalogue>(dir_ / "c.sqlite3", 2);
  }
  void TearDown() override {
    catalogue_.reset();
    std::filesystem::remove_all(dir_);
  }
  static AssetRecord asset(const std::string& url, bool compatible = true) {
    AssetRecord record;
    record.url = url;
    record.name = url;
    record.is_viewer_compatible = compatible;
    record.formats.push_back({"GLB", url + ".glb", true, {{url + ".glb", "model/gltf-binary"}}});
    return record;
  }
  std::vector<std::string> queue(int limit = 100) {
    MissingQuery query;
    query.limit = limit;
    std::vector<std::string> urls;
    for (const auto& item : catalogue_->list_missing(query).assets) urls.push_back(item.url);
    return urls;
  }
  std::filesystem::path dir_;
  std::unique_ptr<Catalogue> catalogue_;
};

TEST_F(CatalogueTest, MigrationsAreVersionedAndReopenable) {
  catalogue_.reset();
  catalogue_ = std::make_unique<Catalogue>(dir_ / "c.sqlite3", 1);  // second open: nothing to migrate
  int version = catalogue_->with_connection([](sql::Connection& db) {
    auto statement = db.prepare("PRAGMA user_version");
    statement.step();
    return static_cast<int>(statement.int64(0));
  });
  EXPECT_EQ(version, schema_version());
  std::string mode = catalogue_->with_connection([](sql::Connection& db) {
    auto statement = db.prepare("PRAGMA journal_mode");
    statement.step();
    return statement.text(0);
  });
  EXPECT_EQ(mode, "wal");
}

TEST_F(CatalogueTest, UpsertIsIdempotentAndKeyedByUrl) {
  EXPECT_EQ(catalogue_->upsert_asset(asset("a")), UpsertOutcome::Inserted);
  EXPECT_EQ(catalogue_->upsert_asset(asset("a")), UpsertOutcome::Unchanged);
  AssetRecord renamed = asset("a");
  renamed.name = "renamed";
  EXPECT_EQ(catalogue_->upsert_asset(renamed), UpsertOutcome::Updated);
  EXPECT_EQ(catalogue_->count_assets(), 1);
  auto by_url = catalogue_->find_asset("a");
  ASSERT_TRUE(by_url);
  auto by_id = catalogue_->find_asset(std::to_string(by_url->id));
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->url, "a");
  EXPECT_FALSE(catalogue_->find_asset("b"));
}

TEST_F(CatalogueTest, SixtyFourBitIdsSurvive) {
  AssetRecord big = asset("big");
  big.id = 9007199254740993;
  catalogue_->upsert_asset(big);
  EXPECT_EQ(catalogue_->find_asset("9007199254740993")->id, 9007199254740993);
}

TEST_F(CatalogueTest, FailedAssetsMoveBehindNeverTriedOnesAndCountsFollow) {
  for (const char* url : {"a", "b", "c"}) catalogue_->upsert_asset(asset(url));
  catalogue_->upsert_asset(asset("hidden", false));
  EXPECT_EQ(queue(), (std::vector<std::string>{"a", "b", "c"}));
  auto a = catalogue_->find_asset("a")->id;
  FailureRecord first = catalogue_->record_failure(a, "boom", 1000);
  EXPECT_EQ(first.attempts, 1);
  EXPECT_EQ(first.next_attempt_at, 1060);
  EXPECT_EQ(catalogue_->record_failure(a, "boom", 1000).next_attempt_at, 1120);  // doubled
  EXPECT_EQ(queue(), (std::vector<std::string>{"b", "c", "a"}));                 // still listed, never first
  for (int i = 0; i < 40; ++i) catalogue_->record_failure(a, "boom", 1000);
  EXPECT_EQ(catalogue_->record_failure(a, "boom", 1000).next_attempt_at, 1000 + Catalogue::kMaxBackoffSeconds);

  MissingQuery all;
  all.viewer_compatible_only = false;
  EXPECT_EQ(catalogue_->list_missing(all).total_count, 4);
  EXPECT_EQ(catalogue_->list_missing({}).total_count, 3);
  auto b = catalogue_->find_asset("b")->id;
  EXPECT_FALSE(catalogue_->set_thumbnail(b, "thumbs/x.jpg", "image/jpeg", 5).has_value());
  EXPECT_EQ(*catalogue_->set_thumbnail(b, "thumbs/y.jpg", "image/jpeg", 6), "thumbs/x.jpg");
  EXPECT_EQ(catalogue_->list_missing({}).total_count, 2);
  EXPECT_EQ(catalogue_->list_missing(all).total_count, 3);
  EXPECT_EQ(queue(), (std::vector<std::string>{"c", "a"}));
}

TEST_F(CatalogueTest, ListingUsesThePartialIndexesWithoutSorting) {
  for (bool viewer_only : {true, false}) {
    for (bool cursor : {false, true}) {
      std::string plan = catalogue_->explain_missing_query(viewer_only, cursor);
      EXPECT_NE(plan.find(viewer_only ? "assets_missing_viewer_queue" : "assets_missing_queue"), std::string::npos)
          << plan;
      EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
    }
  }
}

TEST_F(CatalogueTest, ServedFilesMustBeCatalogued) {
  AssetRecord record = asset("m");
  record.files_root = "/srv/models";
  catalogue_->upsert_asset(record);
  auto served = catalogue_->find_served_file("m", "m.glb");
  ASSERT_TRUE(served);
  EXPECT_EQ(served->file, std::filesystem::path("/srv/models/m.glb"));
  EXPECT_FALSE(catalogue_->find_served_file("m", "../etc/passwd"));
  EXPECT_FALSE(catalogue_->find_served_file("other", "m.glb"));
}

TEST_F(CatalogueTest, UsersAreUnique) {
  UserRecord user;
  user.username = "ann";
  user.password_hash = "h";
  catalogue_->add_user(user);
  EXPECT_THROW(catalogue_->add_user(user), sql::Error);
  EXPECT_TRUE(catalogue_->set_password("ann", "h2"));
  EXPECT_EQ(catalogue_->find_user("ann")->password_hash, "h2");
  EXPECT_EQ(catalogue_->list_users().size(), 1u);
}

}  // namespace
}  // namespace thumbgen::server
