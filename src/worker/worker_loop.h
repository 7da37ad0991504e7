// `thumbgen work`: the options and exit codes, and the loop. It waits while paused or outside --schedule, takes a
// batch of assets from the server (a JobSource: the claim protocol, or the spec's listing in compatibility mode)
// and runs it (BatchRunner: fetch, render in src/runner's crash-isolated render processes, upload or report the
// failure); with --watch it polls an empty queue ever less often, up to --poll.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "platform/pipeline.h"
#include "worker/schedule.h"

namespace thumbgen::worker {

// Exit codes of `work` (0 and 2 as `render`).
inline constexpr int kWorkExitOk = 0;
inline constexpr int kWorkExitSomeFailed = 1;   // --once: some asset failed
inline constexpr int kWorkExitFatal = 3;        // credentials refused, or no render process could start
inline constexpr int kWorkExitUnreachable = 4;  // the server did not answer through all retries
inline constexpr int kWorkExitInterrupted = 130;

struct WorkOptions {
  std::string server_url;
  std::string token;           // either a token...
  std::string user, password;  // ...or credentials (logged in again before the token expires)
  platform::JobOptions job;
  int jobs = 1;
  std::chrono::milliseconds timeout{30'000};
  std::uint64_t max_memory_bytes = 0;
  int batch = 50;
  bool watch = false;  // false: --once
  std::optional<TimeWindow> schedule;
  bool json = false;
  std::filesystem::path cache_dir;
  std::filesystem::path control_file;  // empty: none
  int lease_seconds = 300;
  bool force_compat = false;  // use the spec's listing + upload even when the server has the claim protocol
  std::chrono::seconds idle_poll_max{60};  // --watch: longest wait between polls of an empty queue
};

int run_work(const WorkOptions& options);

}  // namespace thumbgen::worker
