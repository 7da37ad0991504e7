#include "server/isolated_call.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <new>
#include <optional>
#include <string_view>
#include <system_error>
#include <thread>

#include "server/model_file_open.h"

namespace thumbgen::server {
namespace {

using Clock = std::chrono::steady_clock;

// How the child ends when `work` throws (its message follows on the pipe) or runs out of memory. Not 1: that is
// what AddressSanitizer exits with after a report.
constexpr int kThrewStatus = 70;  // EX_SOFTWARE
constexpr int kOutOfMemoryStatus = 71;
constexpr std::size_t kShownMessageBytes = 500;

void write_fully(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;  // the parent gave up on us
    text.remove_prefix(static_cast<std::size_t>(written));
  }
}

// The child's address space now (VmSize): the limit is set above it, as the caller's own mappings come along.
std::uint64_t current_address_space() {
  unsigned long long pages = 0;
  if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(statm, "%llu", &pages) != 1) pages = 0;
    std::fclose(statm);
  }
  return pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

[[noreturn]] void child_main(int out, pid_t parent, const std::function<std::string()>& work,
                             const IsolationLimits& limits) {
  // A killed importer must not leave its children running; check it did not die before prctl took effect.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(1);
  // Whatever a library prints must not land among the caller's own output.
  ::dup2(STDERR_FILENO, STDOUT_FILENO);
  if (limits.max_memory_bytes > 0) {
    const rlim_t limit = current_address_space() + limits.max_memory_bytes;
    const rlimit address_space{limit, limit};
    ::setrlimit(RLIMIT_AS, &address_space);
  }
  // _exit throughout: the caller's atexit handlers, static destructors and stdio buffers are not the child's to run.
  try {
    const std::string output = work();
    write_fully(out, output);
    ::_exit(0);
  } catch (const std::bad_alloc&) {
    ::_exit(kOutOfMemoryStatus);
  } catch (const std::exception& failure) {
    write_fully(out, failure.what());
  } catch (...) {
  }
  ::_exit(kThrewStatus);
}

std::string seconds_text(std::chrono::milliseconds duration) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", static_cast<double>(duration.count()) / 1000.0);
  return text;
}

std::string memory_limit_text(std::uint64_t bytes) {
  constexpr std::uint64_t kGiB = 1ull << 30;
  return bytes % kGiB == 0 ? std::to_string(bytes / kGiB) + " GiB" : std::to_string(bytes >> 20) + " MiB";
}

// Reaps the child, which has closed its end of the pipe and so is exiting; killed if it still runs at `deadline`.
// nullopt when its status is lost (SIGCHLD ignored by the caller).
std::optional<int> reap(pid_t pid, Clock::time_point deadline, bool& timed_out) {
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) return std::nullopt;
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  timed_out = true;
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

std::string describe_end(int status, const std::string& output, const IsolationLimits& limits) {
  const std::string limit = limits.max_memory_bytes > 0 ? memory_limit_text(limits.max_memory_bytes) : "";
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    const char* name = ::sigabbrev_np(signal);
    // Under RLIMIT_AS an allocation failing inside a library often aborts rather than throws: the limit is said.
    return "crashed (signal " + std::to_string(signal) + (name ? std::string(", SIG") + name : "") +
           (limit.empty() ? "" : "; memory limit " + limit) + ")";
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == kOutOfMemoryStatus) return "ran out of memory" + (limit.empty() ? "" : " (limit " + limit + ")");
  if (code == kThrewStatus) return "failed: " + output.substr(0, kShownMessageBytes);
  return "ended with status " + std::to_string(code);
}

}  // namespace

IsolatedResult run_isolated(const std::function<std::string()>& work, const IsolationLimits& limits) {
  int pipe_ends[2];
  if (::pipe2(pipe_ends, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  UniqueFd from_child(pipe_ends[0]), to_parent(pipe_ends[1]);
  std::fflush(nullptr);  // or the child would inherit and repeat buffered output
  const pid_t parent = ::getpid();
  const Clock::time_point deadline = Clock::now() + limits.timeout;
  const pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    from_child.reset();
    child_main(to_parent.get(), parent, work, limits);
  }
  to_parent.reset();  // so that the child's exit ends the output

  IsolatedResult result;
  bool timed_out = false, too_long = false;
  std::string output;
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd readable{from_child.get(), POLLIN, 0};
    const int ready = ::poll(&readable, 1, static_cast<int>(std::min<long long>(left.count(), 60'000)));
    if (ready <= 0) continue;  // a timeout or EINTR: the deadline decides
    char chunk[65536];
    const ssize_t got = ::read(from_child.get(), chunk, sizeof chunk);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) break;  // the child is done
    output.append(chunk, static_cast<std::size_t>(got));
    if (output.size() > limits.max_output_bytes) {
      too_long = true;
      break;
    }
  }
  if (timed_out || too_long) ::kill(pid, SIGKILL);
  const std::optional<int> status = reap(pid, deadline, timed_out);

  if (too_long) {
    result.failure = "sent more than " + std::to_string(limits.max_output_bytes) + " bytes";
  } else if (timed_out) {
    result.failure = "timed out after " + seconds_text(limits.timeout);
  } else if (!status) {
    result.failure = "ended, its exit status unknown";
  } else if (WIFEXITED(*status) && WEXITSTATUS(*status) == 0) {
    result.ok = true;
    result.output = std::move(output);
  } else {
    result.failure = describe_end(*status, output, limits);
  }
  return result;
}

}  // namespace thumbgen::server
