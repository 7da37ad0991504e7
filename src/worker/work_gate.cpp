#include "worker/work_gate.h"

#include <chrono>
#include <string>
#include <thread>

#include "worker/work_signals.h"

namespace thumbgen::worker {

bool wait_until_allowed(const std::optional<TimeWindow>& schedule, ControlFile& control, WorkLog& log) {
  bool announced_pause = false, announced_schedule = false;
  for (;;) {
    if (stop_signalled() || control.stop_requested()) return false;
    if (work_paused()) {
      if (!announced_pause) log.note("paused (SIGUSR2 or 'resume' in the control file resumes)");
      announced_pause = true;
      control.check({});
    } else if (schedule && !schedule->contains(local_minute_of_day())) {
      if (!announced_schedule) {
        int wait = schedule->minutes_until_open(local_minute_of_day());
        log.note("outside the --schedule window: sleeping " + std::to_string(wait / 60) + " h " +
                 std::to_string(wait % 60) + " min");
      }
      announced_schedule = true;
      control.check({});
    } else {
      if (announced_pause) log.note("resumed");
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

}  // namespace thumbgen::worker
