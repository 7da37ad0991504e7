#include "server/catalogue_migration.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

namespace thumbgen::server {

namespace {

using Row = std::vector<std::optional<std::string>>;

// Rows per destination transaction: an interrupted run keeps what it committed, and no transaction grows large.
constexpr std::size_t kRowsPerTransaction = 2000;
// Bound values per INSERT statement (PostgreSQL allows 65,535).
constexpr std::size_t kMaxParameters = 20000;
// Held for the whole run: a second `thumbgen migrate` into the same database stops instead of interleaving.
constexpr std::int64_t kMigrateLock = 7142650213;

struct TableSpec {
  const char* name;
  std::vector<std::string> key;       // the primary key
  std::vector<std::string> identity;  // what a row already there under the same key must hold to be this row
  // Columns the destination's insert triggers overwrite, written back from the source after the insert (users: the
  // auth stamp, so tokens signed before the move stay valid).
  std::vector<std::string> restore_after_insert;
  // Inserting an asset makes a queued job (trigger assets_job_insert): removed, as the source's own job row (with
  // its state, attempts and token) follows in thumbnail_jobs.
  bool drop_trigger_jobs = false;
  bool identity_unique = false;  // a unique constraint holds the identity: another key cannot hold it too
};

// Dependency order: a row's references are copied before it.
const std::vector<TableSpec>& copied_tables() {
  static const std::vector<TableSpec> tables = {
      {"users", {"id"}, {"username"}, {"auth_stamp", "auth_stamp_at"}, false, true},
      {"assets", {"id"}, {"url"}, {}, true, true},
      {"formats", {"id"}, {"asset_id", "format_type", "root_resource"}, {}, false, false},
      {"resources", {"id"}, {"format_id", "path"}, {}, false, false},
      {"thumbnail_jobs", {"job_id"}, {"asset_id"}, {}, false, true},
      {"selections", {"id"}, {"token"}, {}, false, true},
      {"selection_assets", {"selection_id", "asset_id"}, {}, {}, false, false},
  };
  return tables;
}

// Source tables not copied row by row: recounted (missing_counts), carried into the fencing-token sequence
// (counters), SQLite's own (its FTS5 search index; PostgreSQL searches with pg_trgm indexes instead), or
// short-lived (login_failures: a login window's worth of throttling, which a move may start afresh).
bool is_derived_table(const std::string& name) {
  return name == "missing_counts" || name == "counters" || name.starts_with("sqlite_") || name == "assets_search" ||
         name.starts_with("assets_search_") || name == "login_failures";
}

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

std::string column_list(const std::vector<std::string>& columns) {
  std::string out;
  for (const std::string& column : columns) out += (out.empty() ? "" : ", ") + quoted(column);
  return out;
}

std::string describe_values(const std::vector<std::string>& columns, const std::vector<std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    std::string value = values[i].size() > 80 ? values[i].substr(0, 80) + "..." : values[i];
    out += (out.empty() ? "" : ", ") + columns[i] + "=" + value;
  }
  return out;
}

std::vector<std::string> sqlite_columns(sql::Connection& source, const std::string& table) {
  std::vector<std::string> columns;
  auto statement = source.prepare("SELECT name FROM pragma_table_info(?)");
  statement.bind(1, table);
  while (statement.step()) columns.push_back(statement.text(0));
  return columns;
}

// The destination's columns, each with whether it holds a time (timestamptz, where SQLite has unix seconds).
std::map<std::string, bool> postgres_columns(sql::Connection& destination, const std::string& table) {
  std::map<std::string, bool> columns;
  auto statement = destination.prepare(
      "SELECT column_name, data_type = 'timestamp with time zone' FROM information_schema.columns "
      "WHERE table_schema = current_schema() AND table_name = ?");
  statement.bind(1, table);
  while (statement.step()) columns.emplace(statement.text(0), statement.int64(1) != 0);
  return columns;
}

class TableCopy {
 public:
  TableCopy(const TableSpec& spec, sql::Connection& source, sql::Connection& destination)
      : spec_(spec), source_(source), destination_(destination) {
    columns_ = sqlite_columns(source, spec.name);
    if (columns_.empty()) throw std::runtime_error(std::string("the source has no table ") + spec.name);
    const std::map<std::string, bool> present = postgres_columns(destination, spec.name);
    if (present.empty()) throw std::runtime_error(std::string("the destination has no table ") + spec.name);
    for (const std::string& column : columns_) {
      // Equal schema versions make this impossible; checked anyway, as a column left behind would be data lost.
      auto found = present.find(column);
      if (found == present.end())
        throw std::runtime_error(std::string(spec.name) + "." + column +
                                 " of the source has no column in the destination");
      is_time_.push_back(found->second);
    }
    key_index_ = indexes(spec.key);
    identity_index_ = indexes(spec.identity);
    restore_index_ = indexes(spec.restore_after_insert);
    result_.table = spec.name;
  }

