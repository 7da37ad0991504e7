#include "server/db_timestamptz.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <limits>

#include "server/db.h"

namespace thumbgen::server::sql {

std::string timestamptz_text(std::int64_t unix_seconds) {
  using namespace std::chrono;
  constexpr std::int64_t kFirst = -62135596800;  // 0001-01-01 00:00:00 UTC
  constexpr std::int64_t kLast = 253402300799;   // 9999-12-31 23:59:59 UTC
  if (unix_seconds < kFirst || unix_seconds > kLast)
    throw Error(1, "time out of range: " + std::to_string(unix_seconds) + " unix seconds");
  const sys_seconds time{seconds{unix_seconds}};
  const sys_days day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u %02d:%02d:%02d+00", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

std::int64_t timestamptz_seconds(std::string_view text) {
  if (text == "infinity") return std::numeric_limits<std::int64_t>::max();
  if (text == "-infinity") return std::numeric_limits<std::int64_t>::min();
  std::string_view rest = text;
  auto fail = [&]() -> std::int64_t { throw Error(1, "not a timestamptz in ISO style: '" + std::string(text) + "'"); };
  auto number = [&](std::size_t min_digits, std::size_t max_digits) {
    std::size_t digits = 0;
    while (digits < rest.size() && digits < max_digits && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    if (digits < min_digits) return fail();
    std::int64_t value = 0;
    std::from_chars(rest.data(), rest.data() + digits, value);
    rest.remove_prefix(digits);
    return value;
  };
  auto skip = [&](char expected) {
    if (rest.empty() || rest.front() != expected) fail();
    rest.remove_prefix(1);
  };
  auto next_is = [&](char c) { return !rest.empty() && rest.front() == c; };

  const std::int64_t year = number(4, 6);
  skip('-');
  const std::int64_t month = number(2, 2);
  skip('-');
  const std::int64_t day = number(2, 2);
  skip(' ');
  const std::int64_t hour = number(2, 2);
  skip(':');
  const std::int64_t minute = number(2, 2);
  skip(':');
  const std::int64_t second = number(2, 2);
  if (next_is('.')) {  // dropped: the second it falls in (thumbgen's columns hold whole seconds anyway)
    skip('.');
    number(1, 6);
  }
  if (!next_is('+') && !next_is('-')) fail();
  const std::int64_t sign = next_is('-') ? -1 : 1;
  rest.remove_prefix(1);
  std::int64_t offset = number(2, 2) * 3600;
  if (next_is(':')) {
    skip(':');
    offset += number(2, 2) * 60;
  }
  if (next_is(':')) {
    skip(':');
    offset += number(2, 2);
  }
  const bool before_christ = rest == " BC";  // 1 BC is year 0
  if (!rest.empty() && !before_christ) fail();

  using namespace std::chrono;
  const std::int64_t astronomical_year = before_christ ? 1 - year : year;
  if (astronomical_year < static_cast<int>(std::chrono::year::min()) ||
      astronomical_year > static_cast<int>(std::chrono::year::max()))
    fail();
  const year_month_day date{std::chrono::year{static_cast<int>(astronomical_year)},
                            std::chrono::month{static_cast<unsigned>(month)},
                            std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 24 || minute > 59 || second > 60) fail();
  const std::int64_t midnight = duration_cast<seconds>(sys_days{date}.time_since_epoch()).count();
  return midnight + hour * 3600 + minute * 60 + second - sign * offset;
}

}  // namespace thumbgen::server::sql
