// SQLite's statement placeholders (`?`, `?N`) rewritten as PostgreSQL's (`$N`), so each query is written once.
#pragma once

#include <string>
#include <string_view>

namespace thumbgen::server::sql {

struct PostgresSql {
  std::string text;
  int parameters = 0;  // the highest $N
};

// `?N` becomes `$N`; a bare `?` takes the next number after the highest so far (SQLite's rule). Text inside string
// literals, quoted identifiers and comments is left alone.
PostgresSql to_postgres_placeholders(std::string_view sql);

}  // namespace thumbgen::server::sql
