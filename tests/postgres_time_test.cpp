// PostgreSQL's time columns (issue 13): timestamptz(0), holding the instants the server speaks as unix seconds.
// Every time column is one; unix seconds go in and come back through the database layer whatever DateStyle and
// TimeZone the server gives new sessions; a version-7 catalogue (BIGINT seconds) upgrades in place to the same
// instants, and its leases, backoffs, queue figures and sessions go on as before.
#include <gtest/gtest.h>

#include <ctime>
#include <limits>
#include <map>
#include <set>

#include "server/catalogue.h"
#include "server/job_queue.h"
#include "server/metrics_scrape.h"
#include "support/scratch_dir.h"
#include "support/test_database.h"

namespace thumbgen::server {
namespace {

// Every time column of the catalogue (table.column), with the column its rows are ordered by.
const std::map<std::string, std::string> kTimeColumns = {
    {"assets.created_at", "id"},
    {"assets.thumbnail_last_attempt_at", "id"},
    {"assets.thumbnail_next_attempt_at", "id"},
    {"assets.thumbnail_updated_at", "id"},
    {"assets.updated_at", "id"},
    {"selections.created_at", "id"},
    {"thumbnail_jobs.created_at", "asset_id"},
    {"thumbnail_jobs.lease_expires_at", "asset_id"},
    {"thumbnail_jobs.next_attempt_at", "asset_id"},
    {"thumbnail_jobs.updated_at", "asset_id"},
    {"users.auth_stamp_at", "id"},
    {"users.created_at", "id"},
};

using Values = std::map<std::string, std::vector<std::optional<std::int64_t>>>;

// Each time column's values in row order: `as_read` is what the column gives (unix seconds while it is BIGINT,
// through the layer's reading of a timestamptz after), or else what PostgreSQL's own extract(epoch ...) says.
Values time_values(sql::Connection& db, bool as_read) {
  Values values;
  for (const auto& [qualified, order] : kTimeColumns) {
    const std::string table = qualified.substr(0, qualified.find('.'));
    const std::string column = qualified.substr(qualified.find('.') + 1);
    const std::string read = as_read ? column : "CAST(extract(epoch FROM " + column + ") AS BIGINT)";
    auto rows = db.prepare("SELECT " + read + " FROM " + table + " ORDER BY " + order);
    auto& list = values[qualified];
    while (rows.step()) list.push_back(rows.is_null(0) ? std::nullopt : std::optional(rows.int64(0)));
  }
  return values;
}

std::set<std::string> index_definitions(sql::Connection& db) {
  std::set<std::string> definitions;
  auto rows = db.prepare("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()");
  while (rows.step()) definitions.insert(rows.text(0));
  return definitions;
}

class PostgresTimeTest : public ::testing::Test {
 protected:
  test::ScratchDir dir_{"thumbgen-pg-time"};
  test::TestDatabase database_{test::Backend::Postgres, dir_.path()};
};

TEST_F(PostgresTimeTest, EveryTimeColumnIsATimestamptzOfWholeSeconds) {
  Catalogue catalogue(database_.target(), 1);
  catalogue.with_connection([](sql::Connection& db) {
    auto columns = db.prepare(
        "SELECT table_name || '.' || column_name, data_type, datetime_precision FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND (column_name LIKE '%\\_at' OR data_type LIKE '%time%')");
    std::set<std::string> found, expected;
    while (columns.step()) {
      EXPECT_EQ(columns.text(1), "timestamp with time zone") << columns.text(0);
      EXPECT_EQ(columns.int64(2), 0) << columns.text(0);
      found.insert(columns.text(0));
    }
    for (const auto& [column, order] : kTimeColumns) expected.insert(column);
    EXPECT_EQ(found, expected);
  });
}

TEST_F(PostgresTimeTest, UnixSecondsGoInAndComeBackWhateverTheServersDateStyleAndTimeZone) {
  {  // what new sessions on this database get, unless the layer sets its own
    sql::Connection admin(database_.target());
    admin.exec(
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET DateStyle = ''German, DMY''', current_database()); "
        "EXECUTE format('ALTER DATABASE %I SET TimeZone = ''Asia/Kathmandu''', current_database()); END $$");
  }
  sql::Connection db(database_.target());
  // The same statement twice per value: parsed once, then prepared on the server.
  auto query = db.prepare("SELECT ?1, CAST(extract(epoch FROM ?1) AS BIGINT), ?1 = to_timestamp(?2)");
  for (std::int64_t seconds :
       {0ll, 1ll, -1ll, 951'825'599ll, 1'700'000'000ll, 4'102'444'800ll, -62'135'596'800ll, 253'402'300'799ll}) {
    for (int run = 0; run < 2; ++run) {
      query.reset();
      query.bind(1, sql::UnixTime{seconds}).bind(2, seconds);
      ASSERT_TRUE(query.step()) << seconds;
      EXPECT_EQ(query.int64(0), seconds);
      EXPECT_EQ(query.int64(1), seconds);
      EXPECT_EQ(query.int64(2), 1) << seconds;
      query.run();
    }
  }
  // Written by someone else: a fraction reads as the second it falls in, NULL as NULL, the infinities as the ends.
  auto other = db.prepare(
      "SELECT to_timestamp(1.75), to_timestamp(-1.25), CAST(NULL AS timestamptz), CAST('infinity' AS timestamptz), "
      "CAST('-infinity' AS timestamptz), CAST('0044-03-15 12:00:00+00 BC' AS timestamptz), "
      "CAST(extract(epoch FROM CAST('0044-03-15 12:00:00+00 BC' AS timestamptz)) AS BIGINT)");
  ASSERT_TRUE(other.step());
  EXPECT_EQ(other.int64(0), 1);
  EXPECT_EQ(other.int64(1), -2);
  EXPECT_TRUE(other.is_null(2));
  EXPECT_EQ(other.int64(3), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(other.int64(4), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(other.int64(5), other.int64(6));
}

// A catalogue a version-7 thumbgen wrote (BIGINT unix seconds), with a job never tried, one backing off, one leased,
// one whose lease ran out, one done, a user's session stamp and a selection: after the upgrade every time is the same
// instant, the indexes are the same, and the queue and sessions behave as they did.
TEST_F(PostgresTimeTest, AVersion7CatalogueUpgradesInPlaceToTheSameInstants) {
  constexpr std::int64_t kNow = 1'800'000'000;
  Values before;
  std::set<std::string> indexes_before;
  {
    sql::Connection old(database_.target());
    migrate(old, 7);
    old.exec(R"sql(
INSERT INTO users (id, username, password_hash, created_at) VALUES (1, 'ada', 'h', 1600000000), (2, 'bo', 'h', 5);
UPDATE users SET auth_stamp = 'stamp-of-ada', auth_stamp_at = 1799999000 WHERE id = 1;
INSERT INTO assets (id, url, created_at, updated_at) VALUES
  (1, 'never-tried', 100, 200), (2, 'backing-off', 100, 300), (3, 'leased', 100, 400), (4, 'lease-ran-out', 100, 400),
  (5, 'done', 100, 500);
UPDATE assets SET thumbnail_attempts = 1, thumbnail_last_attempt_at = 1799999940, thumbnail_next_attempt_at = 1800000060
  WHERE id = 2;
UPDATE thumbnail_jobs SET attempts = 1, next_attempt_at = 1800000060, last_error = 'boom', updated_at = 1799999940
  WHERE asset_id = 2;
UPDATE thumbnail_jobs SET state = 'leased', attempts = 1, fencing_token = 5, worker = 'w', lease_expires_at = 1800000600
  WHERE asset_id = 3;
UPDATE thumbnail_jobs SET state = 'leased', attempts = 1, fencing_token = 6, worker = 'w', lease_expires_at = 1799999990
  WHERE asset_id = 4;
UPDATE assets SET thumbnail = 'thumbs/5/t.jpg', thumbnail_source = 'generated', thumbnail_updated_at = 500 WHERE id = 5;
INSERT INTO selections (id, token, created_at, created_by) VALUES (1, 'token', 1799990000, 'ada');
)sql");
    before = time_values(old, true);
    indexes_before = index_definitions(old);
  }
  EXPECT_EQ(before["thumbnail_jobs.lease_expires_at"],
            (std::vector<std::optional<std::int64_t>>{0, 0, 1'800'000'600, 1'799'999'990, 0}));
  EXPECT_EQ(before["assets.thumbnail_last_attempt_at"][0], std::nullopt);

  Catalogue catalogue(database_.target(), 2);  // migrates to the current version
  catalogue.with_connection([&](sql::Connection& db) {
    EXPECT_EQ(time_values(db, true), before);
    EXPECT_EQ(time_values(db, false), before);  // PostgreSQL's reading agrees
    std::set<std::string> indexes_after = index_definitions(db);
    EXPECT_EQ(indexes_after, indexes_before);  // the same indexes, over the new type
  });

  const std::optional<UserRecord> ada = catalogue.find_user("ada");
  ASSERT_TRUE(ada);
  EXPECT_EQ(ada->auth_stamp, "stamp-of-ada");  // tokens signed before the upgrade stay valid
  EXPECT_EQ(ada->auth_stamp_at, 1'799'999'000);
  EXPECT_EQ(ada->created_at, 1'600'000'000);

  JobQueue queue(catalogue, JobSettings{});
  std::set<std::string> claimed;
  for (const ClaimedJob& job : queue.claim("w2", 10, 600, kNow)) claimed.insert(job.asset.url);
  EXPECT_EQ(claimed, (std::set<std::string>{"never-tried", "lease-ran-out"}));  // backing off, leased: not yet
  const std::int64_t leased_job = catalogue.with_connection([](sql::Connection& db) {
    auto job = db.prepare("SELECT job_id FROM thumbnail_jobs WHERE asset_id = 3");
    job.step();
    return job.int64(0);
  });
  auto beat = queue.heartbeat(leased_job, 5, 600, kNow);  // its lease is still held, under the same token
  ASSERT_TRUE(std::holds_alternative<HeartbeatResult>(beat));
  EXPECT_EQ(std::get<HeartbeatResult>(beat).lease_expires_at, kNow + 600);
  const QueueDepth depth = read_queue_depth(catalogue, kNow);  // what /metrics shows
  EXPECT_EQ(depth.leased, 3);
  EXPECT_EQ(depth.backing_off, 1);
  EXPECT_EQ(depth.missing, 4);
  auto later = queue.claim("w2", 10, 600, kNow + 60);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].asset.url, "backing-off");

  // The triggers rewritten by the upgrade stamp the database's clock, to the whole second.
  const std::int64_t start = std::time(nullptr);
  ASSERT_TRUE(catalogue.revoke_tokens("ada"));
  catalogue.set_thumbnail(1, "thumbs/1/t.jpg", "image/jpeg", kNow);
  catalogue.set_password("bo", "h2");
  const std::int64_t end = std::time(nullptr);
  EXPECT_GE(catalogue.find_user("ada")->auth_stamp_at, start);
  EXPECT_LE(catalogue.find_user("ada")->auth_stamp_at, end);
  EXPECT_GE(catalogue.find_user("bo")->auth_stamp_at, start);
  catalogue.with_connection([&](sql::Connection& db) {
    auto job = db.prepare("SELECT state, updated_at FROM thumbnail_jobs WHERE asset_id = 1");
    ASSERT_TRUE(job.step());
    EXPECT_EQ(job.text(0), "done");
    EXPECT_GE(job.int64(1), start);
    EXPECT_LE(job.int64(1), end);
  });
}

}  // namespace
}  // namespace thumbgen::server
