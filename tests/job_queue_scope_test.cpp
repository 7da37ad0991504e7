// Scoped claims and regenerate jobs directly on the work queue (issue 11): a selection small enough to be the
// claim's outer loop and one too large for it ("Select all N matching") both keep a claim inside the selection.
#include <gtest/gtest.h>

#include <set>

#include "server/catalogue_admin.h"
#include "server/job_queue.h"
#include "support/scratch_dir.h"
#include "support/test_database.h"

namespace thumbgen::server {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;
constexpr int kAssets = 12'000;

class JobQueueScopeTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<test::TestDatabase>(GetParam(), dir_.path());
    catalogue_ = std::make_unique<Catalogue>(database_->target(), 4);
    // Many assets at once: one statement (the triggers make a job for each; on PostgreSQL a statement per row
    // would cost a round trip each), all made at one bound time.
    std::string insert = "INSERT INTO assets (id, url, created_at, updated_at) VALUES ";
    for (int id = 1; id <= kAssets; ++id) {
      insert += (id > 1 ? ",(" : "(") + std::to_string(id) + ", 'a" + std::to_string(id) + "', ?1, ?1)";
    }
    catalogue_->with_connection([&](sql::Connection& db) { db.prepare(insert).bind(1, sql::UnixTime{1}).run(); });
    queue_ = std::make_unique<JobQueue>(*catalogue_, JobSettings{});
  }
  // Every job a claimer with this scope gets, 100 at a time, until none is left.
  std::set<std::int64_t> drain(const ClaimScope& scope) {
    std::set<std::int64_t> assets;
    for (int round = 0; round < 200; ++round) {
      auto jobs = queue_->claim("w", 100, 300, kNow, scope);
      if (jobs.empty()) break;
      for (const ClaimedJob& job : jobs) EXPECT_TRUE(assets.insert(job.asset.id).second) << job.asset.id;
    }
    return assets;
  }

  test::ScratchDir dir_{"thumbgen-job-scope"};
  std::unique_ptr<test::TestDatabase> database_;
  std::unique_ptr<Catalogue> catalogue_;
  std::unique_ptr<JobQueue> queue_;
};
INSTANTIATE_TEST_SUITE_P(Backends, JobQueueScopeTest, test::kBothBackends, test::backend_name);

TEST_P(JobQueueScopeTest, SmallAndLargeSelectionsBothKeepClaimsInside) {
  std::vector<std::int64_t> small_ids, large_ids;
  for (int id = kAssets; id > kAssets - 30; --id) small_ids.push_back(id);  // at the end of the queue
  for (int id = 2; id <= 2 * 6000; id += 2) large_ids.push_back(id);        // 6,000 even ids: the large path
  const SelectionInfo small = create_selection(*catalogue_, small_ids, "t", kNow);
  const SelectionInfo large = create_selection(*catalogue_, large_ids, "t", kNow);
  ClaimScope small_scope, large_scope;
  small_scope.selection = small.row_id;
  large_scope.selection = large.row_id;
  large_scope.exclude_asset_ids = {2, 4};

  const std::set<std::int64_t> got_small = drain(small_scope);
  EXPECT_EQ(got_small, std::set<std::int64_t>(small_ids.begin(), small_ids.end()));
  std::set<std::int64_t> expected_large(large_ids.begin() + 2, large_ids.end());
  for (std::int64_t id : small_ids) expected_large.erase(id);  // already leased by the small run
  EXPECT_EQ(drain(large_scope), expected_large);
  // The rest of the queue: the odd ids outside the small selection, and the two excluded ones.
  EXPECT_EQ(drain(ClaimScope{}).size(), static_cast<std::size_t>(kAssets - got_small.size() - expected_large.size()));
}

TEST_P(JobQueueScopeTest, ARegenerateJobIsClaimableAndEndsWithTheNewThumbnail) {
  catalogue_->set_thumbnail(7, "thumbs/7/old.jpg", "image/jpeg", kNow);
  catalogue_->set_thumbnail(8, "thumbs/8/old.jpg", "image/jpeg", kNow);
  catalogue_->with_connection(
      [](sql::Connection& db) { db.exec("UPDATE assets SET thumbnail_source = 'owner' WHERE id = 8"); });
  const SelectionInfo selection = create_selection(*catalogue_, {6, 7, 8}, "t", kNow);
  ClaimScope scope;
  scope.selection = selection.row_id;
  ASSERT_EQ(drain(scope), std::set<std::int64_t>{6});  // 7 and 8 have thumbnails: nothing to do yet

  RegenerateResult made = queue_->regenerate({6, 7, 8}, /*replace_owner=*/false, /*include_missing=*/false, kNow);
  EXPECT_EQ(made.created, 1);
  EXPECT_EQ(made.skipped_owner, 1);
  EXPECT_EQ(made.skipped_missing, 1);
  auto jobs = queue_->claim("w", 10, 300, kNow, scope);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].asset.id, 7);
  ThumbnailProvenance provenance{"generated", "r2", R"({"fov_y_degrees":30})"};
  ThumbnailSwitch switched = catalogue_->set_thumbnail_fenced(
      7, "thumbs/7/new.jpg", "image/jpeg", kNow + 1, ThumbnailFence{jobs[0].job_id, jobs[0].fencing_token}, provenance);
  EXPECT_TRUE(switched.switched);
  EXPECT_EQ(switched.previous, "thumbs/7/old.jpg");
  auto row = catalogue_->with_connection([](sql::Connection& db) { return read_admin_asset(db, 7, kNow + 2); });
  ASSERT_TRUE(row);
  EXPECT_EQ(row->job_state, "done");
  EXPECT_EQ(row->renderer_version, "r2");
  EXPECT_EQ(row->thumbnail_updated_at, kNow + 1);
  EXPECT_TRUE(queue_->claim("w", 10, 300, kNow + 2, scope).empty());
}

}  // namespace
}  // namespace thumbgen::server
