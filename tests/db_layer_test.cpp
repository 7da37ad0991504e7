// The database layer's engine-independent parts: SQLite placeholders rewritten for PostgreSQL, and --database.
#include <gtest/gtest.h>

#include "server/db.h"
#include "server/db_placeholders.h"

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
