// The catalogue half of `thumbgen migrate`: every row of a SQLite catalogue copied into a PostgreSQL one, ids
// kept, so that the PostgreSQL catalogue then answers exactly as the SQLite one did (jobs with their states, tokens
// and leases; users with their auth stamps, so tokens signed before stay valid; missing counts; identity sequences
// and fencing tokens continuing after the source's).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "server/catalogue.h"

namespace thumbgen::server {

struct TableCopyResult {
  std::string table;
  std::int64_t copied = 0, already_there = 0;
};

struct CatalogueCopyResult {
  std::vector<TableCopyResult> tables;   // in the order they were copied
  std::int64_t fencing_token_floor = 0;  // the next claim's token is greater than this
};

// The SQLite file `--from` names: "sqlite:PATH" where PATH is a data folder (its catalogue.sqlite3) or the
// catalogue file itself. Throws std::invalid_argument when it is not sqlite: or names nothing that exists.
std::filesystem::path source_catalogue_file(std::string_view from);

// Copies the SQLite catalogue `source_file` into `destination` (a PostgreSQL catalogue, opened, so its migrations
// ran). Tables in dependency order, a few thousand rows per transaction, rows already in the destination left
// alone (a re-run copies only what is missing and changes nothing else). Throws std::runtime_error naming the table
// and row when the source's schema version differs from this thumbgen's, when the source holds a table or column
// this copy does not know, or when the destination holds other data under the same id or unique value.
CatalogueCopyResult copy_catalogue(const std::filesystem::path& source_file, Catalogue& destination,
                                   const std::function<void(const TableCopyResult&)>& progress = nullptr);

}  // namespace thumbgen::server
