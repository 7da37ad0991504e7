// The work queue of `thumbgen work` directly on a temporary catalogue: atomic claims, leases, fencing, backoff,
// dead jobs, explicit jobs, retry-failed, and the queue following thumbnails set by any path.
#include "server/job_queue.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "support/scratch_dir.h"
#include "support/test_database.h"

namespace thumbgen::server {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

class JobQueueTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void SetUp() override {
    database_ = std::make_unique<test::TestDatabase>(GetParam(), dir_.path());
    catalogue_ = std::make_unique<Catalogue>(database_->target(), 10);
    queue_ = std::make_unique<JobQueue>(*catalogue_, JobSettings{});
  }
  std::int64_t add(const std::string& url, bool compatible = true) {
    AssetRecord record;
    record.url = url;
    record.name = url;
    record.is_viewer_compatible = compatible;
    record.formats.push_back({"GLB", url + ".glb", true, {}});
    catalogue_->upsert_asset(record);
    return catalogue_->find_asset(url)->id;
  }
  ClaimedJob claim_one(std::int64_t now = kNow, int lease = 300) {
    auto jobs = queue_->claim("test:1", 1, lease, now);
    EXPECT_EQ(jobs.size(), 1u);
    return jobs.empty() ? ClaimedJob{} : jobs.front();
  }
  test::ScratchDir dir_{"thumbgen-jobs"};
  std::unique_ptr<test::TestDatabase> database_;
  std::unique_ptr<Catalogue> catalogue_;  // closed before dir_ goes
  std::unique_ptr<JobQueue> queue_;       // and the queue before its catalogue
};
INSTANTIATE_TEST_SUITE_P(Backends, JobQueueTest, test::kBothBackends, test::backend_name);

TEST_P(JobQueueTest, ExcludedAssetsAreLeftInTheQueue) {
  const std::int64_t a = add("a"), b = add("b"), c = add("c");
  ClaimScope scope;
  scope.exclude_asset_ids = {a, c};
  auto jobs = queue_->claim("w", 10, 300, kNow, scope);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].asset.id, b);
  EXPECT_EQ(queue_->claim("w", 10, 300, kNow).size(), 2u);  // unscoped: the two left
}

TEST_P(JobQueueTest, ClaimHandsOutMissingViewerCompatibleAssetsInOrderWithFreshTokens) {
  std::int64_t first = add("first");
  add("has-thumb");
  catalogue_->set_thumbnail(catalogue_->find_asset("has-thumb")->id, "thumbs/x.jpg", "image/jpeg", kNow);
  add("not-viewable", false);
  std::int64_t second = add("second");

  auto jobs = queue_->claim("host:1", 10, 300, kNow);
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].asset.id, first);
  EXPECT_EQ(jobs[1].asset.id, second);
  EXPECT_EQ(jobs[0].asset.formats.at(0).format_type, "GLB");
  EXPECT_EQ(jobs[0].attempt, 1);
  EXPECT_EQ(jobs[0].lease_expires_at, kNow + 300);
  EXPECT_LT(jobs[0].fencing_token, jobs[1].fencing_token);
  EXPECT_TRUE(queue_->claim("host:2", 10, 300, kNow).empty());  // all leased
  JobStats stats = queue_->stats(kNow);
  EXPECT_EQ(stats.leased, 2);
  EXPECT_EQ(stats.done, 1);  // has-thumb got its thumbnail after import: its job is done
}

