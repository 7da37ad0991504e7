// The catalogue on both engines (SQLite and PostgreSQL): migrations, the missing-thumbnail queue (order, backoff,
// counts, indexes), upserts, users.
#include "server/catalogue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <sstream>
#include <thread>

#include "server/catalogue_admin.h"
#include "support/scratch_dir.h"
#include "support/test_database.h"

namespace thumbgen::server {
namespace {

using test::Backend;

class CatalogueTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<test::TestDatabase>(GetParam(), dir_.path());
    catalogue_ = std::make_unique<Catalogue>(database_->target(), 2);
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
  test::ScratchDir dir_{"thumbgen-catalogue"};
  std::unique_ptr<test::TestDatabase> database_;
  std::unique_ptr<Catalogue> catalogue_;  // closed before the database and dir_ go
};
INSTANTIATE_TEST_SUITE_P(Backends, CatalogueTest, test::kBothBackends, test::backend_name);

// What only one engine has: SQLite's PRAGMAs and query plans, PostgreSQL's schema_version table and plans.
using CatalogueSqliteTest = CatalogueTest;
INSTANTIATE_TEST_SUITE_P(Sqlite, CatalogueSqliteTest, ::testing::Values(Backend::Sqlite), test::backend_name);
using CataloguePostgresTest = CatalogueTest;
INSTANTIATE_TEST_SUITE_P(Postgres, CataloguePostgresTest, ::testing::Values(Backend::Postgres), test::backend_name);

TEST_P(CatalogueSqliteTest, MigrationsAreVersionedAndReopenable) {
  catalogue_.reset();
  catalogue_ = std::make_unique<Catalogue>(database_->target(), 1);  // second open: nothing to migrate
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

TEST_P(CataloguePostgresTest, MigrationsAreVersionedAndReopenable) {
  catalogue_.reset();
  catalogue_ = std::make_unique<Catalogue>(database_->target(), 1);  // second open: nothing to migrate
  int version = catalogue_->with_connection([](sql::Connection& db) {
    auto statement = db.prepare("SELECT version FROM schema_version");
    statement.step();
    return static_cast<int>(statement.int64(0));
  });
  EXPECT_EQ(version, schema_version());
  // A newer catalogue than this thumbgen knows is refused, not used.
  catalogue_->with_connection([](sql::Connection& db) { db.exec("UPDATE schema_version SET version = 99"); });
  EXPECT_THROW(Catalogue(database_->target(), 1), sql::Error);
}

// PostgreSQL's plans for the missing-thumbnail listing and the admin list, pinned on a catalogue large enough (and
// ANALYZEd) for the planner's choice to mean something: pages walk an index in their order and stop at LIMIT, with
// no sequential scan of assets and no sort of the whole table (a top-N sort of a search's few matches is fine).
TEST_P(CataloguePostgresTest, ListingsWalkIndexesWithoutScanningOrSortingAssets) {
  // 100,000 assets (Icosa's size): a third with thumbnails, a seventh of the rest backing off, a tenth not
  // viewer-compatible. At 30,000 the planner rightly prefers scanning the table to the trigram indexes for a search.
  catalogue_->with_connection([](sql::Connection& db) {
    db.exec(
        "INSERT INTO assets (id, url, name, owner_displayname, created_at, updated_at, is_viewer_compatible, "
        "thumbnail, thumbnail_source, thumbnail_next_attempt_at) "
        "SELECT g, 'asset-' || g, 'Model ' || (g * 7919 % 100000), 'owner ' || (g % 97), to_timestamp(g), "
        "to_timestamp(g), (g % 10 <> 0)::int, CASE WHEN g % 3 = 0 THEN 'thumbs/' || g || '/t.jpg' END, "
        "CASE WHEN g % 3 = 0 THEN 'generated' END, "
        "to_timestamp(CASE WHEN g % 7 = 1 AND g % 3 <> 0 THEN 2000000000 + g ELSE 0 END) "
        "FROM generate_series(1, 100000) g");
    db.exec(
        "INSERT INTO formats (asset_id, format_type, root_resource) SELECT g, 'GLB', 'm.glb' "
        "FROM generate_series(1, 100000) g");
    db.exec("ANALYZE");
  });
  auto expect_no_scan_or_full_sort = [](const std::string& plan) {
    EXPECT_EQ(plan.find("Seq Scan"), std::string::npos) << plan;  // of assets, and of jobs and formats either
  };
  for (bool viewer_only : {true, false}) {
    for (bool cursor : {false, true}) {
      const std::string plan = catalogue_->explain_missing_query(viewer_only, cursor);
      SCOPED_TRACE(plan);
      EXPECT_NE(plan.find(viewer_only ? "assets_missing_viewer_queue" : "assets_missing_queue"), std::string::npos);
      expect_no_scan_or_full_sort(plan);
      EXPECT_EQ(plan.find("Sort"), std::string::npos);  // the index gives the order
      if (cursor) {                                     // both keys seeked at once
        EXPECT_NE(plan.find("ROW(thumbnail_next_attempt_at, id) > ROW("), std::string::npos);
      }
    }
  }
  AssetListQuery query;
  for (AssetSort sort : {AssetSort::Id, AssetSort::IdDesc, AssetSort::Name, AssetSort::NameDesc, AssetSort::Updated,
                         AssetSort::UpdatedDesc}) {
    query.sort = sort;
    query.after = AssetPosition{50000, 50000, "model 5"};
    const std::string plan = explain_admin_assets(*catalogue_, query);
    SCOPED_TRACE(plan);
    expect_no_scan_or_full_sort(plan);
    EXPECT_EQ(plan.find("Sort"), std::string::npos);
    const char* index = sort == AssetSort::Name || sort == AssetSort::NameDesc         ? "assets_by_name"
                        : sort == AssetSort::Updated || sort == AssetSort::UpdatedDesc ? "assets_by_updated"
                                                                                       : "assets_pkey";
    EXPECT_NE(plan.find(index), std::string::npos);
  }
  // Search: the trigram indexes find the few matches (then a top-N sort of those, not of the table).
  query = {};
  query.filter.search = "51234";  // in names and urls (and an id)
  const std::string plan = explain_admin_assets(*catalogue_, query);
  expect_no_scan_or_full_sort(plan);
  EXPECT_NE(plan.find("assets_search_name"), std::string::npos) << plan;
}

// Two servers starting together on an empty database: the advisory lock lets one migrate; the other then finds
// nothing left to do (without it, both would create the same tables and one would fail).
TEST_P(CataloguePostgresTest, ServersStartingTogetherMigrateOnce) {
  test::TestDatabase fresh(Backend::Postgres, dir_.path());
  std::vector<std::thread> starters;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    starters.emplace_back([&] {
      try {
        Catalogue catalogue(fresh.target(), 1);
      } catch (const std::exception& error) {
        ++failures;
        ADD_FAILURE() << error.what();
      }
    });
  }
  for (std::thread& starter : starters) starter.join();
  EXPECT_EQ(failures, 0);
  Catalogue catalogue(fresh.target(), 1);
  EXPECT_EQ(catalogue.count_assets(), 0);
}

TEST_P(CatalogueTest, UpsertIsIdempotentAndKeyedByUrl) {
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

// The row an import updates is found by url: a record that claims another id cannot point it at that id's key.
TEST_P(CatalogueTest, AnImportedThumbnailKeyMustBeUnderTheRowsOwnPrefix) {
  AssetRecord a = asset("asset-a"), b = asset("asset-b");
  a.id = 5;
  b.id = 7;
  catalogue_->upsert_asset(a);
  catalogue_->upsert_asset(b);
  AssetRecord claims_a = asset("asset-b");
  claims_a.id = 5;
  claims_a.name = "changed";  // a new fingerprint, so the row is really updated
  claims_a.thumbnail = "thumbs/5/0123.jpg";
  EXPECT_EQ(catalogue_->upsert_asset(claims_a), UpsertOutcome::Updated);
  EXPECT_FALSE(catalogue_->thumbnail_of(7));
  AssetRecord own = asset("asset-c");
  own.id = 9;
  own.thumbnail = "thumbs/9/0123.jpg";
  catalogue_->upsert_asset(own);
  EXPECT_EQ(catalogue_->thumbnail_of(9), "thumbs/9/0123.jpg");
  AssetRecord no_id = asset("asset-d");
  no_id.thumbnail = "thumbs/10/0123.jpg";  // SQLite picks the id: no key can be known to be its own
  catalogue_->upsert_asset(no_id);
  EXPECT_FALSE(catalogue_->thumbnail_of(catalogue_->find_asset("asset-d")->id));
  AssetRecord remote = asset("asset-e");
  remote.thumbnail = "https://cdn.example/x.jpg";
  catalogue_->upsert_asset(remote);
  EXPECT_EQ(catalogue_->thumbnail_of(catalogue_->find_asset("asset-e")->id), "https://cdn.example/x.jpg");
}

TEST_P(CatalogueTest, SixtyFourBitIdsSurvive) {
  AssetRecord big = asset("big");
  big.id = 9007199254740993;
  catalogue_->upsert_asset(big);
  EXPECT_EQ(catalogue_->find_asset("9007199254740993")->id, 9007199254740993);
}

TEST_P(CatalogueTest, FailedAssetsMoveBehindNeverTriedOnesAndCountsFollow) {
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

TEST_P(CatalogueSqliteTest, ListingUsesThePartialIndexesWithoutSorting) {
  for (bool viewer_only : {true, false}) {
    for (bool cursor : {false, true}) {
      std::string plan = catalogue_->explain_missing_query(viewer_only, cursor);
      EXPECT_NE(plan.find(viewer_only ? "assets_missing_viewer_queue" : "assets_missing_queue"), std::string::npos)
          << plan;
      EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
      // Jobs and formats of the page: one index lookup per asset, never a scan.
      EXPECT_NE(plan.find("formats_by_asset (asset_id=?)"), std::string::npos) << plan;
      EXPECT_NE(plan.find("sqlite_autoindex_thumbnail_jobs_1 (asset_id=?)"), std::string::npos) << plan;
      // Scans only of the page and, in order, of the partial index (LIMIT stops them); never of a table.
      std::istringstream lines(plan);
      for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("SCAN ")) {
          EXPECT_TRUE(line == "SCAN p" || line.starts_with("SCAN assets USING INDEX assets_missing_")) << plan;
        }
      }
      // The cursor seeks both keys: a row-value comparison would seek the first only and walk every never-tried
      // asset before the cursor.
      if (cursor) {
        EXPECT_NE(plan.find("thumbnail_next_attempt_at=? AND id>?"), std::string::npos) << plan;
      }
    }
  }
}

TEST_P(CatalogueTest, PageCarriesFormatsPreferredFirstAndJobs) {
  AssetRecord many = asset("many");
  many.formats = {{"OBJ", "m.obj", false, {}}, {"GLB", "m.glb", true, {}}, {"GLTF2", "m.gltf", false, {}}};
  catalogue_->upsert_asset(many);
  AssetRecord none = asset("none");
  none.formats.clear();
  catalogue_->upsert_asset(none);
  catalogue_->upsert_asset(asset("plain"));
  MissingPage page = catalogue_->list_missing({});
  ASSERT_EQ(page.assets.size(), 3u);
  EXPECT_EQ(page.total_count, 3);
  const MissingAsset& first = page.assets[0];
  EXPECT_EQ(first.url, "many");
  ASSERT_EQ(first.formats.size(), 3u);
  EXPECT_EQ(first.formats[0].format_type, "GLB");  // preferred, then catalogue order
  EXPECT_TRUE(first.formats[0].is_preferred);
  EXPECT_EQ(first.formats[1].format_type, "OBJ");
  EXPECT_EQ(first.formats[2].format_type, "GLTF2");
  EXPECT_EQ(first.formats[1].root, "m.obj");
  EXPECT_TRUE(page.assets[1].formats.empty());
  EXPECT_EQ(page.assets[1].url, "none");
  for (const MissingAsset& item : page.assets) {
    ASSERT_TRUE(item.job) << item.url;  // every viewer-compatible missing asset has a queued job
    EXPECT_EQ(item.job->state, "queued");
    EXPECT_EQ(item.job->attempts, 0);
  }
  // The same asset read the way claims read it.
  auto listed = catalogue_->with_connection([&](sql::Connection& db) { return read_listed_asset(db, first.id); });
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->formats.size(), 3u);
  EXPECT_EQ(listed->formats[0].format_type, "GLB");
}

