// `thumbgen work`: its exit codes, and the loop. It waits while paused or outside --schedule, takes a
// batch of assets from the server (a JobSource: the claim protocol, or the spec's listing in compatibility mode)
// and runs it (BatchRunner: fetch, render in src/runner's crash-isolated render processes, upload or report the
// failure); with --watch it polls an empty queue ever less often, up to --poll.
#pragma once

#include "worker/work_options.h"

namespace thumbgen::worker {

// Exit codes of `work` (0 and 2 as `render`).
inline constexpr int kWorkExitOk = 0;
inline constexpr int kWorkExitSomeFailed = 1;   // --once: some asset failed
inline constexpr int kWorkExitFatal = 3;        // credentials refused, or no render process could start
inline constexpr int kWorkExitUnreachable = 4;  // the server did not answer through all retries
inline constexpr int kWorkExitInterrupted = 130;

int run_work(const WorkOptions& options);

}  // namespace thumbgen::worker