TEST_P(JobQueueTest, ConcurrentClaimersNeverShareAJob) {
  constexpr int kAssets = 200, kThreads = 8, kClaimsPerThread = 50;
  catalogue_->with_connection([&](sql::Connection& db) {
    sql::Transaction transaction(db);
    auto insert = db.prepare("INSERT INTO assets (url, created_at, updated_at) VALUES (?1, ?2, ?2)");
    for (int i = 0; i < kAssets; ++i) {
      insert.reset();
      insert.bind(1, "bulk-" + std::to_string(i)).bind(2, sql::UnixTime{0}).run();
    }
    transaction.commit();
  });
  std::mutex mutex;
  std::map<std::int64_t, int> claims_per_asset;
  std::set<std::int64_t> tokens;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kClaimsPerThread; ++i) {
        for (const ClaimedJob& job : queue_->claim("worker:" + std::to_string(t), 1, 300, kNow)) {
          std::lock_guard lock(mutex);
          ++claims_per_asset[job.asset.id];
          tokens.insert(job.fencing_token);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(claims_per_asset.size(), static_cast<std::size_t>(kAssets));
  for (const auto& [asset, count] : claims_per_asset) EXPECT_EQ(count, 1) << asset;
  EXPECT_EQ(tokens.size(), static_cast<std::size_t>(kAssets));
  EXPECT_EQ(queue_->stats(kNow).leased, kAssets);
}

TEST_P(JobQueueTest, AnExpiredLeaseIsReclaimedAndTheOldTokenGoesStale) {
  add("a");
  ClaimedJob old = claim_one(kNow, 10);
  EXPECT_TRUE(queue_->claim("other", 1, 10, kNow + 9).empty());
  // Expired but nobody re-claimed: the holder may still heartbeat (and complete).
  auto beat = queue_->heartbeat(old.job_id, old.fencing_token, 10, kNow + 11);
  ASSERT_TRUE(std::holds_alternative<HeartbeatResult>(beat));
  EXPECT_EQ(std::get<HeartbeatResult>(beat).lease_expires_at, kNow + 21);
  EXPECT_TRUE(queue_->claim("other", 1, 10, kNow + 20).empty());

  ClaimedJob again = claim_one(kNow + 21, 10);
  EXPECT_EQ(again.job_id, old.job_id);
  EXPECT_EQ(again.attempt, 2);
  EXPECT_GT(again.fencing_token, old.fencing_token);
  EXPECT_EQ(std::get<JobError>(queue_->heartbeat(old.job_id, old.fencing_token, 10, kNow + 22)), JobError::Stale);
  EXPECT_EQ(std::get<JobError>(queue_->fail(old.job_id, old.fencing_token, "x", true, kNow + 22)), JobError::Stale);
  EXPECT_EQ(std::get<JobError>(queue_->leased_asset(old.job_id, old.fencing_token)), JobError::Stale);
  EXPECT_TRUE(std::holds_alternative<std::int64_t>(queue_->leased_asset(again.job_id, again.fencing_token)));
  EXPECT_EQ(std::get<JobError>(queue_->heartbeat(old.job_id + 1000, 1, 10, kNow)), JobError::NotFound);
}

TEST_P(JobQueueTest, FencedThumbnailSwitchRefusesAStaleTokenAndMarksTheJobDone) {
  std::int64_t asset = add("a");
  ClaimedJob old = claim_one(kNow, 10);
  ClaimedJob current = claim_one(kNow + 11, 10);
  ThumbnailSwitch stale = catalogue_->set_thumbnail_fenced(asset, "thumbs/a.jpg", "image/jpeg", kNow,
                                                           ThumbnailFence{old.job_id, old.fencing_token});
  EXPECT_FALSE(stale.switched);
  EXPECT_FALSE(catalogue_->thumbnail_of(asset).has_value());
  ThumbnailSwitch fresh = catalogue_->set_thumbnail_fenced(asset, "thumbs/a.jpg", "image/jpeg", kNow,
                                                           ThumbnailFence{current.job_id, current.fencing_token});
  EXPECT_TRUE(fresh.switched);
  EXPECT_EQ(queue_->stats(kNow).done, 1);
  // Done: the token that completed it is no longer live either.
  EXPECT_EQ(std::get<JobError>(queue_->leased_asset(current.job_id, current.fencing_token)), JobError::Stale);
}

TEST_P(JobQueueTest, AnUploadByAnyPathTakesTheAssetOutOfTheQueue) {
  std::int64_t asset = add("a");
  ClaimedJob job = claim_one();
  catalogue_->set_thumbnail(asset, "thumbs/a.jpg", "image/jpeg", kNow);  // the spec's upload endpoint
  EXPECT_EQ(std::get<JobError>(queue_->heartbeat(job.job_id, job.fencing_token, 300, kNow)), JobError::Stale);
  EXPECT_FALSE(catalogue_
                   ->set_thumbnail_fenced(asset, "thumbs/b.jpg", "image/jpeg", kNow,
                                          ThumbnailFence{job.job_id, job.fencing_token})
                   .switched);
  EXPECT_EQ(*catalogue_->thumbnail_of(asset), "thumbs/a.jpg");
  EXPECT_TRUE(queue_->claim("w", 10, 300, kNow + 100000).empty());
  EXPECT_EQ(queue_->stats(kNow).done, 1);
}

TEST_P(JobQueueTest, FailuresBackOffExponentiallyThenDieWithTheirReason) {
  std::int64_t asset = add("a");
  std::int64_t now = kNow;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    ClaimedJob job = claim_one(now);
    EXPECT_EQ(job.attempt, attempt);
    auto result = queue_->fail(job.job_id, job.fencing_token, "boom " + std::to_string(attempt), true, now);
    ASSERT_TRUE(std::holds_alternative<FailResult>(result));
    const auto& failure = std::get<FailResult>(result);
    EXPECT_EQ(failure.attempts, attempt);
    EXPECT_EQ(failure.next_attempt_at, now + (60 << (attempt - 1)));
    EXPECT_EQ(failure.state, attempt < 5 ? "queued" : "dead");
    // Not before its backoff ends.
    EXPECT_TRUE(queue_->claim("w", 1, 300, failure.next_attempt_at - 1).empty());
    now = failure.next_attempt_at;
  }
  EXPECT_TRUE(queue_->claim("w", 1, 300, now + 10'000'000).empty());
  EXPECT_EQ(queue_->stats(now).dead, 1);
  MissingQuery query;
  auto listed = catalogue_->list_missing(query).assets;
  ASSERT_EQ(listed.size(), 1u);
  ASSERT_TRUE(listed[0].job.has_value());
  EXPECT_EQ(listed[0].job->state, "dead");
  EXPECT_EQ(listed[0].job->attempts, 5);
  EXPECT_EQ(listed[0].job->last_error.value_or(""), "boom 5");

  EXPECT_EQ(queue_->retry_failed(std::vector<std::int64_t>{asset + 1}, now), 0);
  EXPECT_EQ(queue_->retry_failed(std::nullopt, now), 1);
  ClaimedJob revived = claim_one(now);
  EXPECT_EQ(revived.attempt, 1);
}