  TableCopyResult run() {
    std::string order;
    for (const std::string& column : spec_.key) order += (order.empty() ? "" : ", ") + quoted(column);
    auto rows =
        source_.prepare("SELECT " + column_list(columns_) + " FROM " + quoted(spec_.name) + " ORDER BY " + order);
    std::vector<Row> batch;
    while (rows.step()) {
      Row row(columns_.size());
      for (std::size_t i = 0; i < columns_.size(); ++i) row[i] = rows.optional_text(static_cast<int>(i));
      batch.push_back(std::move(row));
      if (batch.size() == kRowsPerTransaction) {
        write(batch);
        batch.clear();
      }
    }
    if (!batch.empty()) write(batch);
    return result_;
  }

 private:
  std::vector<std::size_t> indexes(const std::vector<std::string>& names) const {
    std::vector<std::size_t> out;
    for (const std::string& name : names) {
      auto found = std::find(columns_.begin(), columns_.end(), name);
      if (found == columns_.end()) throw std::logic_error(std::string(spec_.name) + " has no column " + name);
      out.push_back(static_cast<std::size_t>(found - columns_.begin()));
    }
    return out;
  }

  std::vector<std::string> values_at(const Row& row, const std::vector<std::size_t>& at) const {
    std::vector<std::string> values;
    for (std::size_t i : at) values.push_back(row[i].value_or(""));
    return values;
  }

  // A source value into the destination: as it is, or where the destination holds a time, SQLite's unix seconds
  // as one (sql::UnixTime), the same instant.
  void bind_value(sql::Statement& statement, int parameter, const Row& row, std::size_t column) const {
    const std::optional<std::string>& value = row[column];
    if (!value) {
      statement.bind_null(parameter);
    } else if (!is_time_[column]) {
      statement.bind(parameter, *value);
    } else {
      std::int64_t seconds = 0;
      auto [end, error] = std::from_chars(value->data(), value->data() + value->size(), seconds);
      if (error != std::errc() || end != value->data() + value->size() || value->empty()) {
        throw std::runtime_error(std::string(spec_.name) + " " +
                                 describe_values(spec_.key, values_at(row, key_index_)) + ": " + columns_[column] +
                                 " is '" + *value + "', not a time in unix seconds");
      }
      statement.bind(parameter, sql::UnixTime{seconds});
    }
  }

  static std::string joined(const std::vector<std::string>& values) {
    std::string out;
    for (const std::string& value : values) out += value + '\x1f';
    return out;
  }

  // One transaction: the rows inserted, their trigger effects undone, the rest checked to be these very rows.
  void write(const std::vector<Row>& batch) {
    sql::Transaction transaction(destination_);
    const std::size_t per_statement = std::max<std::size_t>(1, kMaxParameters / columns_.size());
    std::set<std::string> inserted;
    for (std::size_t start = 0; start < batch.size(); start += per_statement) {
      const std::size_t count = std::min(per_statement, batch.size() - start);
      std::string row_placeholders = "(";
      for (std::size_t i = 0; i < columns_.size(); ++i) row_placeholders += i ? ", ?" : "?";
      row_placeholders += ")";
      std::string text = "INSERT INTO " + quoted(spec_.name) + " (" + column_list(columns_) + ") VALUES ";
      for (std::size_t r = 0; r < count; ++r) text += (r ? ", " : "") + row_placeholders;
      text += " ON CONFLICT DO NOTHING RETURNING " + column_list(spec_.key);
      auto insert = destination_.prepare(text);
      int parameter = 1;
      for (std::size_t r = start; r < start + count; ++r)
        for (std::size_t column = 0; column < columns_.size(); ++column)
          bind_value(insert, parameter++, batch[r], column);
      while (insert.step()) {
        std::vector<std::string> key;
        for (std::size_t k = 0; k < spec_.key.size(); ++k) key.push_back(insert.text(static_cast<int>(k)));
        inserted.insert(joined(key));
      }
    }
    std::vector<const Row*> new_rows, old_rows;
    for (const Row& row : batch)
      (inserted.count(joined(values_at(row, key_index_))) ? new_rows : old_rows).push_back(&row);
    restore_overwritten(new_rows);
    drop_trigger_jobs(new_rows);
    check_against_destination(old_rows, true);
    transaction.commit();
    result_.copied += static_cast<std::int64_t>(new_rows.size());
    result_.already_there += static_cast<std::int64_t>(old_rows.size());
  }

