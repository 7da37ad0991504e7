// SQLite's statement placeholders (`?`, `?N`) rewritten as PostgreSQL's (`$N`), so each query is written once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace thumbgen::server::sql {

struct PostgresSql {
  std::string text;
  int parameters = 0;  // the highest $N
  // Which of $1..$N the text names (a statement may skip some, as SQLite allows: PostgreSQL then needs a type).
  std::vector<bool> referenced;
};

// `?N` becomes `$N`; a bare `?` takes the next number after the highest so far (SQLite's rule). Text inside string
// literals, quoted identifiers and comments is left alone.
PostgresSql to_postgres_placeholders(std::string_view sql);

}  // namespace thumbgen::server::sql