TEST_P(JobQueueTest, BackoffIsCappedAtADayAndNonRetryableFailuresDieAtOnce) {
  EXPECT_EQ(job_backoff_seconds(1), 60);
  EXPECT_EQ(job_backoff_seconds(3), 240);
  EXPECT_EQ(job_backoff_seconds(40), 24 * 3600);
  add("a");
  ClaimedJob job = claim_one();
  auto result = std::get<FailResult>(queue_->fail(job.job_id, job.fencing_token, "bad file", false, kNow));
  EXPECT_EQ(result.state, "dead");
  EXPECT_EQ(result.attempts, 1);
  // Its token is spent.
  EXPECT_EQ(std::get<JobError>(queue_->fail(job.job_id, job.fencing_token, "again", true, kNow)), JobError::Stale);
}

TEST_P(JobQueueTest, ALeaseLostOnTheLastAttemptEndsDead) {
  JobQueue strict(*catalogue_, JobSettings{2, 1, 3600});
  add("killer");
  std::int64_t now = kNow;
  for (int attempt = 1; attempt <= 2; ++attempt) {
    ASSERT_EQ(strict.claim("w", 1, 10, now).size(), 1u);
    now += 11;  // the worker died: the lease runs out
  }
  EXPECT_TRUE(strict.claim("w", 1, 10, now).empty());
  EXPECT_EQ(strict.stats(now).dead, 1);
}