TEST_P(CatalogueTest, CursorCrossesFromNeverTriedToBackedOffAssets) {
  for (int i = 0; i < 10; ++i) catalogue_->upsert_asset(asset("a" + std::to_string(i)));
  for (int i : {2, 5, 7}) catalogue_->record_failure(catalogue_->find_asset("a" + std::to_string(i))->id, "x", 100 + i);
  std::vector<std::string> walked;
  MissingQuery query;
  query.limit = 3;
  for (int pages = 0; pages < 10; ++pages) {
    MissingPage page = catalogue_->list_missing(query);
    for (const MissingAsset& item : page.assets) walked.push_back(item.url);
    if (page.assets.empty()) break;
    query.after = std::make_pair(page.assets.back().next_attempt_at, page.assets.back().id);
  }
  EXPECT_EQ(walked, (std::vector<std::string>{"a0", "a1", "a3", "a4", "a6", "a8", "a9", "a2", "a5", "a7"}));
  query.after.reset();
  query.offset = 8;
  MissingPage tail = catalogue_->list_missing(query);
  ASSERT_EQ(tail.assets.size(), 2u);
  EXPECT_EQ(tail.assets[0].url, "a5");
  EXPECT_EQ(tail.total_count, 10);
}

TEST_P(CatalogueTest, CachedStatementsAreResetAndNestedUseGetsItsOwn) {
  catalogue_->with_connection([](sql::Connection& db) {
    db.exec("CREATE TABLE t (x INTEGER)");
    for (int i = 1; i <= 3; ++i) db.cached("INSERT INTO t VALUES (?)")->bind(1, i).run();
    const char* count = "SELECT count(*) FROM t WHERE x >= ?";
    {
      auto outer = db.cached(count);
      outer->bind(1, 2);
      ASSERT_TRUE(outer->step());
      EXPECT_EQ(outer->int64(0), 2);
      auto inner = db.cached(count);  // the same SQL while the first is still borrowed
      inner->bind(1, 1);
      ASSERT_TRUE(inner->step());
      EXPECT_EQ(inner->int64(0), 3);
      EXPECT_EQ(outer->int64(0), 2);
    }
    auto again = db.cached(count);  // reset, bindings cleared: NULL matches nothing
    ASSERT_TRUE(again->step());
    EXPECT_EQ(again->int64(0), 0);
  });
}

