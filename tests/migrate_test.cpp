// `thumbgen migrate` end to end: a SQLite installation built with the real commands (import, user add) and the job
// queue's own API (claims, failures, a dead job, a fenced thumbnail upload, a selection), moved into a real
// PostgreSQL (the CTest pg_cluster fixture) and a second media folder, then compared table by table (SQLite's unix
// seconds against PostgreSQL's timestamptz as the same instants); a re-run copies nothing; a destination holding other
// data is refused before anything is written.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "server/catalogue.h"
#include "server/catalogue_admin.h"
#include "server/job_queue.h"
#include "server/s3_client.h"
#include "server/s3_signer.h"
#include "server/storage_local.h"
#include "support/gltf_writer.h"
#include "support/process.h"
#include "support/s3_test_server.h"
#include "support/scratch_dir.h"
#include "support/test_database.h"

namespace thumbgen::server {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kSnowflake = 7'300'000'000'000'000'001;  // Icosa's ids are 64-bit snowflakes

// Each copied table, ordered by its primary key.
const std::map<std::string, std::string> kTables = {
    {"users", "id"},
    {"assets", "id"},
    {"formats", "id"},
    {"resources", "id"},
    {"thumbnail_jobs", "job_id"},
    {"selections", "id"},
    {"selection_assets", "selection_id, asset_id"},
    {"missing_counts", "k"},
    {"counters", "name"},
};

using Rows = std::vector<std::vector<std::optional<std::string>>>;

// `times`: columns read as unix seconds by PostgreSQL itself (extract(epoch ...)), not by thumbgen's database layer.
Rows read_rows(sql::Connection& db, const std::vector<std::string>& columns, const std::string& table,
               const std::string& order, const std::set<std::string>& times = {}) {
  std::string list;
  for (const std::string& column : columns) {
    list += list.empty() ? "" : ", ";
    list += times.count(column) ? "CAST(extract(epoch FROM " + column + ") AS BIGINT)" : column;
  }
  auto statement = db.prepare("SELECT " + list + " FROM " + table + " ORDER BY " + order);
  Rows rows;
  while (statement.step()) {
    rows.emplace_back();
    for (std::size_t i = 0; i < columns.size(); ++i)
      rows.back().push_back(statement.optional_text(static_cast<int>(i)));
  }
  return rows;
}

std::set<std::string> postgres_time_columns(sql::Connection& db, const std::string& table) {
  std::set<std::string> columns;
  auto statement = db.prepare(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? "
      "AND data_type = 'timestamp with time zone'");
  statement.bind(1, table);
  while (statement.step()) columns.insert(statement.text(0));
  return columns;
}

std::vector<std::string> sqlite_columns(sql::Connection& db, const std::string& table) {
  std::vector<std::string> columns;
  auto statement = db.prepare("SELECT name FROM pragma_table_info(?)");
  statement.bind(1, table);
  while (statement.step()) columns.push_back(statement.text(0));
  return columns;
}

test::ProcessResult shell(const std::string& command) { return test::run_process({"/bin/bash", "-c", command}); }

// `thumbgen migrate --from sqlite:DATA --to TO EXTRA...`, with `environment` (NAME=VALUE) added to it.
test::ProcessResult migrate(const fs::path& data, const std::string& to, const std::vector<std::string>& extra = {},
                            const std::vector<std::string>& environment = {}) {
  std::vector<std::string> args = {"/usr/bin/env"};
  args.insert(args.end(), environment.begin(), environment.end());
  args.insert(args.end(), {THUMBGEN_BINARY, "migrate", "--from", "sqlite:" + data.string(), "--to", to});
  args.insert(args.end(), extra.begin(), extra.end());
  return test::run_process(args);
}

class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(models_);
    for (const char* name : {"cube", "tower", "crate"}) {
      test::SimpleAsset asset;
      asset.meshes.push_back(test::unit_cube());
      asset.nodes.push_back({.mesh = 0, .matrix = glm::mat4(1.0f), .children = {}});
      std::vector<std::uint8_t> glb = test::write_glb(asset);
      std::ofstream(models_ / (std::string(name) + ".glb"), std::ios::binary)
          .write(reinterpret_cast<const char*>(glb.data()), static_cast<std::streamsize>(glb.size()));
    }
    nlohmann::json icosa = {
        {"assets",
         {{{"id", kSnowflake},
           {"assetId", "snowflake-one"},
           {"name", "Snowflake one"},
           {"authorName", "Ada"},
           {"formats", {{{"formatType", "GLB"}, {"root", {{"url", "https://example.com/one.glb"}}}}}}},
          {{"id", kSnowflake + 1},
           {"assetId", "snowflake-two"},
           {"name", "Snowflake two"},
           {"thumbnail", {{"url", "https://example.com/two.png"}}},
           {"formats", {{{"formatType", "GLB"}, {"root", {{"url", "https://example.com/two.glb"}}}}}}}}}};
    std::ofstream(dir_ / "icosa.json") << icosa.dump();