TEST_P(JobQueueTest, ReleaseUndoesTheClaimsAttemptWithoutBackoff) {
  add("a");
  add("b");
  ClaimedJob job = claim_one();
  EXPECT_EQ(job.attempt, 1);
  auto released = queue_->release(job.job_id, job.fencing_token, kNow + 5);
  ASSERT_TRUE(std::holds_alternative<FailResult>(released));
  EXPECT_EQ(std::get<FailResult>(released).attempts, 0);
  EXPECT_EQ(std::get<FailResult>(released).state, "queued");
  EXPECT_LE(std::get<FailResult>(released).next_attempt_at, kNow);
  // Claimable at once, ahead of the job that was behind it, still on its first attempt, under a new token.
  ClaimedJob again = claim_one(kNow + 5);
  EXPECT_EQ(again.job_id, job.job_id);
  EXPECT_EQ(again.attempt, 1);
  EXPECT_NE(again.fencing_token, job.fencing_token);
  EXPECT_EQ(std::get<JobError>(queue_->release(job.job_id, job.fencing_token, kNow + 6)), JobError::Stale);
  EXPECT_EQ(std::get<JobError>(queue_->release(999999, 1, kNow)), JobError::NotFound);

  // After a real failure, a release keeps that failure's count and its backoff.
  auto failed = std::get<FailResult>(queue_->fail(again.job_id, again.fencing_token, "crashed", true, kNow + 10));
  ASSERT_EQ(failed.attempts, 1);
  ClaimedJob other = claim_one(kNow + 10);  // "b": "a" is backing off
  EXPECT_NE(other.job_id, job.job_id);
  ClaimedJob second = claim_one(failed.next_attempt_at);
  EXPECT_EQ(second.attempt, 2);
  auto back = std::get<FailResult>(queue_->release(second.job_id, second.fencing_token, failed.next_attempt_at));
  EXPECT_EQ(back.attempts, 1);
  EXPECT_EQ(claim_one(failed.next_attempt_at).attempt, 2);
}

TEST_P(JobQueueTest, ReleasingAJobAnAdminSkippedEndsItDead) {
  add("a");
  ClaimedJob job = claim_one();
  ASSERT_FALSE(queue_->skip(job.job_id, kNow).has_value());
  auto released = std::get<FailResult>(queue_->release(job.job_id, job.fencing_token, kNow + 1));
  EXPECT_EQ(released.state, "dead");
  EXPECT_TRUE(queue_->claim("w", 10, 300, kNow + 100000).empty());
  MissingQuery query;
  auto listed = catalogue_->list_missing(query).assets;
  ASSERT_EQ(listed.size(), 1u);
  ASSERT_TRUE(listed[0].job.has_value());
  EXPECT_EQ(listed[0].job->last_error.value_or(""), "skipped by admin");
}

TEST_P(JobQueueTest, SkipSetsCancelForTheCurrentLease) {
  add("a");
  ClaimedJob job = claim_one();
  EXPECT_FALSE(std::get<HeartbeatResult>(queue_->heartbeat(job.job_id, job.fencing_token, 300, kNow)).cancel);
  EXPECT_FALSE(queue_->skip(job.job_id, kNow).has_value());
  EXPECT_TRUE(std::get<HeartbeatResult>(queue_->heartbeat(job.job_id, job.fencing_token, 300, kNow)).cancel);
  auto failed = std::get<FailResult>(queue_->fail(job.job_id, job.fencing_token, "skipped by admin", false, kNow));
  EXPECT_EQ(failed.state, "dead");
  EXPECT_EQ(queue_->skip(job.job_id, kNow), JobError::NotLeased);
  EXPECT_EQ(queue_->skip(job.job_id + 99, kNow), JobError::NotFound);
}

TEST_P(JobQueueTest, ExplicitJobsMakeAnyAssetMissingAThumbnailClaimable) {
  std::int64_t odd = add("not-viewable", false);
  std::int64_t done = add("done");
  catalogue_->set_thumbnail(done, "thumbs/d.jpg", "image/jpeg", kNow);
  EXPECT_TRUE(queue_->claim("w", 10, 300, kNow).empty());
  EXPECT_EQ(queue_->create_explicit({odd, done}, kNow), 1);  // the asset with a thumbnail is not queued
  EXPECT_EQ(queue_->create_explicit({odd}, kNow), 0);        // already explicit: nothing changes
  auto jobs = queue_->claim("w", 10, 300, kNow);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].asset.id, odd);
}

TEST_P(JobQueueTest, AnAssetThatBecomesViewerCompatibleJoinsTheQueue) {
  std::int64_t later = add("later", false);
  EXPECT_TRUE(queue_->claim("w", 10, 300, kNow).empty());
  catalogue_->with_connection([&](sql::Connection& db) {
    db.prepare("UPDATE assets SET is_viewer_compatible = 1 WHERE id = ?").bind(1, later).run();
  });
  EXPECT_EQ(queue_->claim("w", 10, 300, kNow).size(), 1u);
}

}  // namespace
}  // namespace thumbgen::server