  void restore_overwritten(const std::vector<const Row*>& rows) {
    if (restore_index_.empty() || rows.empty()) return;
    std::string text = "UPDATE " + quoted(spec_.name) + " SET ";
    int parameter = 1;
    for (std::size_t i = 0; i < spec_.restore_after_insert.size(); ++i)
      text += (i ? ", " : "") + quoted(spec_.restore_after_insert[i]) + " = ?" + std::to_string(parameter++);
    text += " WHERE ";
    for (std::size_t k = 0; k < spec_.key.size(); ++k)
      text += (k ? " AND " : "") + quoted(spec_.key[k]) + " = ?" + std::to_string(parameter++);
    auto update = destination_.prepare(text);
    for (const Row* row : rows) {
      int at = 1;
      for (std::size_t i : restore_index_) bind_value(update, at++, *row, i);
      for (std::size_t i : key_index_) update.bind(at++, (*row)[i].value_or(""));
      update.run();
      update.reset();
    }
  }

  void drop_trigger_jobs(const std::vector<const Row*>& rows) {
    if (!spec_.drop_trigger_jobs || rows.empty()) return;
    std::string ids = "{";
    for (const Row* row : rows) ids += (ids.size() > 1 ? "," : "") + (*row)[key_index_.front()].value_or("0");
    ids += "}";
    destination_.prepare("DELETE FROM thumbnail_jobs WHERE asset_id = ANY(CAST(? AS BIGINT[]))").bind(1, ids).run();
  }

 public:
  // Before anything is written: every source row already in the destination (by key) must be that very row (the
  // same identity), and no destination row may hold a source row's unique identity under another key. Else the
  // destination holds other data, which a copy must not mix with the source's. An empty table needs no look.
  void preflight() {
    auto any = destination_.prepare("SELECT 1 FROM " + quoted(spec_.name) + " LIMIT 1");
    if (!any.step()) return;
    auto rows = source_.prepare("SELECT " + column_list(columns_) + " FROM " + quoted(spec_.name));
    std::vector<Row> batch;
    auto check = [&] {
      std::vector<const Row*> pointers;
      for (const Row& row : batch) pointers.push_back(&row);
      check_against_destination(pointers, false);
      batch.clear();
    };
    while (rows.step()) {
      Row row(columns_.size());
      for (std::size_t i = 0; i < columns_.size(); ++i) row[i] = rows.optional_text(static_cast<int>(i));
      batch.push_back(std::move(row));
      if (batch.size() == kRowsPerTransaction) check();
    }
    if (!batch.empty()) check();
  }

 private:
  // The destination's rows whose `by` columns equal one of `rows`' (key and identity columns of each).
  std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> look_up(
      const std::vector<const Row*>& rows, const std::vector<std::string>& by,
      const std::vector<std::size_t>& by_index) {
    std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> found;
    const std::size_t per_statement = std::max<std::size_t>(1, kMaxParameters / by.size());
    std::vector<std::string> selected = spec_.key;
    selected.insert(selected.end(), spec_.identity.begin(), spec_.identity.end());
    for (std::size_t start = 0; start < rows.size(); start += per_statement) {
      const std::size_t count = std::min(per_statement, rows.size() - start);
      std::string text =
          "SELECT " + column_list(selected) + " FROM " + quoted(spec_.name) + " WHERE (" + column_list(by) + ") IN (";
      for (std::size_t r = 0; r < count; ++r) {
        text += r ? ", (" : "(";
        for (std::size_t k = 0; k < by.size(); ++k) text += k ? ", ?" : "?";
        text += ")";
      }
      text += ")";
      auto existing = destination_.prepare(text);
      int parameter = 1;
      for (std::size_t r = start; r < start + count; ++r)
        for (std::size_t i : by_index) existing.bind(parameter++, (*rows[r])[i].value_or(""));
      while (existing.step()) {
        std::vector<std::string> key, identity;
        for (std::size_t k = 0; k < spec_.key.size(); ++k) key.push_back(existing.text(static_cast<int>(k)));
        for (std::size_t k = 0; k < spec_.identity.size(); ++k)
          identity.push_back(existing.text(static_cast<int>(spec_.key.size() + k)));
        const std::string lookup = joined(by == spec_.key ? key : identity);
        found[lookup] = {key, identity};
      }
    }
    return found;
  }