TEST_P(CatalogueTest, ServedFilesMustBeCatalogued) {
  AssetRecord record = asset("m");
  record.files_root = "/srv/models";
  catalogue_->upsert_asset(record);
  auto served = catalogue_->find_served_file("m", "m.glb");
  ASSERT_TRUE(served);
  EXPECT_EQ(served->root, std::filesystem::path("/srv/models"));
  EXPECT_EQ(served->path, "m.glb");
  EXPECT_FALSE(catalogue_->find_served_file("m", "../etc/passwd"));
  EXPECT_FALSE(catalogue_->find_served_file("other", "m.glb"));
}

TEST_P(CatalogueTest, UsersAreUnique) {
  UserRecord user;
  user.username = "ann";
  user.password_hash = "h";
  catalogue_->add_user(user);
  EXPECT_THROW(catalogue_->add_user(user), sql::Error);
  EXPECT_TRUE(catalogue_->set_password("ann", "h2"));
  EXPECT_EQ(catalogue_->find_user("ann")->password_hash, "h2");
  EXPECT_EQ(catalogue_->list_users().size(), 1u);
}

TEST_P(CatalogueTest, EveryUserGetsAFreshStampThatChangesWithThePasswordAndOnLogout) {
  UserRecord user;
  user.username = "ann";
  user.password_hash = "h";
  user.auth_stamp = "chosen by the caller";  // ignored: a new user always gets a fresh stamp
  catalogue_->add_user(user);
  const UserRecord added = *catalogue_->find_user("ann");
  EXPECT_EQ(added.auth_stamp.size(), 32u);
  EXPECT_EQ(added.auth_stamp.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_GT(added.auth_stamp_at, 0);

  EXPECT_TRUE(catalogue_->set_password("ann", "h"));  // the same hash: no new password, no new stamp
  EXPECT_EQ(catalogue_->find_user("ann")->auth_stamp, added.auth_stamp);
  EXPECT_TRUE(catalogue_->set_password("ann", "h2"));
  const std::string after_password = catalogue_->find_user("ann")->auth_stamp;
  EXPECT_NE(after_password, added.auth_stamp);
  // Whoever writes the hash: a trigger, not the C++ code, changes the stamp.
  catalogue_->with_connection([](sql::Connection& db) {
    db.exec("UPDATE users SET password_hash = 'h3' WHERE username = 'ann'");
    return 0;
  });
  const std::string after_sql = catalogue_->find_user("ann")->auth_stamp;
  EXPECT_NE(after_sql, after_password);

  EXPECT_TRUE(catalogue_->revoke_tokens("ann"));
  const std::string after_logout = catalogue_->find_user("ann")->auth_stamp;
  EXPECT_NE(after_logout, after_sql);
  EXPECT_EQ(catalogue_->find_user("ann")->password_hash, "h3");

  EXPECT_TRUE(catalogue_->delete_user("ann"));
  EXPECT_FALSE(catalogue_->find_user("ann"));
  catalogue_->add_user(user);
  EXPECT_NE(catalogue_->find_user("ann")->auth_stamp, after_logout);  // the same name again: another stamp

  EXPECT_FALSE(catalogue_->revoke_tokens("nobody"));
  EXPECT_FALSE(catalogue_->delete_user("nobody"));
}

TEST_P(CatalogueTest, UpgradeFromVersion2GivesEveryUserAStamp) {
  // A catalogue made by a version-2 thumbgen: its tables only (no stamps, no later migrations), one user.
  catalogue_.reset();
  std::filesystem::create_directories(dir_ / "old");
  test::TestDatabase old_database(GetParam(), dir_ / "old");
  {
    sql::Connection old(old_database.target());
    migrate(old, 2);
    old.exec("INSERT INTO users (username, password_hash, created_at) VALUES ('old', 'h', 1)");
  }
  catalogue_ = std::make_unique<Catalogue>(old_database.target(), 1);
  const auto upgraded = catalogue_->find_user("old");
  ASSERT_TRUE(upgraded);
  EXPECT_EQ(upgraded->auth_stamp.size(), 32u);
  EXPECT_GT(upgraded->auth_stamp_at, 0);
  EXPECT_EQ(upgraded->password_hash, "h");
}

}  // namespace
}  // namespace thumbgen::server