    auto imported = test::run_process({THUMBGEN_BINARY, "import", models_.string(), "--json",
                                       (dir_ / "icosa.json").string(), "--data", data_.string()});
    ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
    for (const char* user : {"admin --staff", "alice"}) {
      auto added = shell("printf 'correct horse battery\\n' | '" + std::string(THUMBGEN_BINARY) + "' user add " + user +
                         " --data '" + data_.string() + "'");
      ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
    }

    // The queue in every state: failed and queued again, dead, leased, done by a fenced upload.
    Catalogue catalogue(data_ / "catalogue.sqlite3", 2);
    JobQueue queue(catalogue, JobSettings{});
    const std::int64_t now = std::time(nullptr);
    auto jobs = queue.claim("worker-a", 4, 600, now);
    ASSERT_EQ(jobs.size(), 4u);
    ASSERT_TRUE(
        std::holds_alternative<FailResult>(queue.fail(jobs[0].job_id, jobs[0].fencing_token, "boom", true, now)));
    ASSERT_TRUE(
        std::holds_alternative<FailResult>(queue.fail(jobs[1].job_id, jobs[1].fencing_token, "broken", false, now)));
    const std::string png = "not really a png, but content-addressed all the same";
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(png.data());
    const std::string key = thumbnail_key(jobs[3].asset.id, sha256_hex({bytes, png.size()}), "png");
    LocalStorage(data_ / "media").put(key, {bytes, png.size()}, "image/png");
    ThumbnailSwitch uploaded = catalogue.set_thumbnail_fenced(
        jobs[3].asset.id, key, "image/png", now, ThumbnailFence{jobs[3].job_id, jobs[3].fencing_token},
        ThumbnailProvenance{"generated", "test-renderer", R"({"position":[0,1,2]})"});
    ASSERT_TRUE(uploaded.switched);
    uploaded_asset_ = jobs[3].asset.id;
    max_source_token_ = jobs[3].fencing_token;
    create_selection(catalogue, {jobs[0].asset.id, kSnowflake}, "admin", now);
  }

  // Every copied table holds the same rows on both sides (the source's columns, compared as text; times as unix
  // seconds, and every time column of the destination a timestamptz).
  void expect_same_tables(const sql::Target& destination) {
    sql::Connection source(data_ / "catalogue.sqlite3");
    sql::Connection copy(destination);
    int time_columns = 0;
    for (const auto& [table, order] : kTables) {
      const std::vector<std::string> columns = sqlite_columns(source, table);
      ASSERT_FALSE(columns.empty()) << table;
      const Rows expected = read_rows(source, columns, table, order);
      EXPECT_FALSE(expected.empty()) << table << " has no rows: the test would prove nothing";
      const std::set<std::string> times = postgres_time_columns(copy, table);
      for (const std::string& column : columns) EXPECT_EQ(times.count(column), column.ends_with("_at")) << column;
      time_columns += static_cast<int>(times.size());
      EXPECT_EQ(read_rows(copy, columns, table, order, times), expected) << table;
    }
    EXPECT_EQ(time_columns, 12);  // users 2, assets 5, thumbnail_jobs 4, selections 1
  }

  test::ScratchDir dir_{"thumbgen-migrate"};
  fs::path data_ = dir_ / "data", models_ = dir_ / "models";
  std::int64_t uploaded_asset_ = 0, max_source_token_ = 0;
};