  // `all_there`: these rows were not inserted, so each must be in the destination already (an earlier run's copy).
  void check_against_destination(const std::vector<const Row*>& rows, bool all_there) {
    if (rows.empty()) return;
    const std::string other_data =
        "; the destination holds other data: migrate into an empty database (or one only thumbgen migrate filled)";
    const auto by_key = look_up(rows, spec_.key, key_index_);
    std::vector<const Row*> absent;
    for (const Row* row : rows) {
      const std::vector<std::string> key = values_at(*row, key_index_);
      const std::vector<std::string> identity = values_at(*row, identity_index_);
      const std::string where = std::string(spec_.name) + " " + describe_values(spec_.key, key);
      auto there = by_key.find(joined(key));
      if (there == by_key.end()) {
        absent.push_back(row);
        continue;
      }
      if (there->second.second != identity) {
        throw std::runtime_error(where + ": the destination's row has " +
                                 describe_values(spec_.identity, there->second.second) + " where the source's has " +
                                 describe_values(spec_.identity, identity) + other_data);
      }
    }
    if (absent.empty()) return;
    std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> by_identity;
    if (spec_.identity_unique) by_identity = look_up(absent, spec_.identity, identity_index_);
    for (const Row* row : absent) {
      const std::vector<std::string> key = values_at(*row, key_index_);
      const std::vector<std::string> identity = values_at(*row, identity_index_);
      const std::string where = std::string(spec_.name) + " " + describe_values(spec_.key, key);
      if (auto there = by_identity.find(joined(identity)); there != by_identity.end()) {
        throw std::runtime_error(where + " (" + describe_values(spec_.identity, identity) +
                                 "): the destination holds that under " +
                                 describe_values(spec_.key, there->second.first) + other_data);
      }
      if (all_there) {
        throw std::runtime_error(where + " (" + describe_values(spec_.identity, identity) +
                                 "): not copied, and no row with this key is there: another of its unique values is "
                                 "taken" +
                                 other_data);
      }
    }
  }

  const TableSpec& spec_;
  sql::Connection& source_;
  sql::Connection& destination_;
  std::vector<std::string> columns_;
  std::vector<bool> is_time_;  // per column of columns_: the destination's column is a timestamptz
  std::vector<std::size_t> key_index_, identity_index_, restore_index_;
  TableCopyResult result_;
};

void check_source(sql::Connection& source, const std::filesystem::path& file) {
  int version = 0;
  {
    auto statement = source.prepare("PRAGMA user_version");
    if (statement.step()) version = static_cast<int>(statement.int64(0));
  }
  if (version != schema_version()) {
    throw std::runtime_error(
        "the source catalogue " + file.string() + " is at schema version " + std::to_string(version) +
        " and this thumbgen's is " + std::to_string(schema_version()) +
        (version < schema_version()
             ? ": run this thumbgen on it once first (e.g. `thumbgen user list --database sqlite:" + file.string() +
                   "`, or start `thumbgen serve` on it), which migrates it, then run thumbgen migrate again"
             : ": use the thumbgen that wrote it"));
  }
  std::set<std::string> known;
  for (const TableSpec& spec : copied_tables()) known.insert(spec.name);
  auto tables = source.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  while (tables.step()) {
    const std::string name = tables.text(0);
    if (!known.count(name) && !is_derived_table(name))
      throw std::runtime_error("the source holds a table " + name + " that thumbgen migrate does not know to copy");
  }
}

// Identity columns continue after the largest id copied (never backwards: the destination may have moved on).
void advance_identity_sequences(sql::Connection& destination) {
  for (const TableSpec& spec : copied_tables()) {
    auto identities = destination.prepare(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND "
        "table_name = ? AND is_identity = 'YES'");
    identities.bind(1, spec.name);
    std::vector<std::string> columns;
    while (identities.step()) columns.push_back(identities.text(0));
    for (const std::string& column : columns) {
      auto advance =
          destination.prepare("SELECT setval(pg_get_serial_sequence(?1, ?2), top.m) FROM (SELECT max(" +
                              quoted(column) + ") AS m FROM " + quoted(spec.name) +
                              ") AS top WHERE top.m IS NOT NULL AND top.m > "
                              "coalesce(pg_sequence_last_value(CAST(pg_get_serial_sequence(?1, ?2) AS regclass)), 0)");
      advance.bind(1, spec.name).bind(2, column);
      while (advance.step()) {
      }
    }
  }
}

// Fencing tokens continue after every token the source handed out (its counter, and any token a job holds).
std::int64_t carry_fencing_tokens(sql::Connection& source, sql::Connection& destination) {
  std::int64_t floor = 0;
  {
    auto counter = source.prepare(
        "SELECT max(coalesce((SELECT value FROM counters WHERE name = 'fencing_token'), 0), "
        "coalesce((SELECT max(fencing_token) FROM thumbnail_jobs), 0))");
    if (counter.step()) floor = counter.int64(0);
  }
  auto rows = source.prepare("SELECT name, value FROM counters");
  while (rows.step()) {
    destination
        .prepare(
            "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = "
            "GREATEST(counters.value, EXCLUDED.value)")
        .bind(1, rows.text(0))
        .bind(2, rows.int64(1))
        .run();
  }
  auto advance = destination.prepare(
      "SELECT setval('fencing_tokens', ?1) WHERE ?1 > coalesce(pg_sequence_last_value('fencing_tokens'), 0)");
  advance.bind(1, floor);
  while (advance.step()) {
  }
  auto current = destination.prepare("SELECT coalesce(pg_sequence_last_value('fencing_tokens'), 0)");
  if (current.step()) floor = std::max(floor, current.int64(0));
  return floor;
}

// The counts the triggers keep, recounted over the whole table: right whatever was copied in which run.
void recount_missing(sql::Connection& destination) {
  destination.exec(
      "UPDATE missing_counts SET n = (SELECT count(*) FROM assets WHERE thumbnail IS NULL) WHERE k = 0;"
      "UPDATE missing_counts SET n = (SELECT count(*) FROM assets WHERE thumbnail IS NULL AND is_viewer_compatible = "
      "1) WHERE k = 1;");
}

}  // namespace

