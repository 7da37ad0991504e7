// Unix seconds to and from PostgreSQL's text form of a timestamptz (DateStyle ISO), as the PostgreSQL engine of the
// database layer sends and reads time values (db.h: sql::UnixTime).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace thumbgen::server::sql {

// "2023-11-14 22:13:20+00". Years 1 to 9999 only (sql::Error beyond: no catalogue time is that far off).
std::string timestamptz_text(std::int64_t unix_seconds);

// What PostgreSQL prints for a timestamptz in DateStyle ISO, at any UTC offset: "2023-11-14 22:13:20+00",
// "...20.5-03:30", "0044-03-15 12:00:00+00 BC", "infinity" (the largest int64) and "-infinity" (the smallest).
// A fraction of a second is dropped (rounded down: the second it falls in). Throws sql::Error on anything else.
std::int64_t timestamptz_seconds(std::string_view text);

}  // namespace thumbgen::server::sql