TEST_F(MigrateTest, MovesEveryRowAndThumbnailAndARerunCopiesNothing) {
  test::TestDatabase postgres(test::Backend::Postgres, dir_.path());
  const std::string bucket = "file:" + (dir_ / "bucket").string();
  auto first = migrate(data_, postgres.setting(), {"--media-from", "file:", "--media-to", bucket});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("assets           5 rows copied, 0 already there"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("users            2 rows copied, 0 already there"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("1 objects copied, 0 already there"), std::string::npos) << first.out;
  expect_same_tables(postgres.target());

  // The thumbnail is in the new store under the key the catalogue points at.
  Catalogue copy(postgres.target(), 2);
  const std::optional<std::string> key = copy.thumbnail_of(uploaded_asset_);
  ASSERT_TRUE(key);
  EXPECT_TRUE(LocalStorage(dir_ / "bucket").read(*key).has_value()) << *key;

  // Auth stamps kept (tokens signed before stay valid), the missing listing the same page.
  Catalogue source(data_ / "catalogue.sqlite3", 1);
  for (const char* name : {"admin", "alice"}) {
    EXPECT_EQ(copy.find_user(name)->auth_stamp, source.find_user(name)->auth_stamp) << name;
  }
  for (bool viewer_only : {true, false}) {
    MissingQuery query;
    query.viewer_compatible_only = viewer_only;
    MissingPage expected = source.list_missing(query), got = copy.list_missing(query);
    EXPECT_EQ(got.total_count, expected.total_count);
    ASSERT_EQ(got.assets.size(), expected.assets.size());
    for (std::size_t i = 0; i < got.assets.size(); ++i) {
      EXPECT_EQ(got.assets[i].id, expected.assets[i].id);
      EXPECT_EQ(got.assets[i].url, expected.assets[i].url);
      ASSERT_EQ(got.assets[i].job.has_value(), expected.assets[i].job.has_value());
      if (got.assets[i].job) {
        EXPECT_EQ(got.assets[i].job->state, expected.assets[i].job->state);
        EXPECT_EQ(got.assets[i].job->attempts, expected.assets[i].job->attempts);
        EXPECT_EQ(got.assets[i].job->last_error, expected.assets[i].job->last_error);
      }
    }
  }

  // Running it again copies nothing and changes nothing.
  auto again = migrate(data_, postgres.setting(), {"--media-from", "file:", "--media-to", bucket});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  for (const char* table : {"users", "assets", "formats", "resources", "thumbnail_jobs", "selections"}) {
    EXPECT_NE(again.out.find(std::string(table)), std::string::npos) << again.out;
  }
  EXPECT_EQ(again.out.find(" 1 rows copied"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("assets           0 rows copied, 5 already there"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("0 objects copied, 1 already there"), std::string::npos) << again.out;
  expect_same_tables(postgres.target());

  // PostgreSQL carries on after the source: fencing tokens above every one handed out, ids past the largest.
  JobQueue queue(copy, JobSettings{});
  auto claimed = queue.claim("worker-b", 1, 600, std::time(nullptr) + 10 * 24 * 3600);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_GT(claimed[0].fencing_token, max_source_token_);
  UserRecord carol;
  carol.username = "carol";
  carol.password_hash = "x";
  EXPECT_GT(copy.add_user(carol), source.find_user("alice")->id);
}

TEST_F(MigrateTest, ADestinationHoldingOtherDataIsRefusedBeforeAnythingIsWritten) {
  test::TestDatabase postgres(test::Backend::Postgres, dir_.path());
  {
    Catalogue other(postgres.target(), 1);
    AssetRecord stranger;
    stranger.id = kSnowflake;
    stranger.url = "someone-else";
    other.upsert_asset(stranger);
  }
  auto refused = migrate(data_, postgres.setting());
  EXPECT_NE(refused.exit_code, 0) << refused.out;
  EXPECT_NE(refused.err.find("assets id=" + std::to_string(kSnowflake)), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("url=someone-else"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("other data"), std::string::npos) << refused.err;
  sql::Connection copy(postgres.target());
  auto users = copy.prepare("SELECT count(*) FROM users");
  ASSERT_TRUE(users.step());
  EXPECT_EQ(users.int64(0), 0) << "rows were copied before the refusal";
}

TEST_F(MigrateTest, ASourceAtAnotherSchemaVersionIsRefusedWithWhatToDo) {
  {
    sql::Connection source(data_ / "catalogue.sqlite3");
    source.exec("PRAGMA user_version = 2");
  }
  test::TestDatabase postgres(test::Backend::Postgres, dir_.path());
  auto refused = migrate(data_, postgres.setting());
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("schema version 2"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("run this thumbgen on it once first"), std::string::npos) << refused.err;
}

TEST_F(MigrateTest, WithoutMediaFlagsItSaysWhereTheThumbnailsStay) {
  test::TestDatabase postgres(test::Backend::Postgres, dir_.path());
  auto moved = migrate(data_, postgres.setting());
  ASSERT_EQ(moved.exit_code, 0) << moved.out << moved.err;
  EXPECT_NE(moved.out.find("media: not moved"), std::string::npos) << moved.out;
  EXPECT_NE(moved.out.find("--storage file:" + (data_ / "media").string()), std::string::npos) << moved.out;
}

TEST_F(MigrateTest, MovesTheThumbnailsIntoABucketAndAWrongSecretStopsItBeforeAnyWrite) {
  test::S3TestServer s3;
  test::TestDatabase postgres(test::Backend::Postgres, dir_.path());
  const std::vector<std::string> media = {"--media-from", "file:", "--media-to", "s3://thumbgen-test/gallery"};
  std::vector<std::string> wrong = s3.serve_environment();
  wrong.back() = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYWRONG";
  auto refused = migrate(data_, postgres.setting(), media, wrong);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("SignatureDoesNotMatch"), std::string::npos) << refused.err;
  {
    sql::Connection copy(postgres.target());
    auto untouched = copy.prepare("SELECT to_regclass('assets') IS NULL");
    ASSERT_TRUE(untouched.step());
    EXPECT_EQ(untouched.int64(0), 1) << "the catalogue was copied before the bucket was checked";
  }

  auto moved = migrate(data_, postgres.setting(), media, s3.serve_environment());
  ASSERT_EQ(moved.exit_code, 0) << moved.out << moved.err;
  EXPECT_NE(moved.out.find("1 objects copied, 0 already there"), std::string::npos) << moved.out;
  S3Client bucket(s3.client_options());
  Catalogue copy(postgres.target(), 1);
  const std::optional<std::string> key = copy.thumbnail_of(uploaded_asset_);
  ASSERT_TRUE(key);
  EXPECT_TRUE(bucket.get_object("gallery/" + *key).has_value()) << *key;

  auto again = migrate(data_, postgres.setting(), media, s3.serve_environment());
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("0 objects copied, 1 already there"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace thumbgen::server
