// When `thumbgen work` may start work: not while it is paused (SIGUSR1, or "pause" in the control file), nor
// outside its --schedule window.
#pragma once

#include <optional>

#include "worker/control_file.h"
#include "worker/schedule.h"
#include "worker/work_log.h"

namespace thumbgen::worker {

// Returns at once when work may start; else says why once, then waits, reading the control file every 250 ms.
// False when the worker is stopping (a stop signal, or "stop" in the control file).
bool wait_until_allowed(const std::optional<TimeWindow>& schedule, ControlFile& control, WorkLog& log);

}  // namespace thumbgen::worker
