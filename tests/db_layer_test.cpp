// The database layer's engine-independent parts: SQLite placeholders rewritten for PostgreSQL, unix seconds to and
// from PostgreSQL's timestamptz text, and --database. (Against a real PostgreSQL: postgres_time_test.)
#include <gtest/gtest.h>

#include <limits>

#include "server/db.h"
#include "server/db_placeholders.h"
#include "server/db_timestamptz.h"

namespace thumbgen::server::sql {
namespace {

TEST(PostgresPlaceholders, NumberedAndBarePlaceholdersFollowSqlitesNumbering) {
  PostgresSql sql = to_postgres_placeholders("SELECT ?1, ?2, ?1 WHERE a = ? AND b = ?");
  EXPECT_EQ(sql.text, "SELECT $1, $2, $1 WHERE a = $3 AND b = $4");
  EXPECT_EQ(sql.parameters, 4);
  sql = to_postgres_placeholders("UPDATE t SET a = ?5 WHERE id = ?2");  // gaps are allowed, as on SQLite
  EXPECT_EQ(sql.text, "UPDATE t SET a = $5 WHERE id = $2");
  EXPECT_EQ(sql.parameters, 5);
  EXPECT_EQ(sql.referenced, (std::vector<bool>{false, true, false, false, true}));
}

TEST(PostgresPlaceholders, QuotedTextAndCommentsAreLeftAlone) {
  PostgresSql sql = to_postgres_placeholders(
      "SELECT 'what?', 'it''s ?', \"odd?name\" -- why?\n FROM t /* ?1 */ WHERE x LIKE ? ESCAPE '\\'");
  EXPECT_EQ(sql.text, "SELECT 'what?', 'it''s ?', \"odd?name\" -- why?\n FROM t /* ?1 */ WHERE x LIKE $1 ESCAPE '\\'");
  EXPECT_EQ(sql.parameters, 1);
  EXPECT_EQ(to_postgres_placeholders("SELECT '?").text, "SELECT '?");  // an unterminated quote: copied as is
}

TEST(PostgresTimes, UnixSecondsBecomeIsoTextInUtc) {
  EXPECT_EQ(timestamptz_text(0), "1970-01-01 00:00:00+00");
  EXPECT_EQ(timestamptz_text(1'700'000'000), "2023-11-14 22:13:20+00");
  EXPECT_EQ(timestamptz_text(951'825'599), "2000-02-29 11:59:59+00");
  EXPECT_EQ(timestamptz_text(-1), "1969-12-31 23:59:59+00");  // before the epoch: the second below, not above
  EXPECT_EQ(timestamptz_text(-62'135'596'800), "0001-01-01 00:00:00+00");
  EXPECT_EQ(timestamptz_text(253'402'300'799), "9999-12-31 23:59:59+00");
  EXPECT_THROW(timestamptz_text(253'402'300'800), Error);
  EXPECT_THROW(timestamptz_text(-62'135'596'801), Error);
  EXPECT_THROW(timestamptz_text(std::numeric_limits<std::int64_t>::max()), Error);
}

TEST(PostgresTimes, IsoTextAtAnyOffsetBecomesUnixSeconds) {
  EXPECT_EQ(timestamptz_seconds("1970-01-01 00:00:00+00"), 0);
  EXPECT_EQ(timestamptz_seconds("2023-11-14 22:13:20+00"), 1'700'000'000);
  EXPECT_EQ(timestamptz_seconds("2023-11-15 04:28:20+06:15"), 1'700'000'000);
  EXPECT_EQ(timestamptz_seconds("2023-11-14 18:43:20-03:30"), 1'700'000'000);
  EXPECT_EQ(timestamptz_seconds("1970-01-01 00:00:00+00:00:05"), -5);  // LMT offsets have seconds
  EXPECT_EQ(timestamptz_seconds("1969-12-31 23:59:59+00"), -1);
  // A fraction is dropped: the second the instant falls in, before the epoch as after it.
  EXPECT_EQ(timestamptz_seconds("1970-01-01 00:00:01.75+00"), 1);
  EXPECT_EQ(timestamptz_seconds("1969-12-31 23:59:58.75+00"), -2);
  EXPECT_EQ(timestamptz_seconds("0001-01-01 00:00:00+00"), -62'135'596'800);
  EXPECT_EQ(timestamptz_seconds("0001-12-31 00:00:00+00 BC"), -62'135'596'800 - 86'400);  // 1 BC is a leap year
  EXPECT_EQ(timestamptz_seconds("12000-01-01 00:00:00+00"), 316'516'204'800);
  EXPECT_EQ(timestamptz_seconds("infinity"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(timestamptz_seconds("-infinity"), std::numeric_limits<std::int64_t>::min());
  for (std::int64_t seconds : {0ll, 1ll, -1ll, 86'399ll, 1'700'000'000ll, 4'102'444'800ll, -62'135'596'800ll})
    EXPECT_EQ(timestamptz_seconds(timestamptz_text(seconds)), seconds) << seconds;
  for (const char* bad : {"", "1700000000", "2023-11-14", "2023-11-14T22:13:20Z", "2023-11-14 22:13:20",
                          "2023-02-30 00:00:00+00", "2023-11-14 22:13:20+00 AD", "14.11.2023 22:13:20 UTC"}) {
    EXPECT_THROW(timestamptz_seconds(bad), Error) << bad;
  }
}

TEST(DatabaseSetting, SqliteByDefaultPostgresByUrlAndNothingElse) {
  Target target = parse_target("", "/srv/data");
  EXPECT_EQ(target.dialect, Dialect::Sqlite);
  EXPECT_EQ(target.file, "/srv/data/catalogue.sqlite3");
  EXPECT_EQ(parse_target("sqlite:", "/srv/data").file, "/srv/data/catalogue.sqlite3");
  EXPECT_EQ(parse_target("sqlite:/elsewhere/c.db", "/srv/data").file, "/elsewhere/c.db");
  target = parse_target("postgresql://thumbgen:s3cret@db.internal:5432/gallery", "/srv/data");
  EXPECT_EQ(target.dialect, Dialect::Postgres);
  EXPECT_EQ(target.conninfo, "postgresql://thumbgen:s3cret@db.internal:5432/gallery");
  EXPECT_EQ(target.describe(), "postgresql://thumbgen:***@db.internal:5432/gallery");  // logs never show it
  EXPECT_EQ(parse_target("postgres://u@h/d?password=pw&sslmode=require", "d").describe(),
            "postgres://u@h/d?password=***&sslmode=require");
  EXPECT_THROW(parse_target("mysql://u@h/d", "d"), std::invalid_argument);
  EXPECT_THROW(parse_target("postgresql://u@h/d b", "d"), std::invalid_argument);
}

}  // namespace
}  // namespace thumbgen::server::sql
