#include "worker/schedule.h"

#include <charconv>
#include <stdexcept>

namespace thumbgen::worker {
namespace {

constexpr int kDay = 24 * 60;

// "HH:MM" → minutes; -1 when malformed.
int parse_clock(std::string_view text, bool allow_24) {
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() - colon != 3) return -1;
  int hours = 0, minutes = 0;
  auto h = std::from_chars(text.data(), text.data() + colon, hours);
  auto m = std::from_chars(text.data() + colon + 1, text.data() + text.size(), minutes);
  if (h.ec != std::errc() || h.ptr != text.data() + colon || m.ec != std::errc() ||
      m.ptr != text.data() + text.size()) {
    return -1;
  }
  if (minutes < 0 || minutes > 59 || hours < 0) return -1;
  if (hours == 24 && minutes == 0 && allow_24) return kDay;
  if (hours > 23) return -1;
  return hours * 60 + minutes;
}

}  // namespace

bool TimeWindow::contains(int minute) const {
  if (start_minute < end_minute) return minute >= start_minute && minute < end_minute;
  return minute >= start_minute || minute < end_minute;  // crosses midnight
}

int TimeWindow::minutes_until_open(int minute) const {
  if (contains(minute)) return 0;
  return ((start_minute - minute) % kDay + kDay) % kDay;
}

TimeWindow parse_time_window(const std::string& text) {
  std::string compact;
  for (char c : text) {
    if (c != ' ') compact.push_back(c);
  }
  std::size_t dash = compact.find('-');
  if (dash != std::string::npos) {
    int start = parse_clock(std::string_view(compact).substr(0, dash), false);
    int end = parse_clock(std::string_view(compact).substr(dash + 1), true);
    if (start >= 0 && end >= 0) {
      if (end == kDay) end = start == 0 ? kDay : 0;  // "24:00" ends at midnight; "00:00-24:00" is the whole day
      if (start == end) throw std::invalid_argument("--schedule: the window '" + text + "' is empty");
      return {start, end};
    }
  }
  throw std::invalid_argument("--schedule: expected a local time window 'HH:MM-HH:MM' such as '02:00-06:00', got '" +
                              text + "'");
}

int local_minute_of_day(std::time_t now) {
  std::tm parts{};
  localtime_r(&now, &parts);
  return parts.tm_hour * 60 + parts.tm_min;
}

}  // namespace thumbgen::worker
