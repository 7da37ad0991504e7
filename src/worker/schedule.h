// `--schedule "02:00-06:00"`: the local time window a worker may claim work in (crossing midnight allowed).
#pragma once

#include <ctime>
#include <string>

namespace thumbgen::worker {

struct TimeWindow {
  int start_minute = 0;  // minutes after local midnight, inclusive
  int end_minute = 0;    // exclusive; smaller than start when the window crosses midnight
  bool contains(int minute_of_day) const;
  // 0 when inside, else minutes until the window opens.
  int minutes_until_open(int minute_of_day) const;
};

// "HH:MM-HH:MM" (24-hour clock, "24:00" allowed as an end). Throws std::invalid_argument naming --schedule.
TimeWindow parse_time_window(const std::string& text);

// The current local time as minutes after midnight.
int local_minute_of_day(std::time_t now = std::time(nullptr));

}  // namespace thumbgen::worker