std::filesystem::path source_catalogue_file(std::string_view from) {
  if (!from.starts_with("sqlite:") || from.size() == 7)
    throw std::invalid_argument("--from must be sqlite:DATA (a data folder) or sqlite:FILE (its catalogue.sqlite3)");
  std::filesystem::path path(std::string(from.substr(7)));
  if (std::filesystem::is_directory(path)) path /= "catalogue.sqlite3";
  if (!std::filesystem::is_regular_file(path)) throw std::invalid_argument("no SQLite catalogue at " + path.string());
  return path;
}

CatalogueCopyResult copy_catalogue(const std::filesystem::path& source_file, Catalogue& destination,
                                   const std::function<void(const TableCopyResult&)>& progress) {
  if (destination.dialect() != sql::Dialect::Postgres)
    throw std::runtime_error("the destination must be a postgresql:// catalogue");
  if (!std::filesystem::is_regular_file(source_file))
    throw std::runtime_error("no SQLite catalogue at " + source_file.string());
  sql::Connection source(source_file);
  sql::Transaction snapshot(source, false);  // one consistent view of the source for the whole copy
  check_source(source, source_file);

  return destination.with_connection([&](sql::Connection& db) {
    {
      auto lock = db.prepare("SELECT pg_try_advisory_lock(?)");
      lock.bind(1, kMigrateLock);
      if (!lock.step() || lock.int64(0) != 1)
        throw std::runtime_error("another thumbgen migrate is writing into this database");
    }
    struct Unlock {
      sql::Connection& db;
      ~Unlock() {
        try {
          db.prepare("SELECT pg_advisory_unlock(?)").bind(1, kMigrateLock).run();
        } catch (...) {  // the connection closing releases it too
        }
      }
    } unlock{db};

    std::vector<TableCopy> copies;
    for (const TableSpec& spec : copied_tables()) copies.emplace_back(spec, source, db);
    for (TableCopy& copy : copies) copy.preflight();
    CatalogueCopyResult result;
    for (TableCopy& copy : copies) {
      result.tables.push_back(copy.run());
      if (progress) progress(result.tables.back());
    }
    sql::Transaction finish(db);
    advance_identity_sequences(db);
    result.fencing_token_floor = carry_fencing_tokens(source, db);
    recount_missing(db);
    finish.commit();
    return result;
  });
}

}  // namespace thumbgen::server
