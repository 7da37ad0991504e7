// Imports racing on one catalogue (issue 13): two `thumbgen import` runs, or an import and a server, inserting the
// same asset url at once. One insert wins; the other reports what a sequential re-import reports (unchanged, or
// updated), never a unique violation.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "server/catalogue.h"
#include "server/importer.h"
#include "support/scratch_dir.h"
#include "support/test_database.h"

namespace thumbgen::server {
namespace {

using test::Backend;

class ImportRaceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<test::TestDatabase>(GetParam(), dir_.path());
    Catalogue(database_->target(), 1);  // migrated before the importers start
  }
  // `count` records: Icosa's, with their own ids, or (ids left to the catalogue, as a folder import does) without.
  static nlohmann::json records(int count, bool with_ids = true) {
    nlohmann::json assets = nlohmann::json::array();
    for (int i = 0; i < count; ++i) {
      nlohmann::json record = {
          {"assetId", (with_ids ? "race-" : "race-no-id-") + std::to_string(i)},
          {"name", "Race " + std::to_string(i)},
          {"formats", {{{"formatType", "GLB"}, {"root", {{"url", "https://example.com/m.glb"}}}}}}};
      if (with_ids) record["id"] = 9000 + i;
      assets.push_back(record);
    }
    return {{"assets", assets}};
  }
  test::ScratchDir dir_{"thumbgen-import-race"};
  std::unique_ptr<test::TestDatabase> database_;
};
INSTANTIATE_TEST_SUITE_P(Backends, ImportRaceTest, test::kBothBackends, test::backend_name);
using ImportRacePostgresTest = ImportRaceTest;
INSTANTIATE_TEST_SUITE_P(Postgres, ImportRacePostgresTest, ::testing::Values(Backend::Postgres), test::backend_name);

// Four importers, each on its own connection, import the same records at the same moment: every url is inserted
// once, and each importer counts every record as inserted or unchanged (as if they had run one after another).
TEST_P(ImportRaceTest, ConcurrentImportsOfTheSameRecordsInsertEachOnce) {
  constexpr int kRecords = 200, kImporters = 4;
  nlohmann::json document = records(kRecords / 2);
  const nlohmann::json without_ids = records(kRecords / 2, false);
  for (const nlohmann::json& record : without_ids["assets"]) document["assets"].push_back(record);
  std::atomic<int> ready{0};
  std::vector<std::future<ImportSummary>> runs;
  for (int i = 0; i < kImporters; ++i) {
    runs.push_back(std::async(std::launch::async, [&] {
      Catalogue catalogue(database_->target(), 1);
      ++ready;
      while (ready.load() < kImporters) std::this_thread::yield();  // all start together
      return import_json(catalogue, document);
    }));
  }
  int inserted = 0;
  for (auto& run : runs) {
    const ImportSummary summary = run.get();
    EXPECT_TRUE(summary.skipped.empty()) << summary.skipped.size() << " skipped, first: " << summary.skipped.front();
    EXPECT_EQ(summary.inserted + summary.unchanged, kRecords);
    EXPECT_EQ(summary.updated, 0);
    inserted += summary.inserted;
  }
  EXPECT_EQ(inserted, kRecords);
  Catalogue catalogue(database_->target(), 1);
  EXPECT_EQ(catalogue.count_assets(), kRecords);
}

// The race made certain: another transaction has inserted the url and not committed when the import looks, so the
// import's insert waits on it. Once that commits, the import finds the row and updates it, as a re-import over an
// older row does (a plain INSERT failed here with a unique violation).
TEST_P(ImportRacePostgresTest, AnInsertWaitingOnAnotherOfTheSameUrlUpdatesThatRow) {
  sql::Connection other(database_->target());
  other.begin(true);
  other.exec(
      "INSERT INTO assets (id, url, name, created_at, updated_at) "
      "VALUES (9000, 'race-0', 'theirs', to_timestamp(1), to_timestamp(1))");

  Catalogue catalogue(database_->target(), 1);
  AssetRecord record;
  record.id = 9000;
  record.url = "race-0";
  record.name = "ours";
  auto upsert = std::async(std::launch::async, [&] { return catalogue.upsert_asset(record); });

  sql::Connection watcher(database_->target());
  bool waiting = false;
  for (int i = 0; i < 500 && !waiting; ++i) {
    auto query = watcher.prepare(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
    waiting = query.step() && query.int64(0) > 0;
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(waiting) << "the import never waited on the other insert";
  other.commit();

  EXPECT_EQ(upsert.get(), UpsertOutcome::Updated);
  auto row = watcher.prepare("SELECT id, name FROM assets WHERE url = 'race-0'");
  ASSERT_TRUE(row.step());
  EXPECT_EQ(row.int64(0), 9000);
  EXPECT_EQ(row.text(1), "ours");
  EXPECT_EQ(catalogue.count_assets(), 1);
}

// A record whose id another url holds is that one asset's failure, named as such.
TEST_P(ImportRaceTest, AnIdTakenByAnotherUrlIsSkippedWithItsReason) {
  Catalogue catalogue(database_->target(), 1);
  nlohmann::json first = records(1);
  ASSERT_EQ(import_json(catalogue, first).inserted, 1);
  first["assets"][0]["assetId"] = "race-elsewhere";
  const ImportSummary summary = import_json(catalogue, first);
  ASSERT_EQ(summary.skipped.size(), 1u);
  EXPECT_NE(summary.skipped[0].find("asset id 9000 is already catalogued under another url"), std::string::npos)
      << summary.skipped[0];
  EXPECT_EQ(catalogue.count_assets(), 1);
}

}  // namespace
}  // namespace thumbgen::server
