#include "runner/render_process_pool.h"

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <new>
#include <nlohmann/json.hpp>
#include <optional>

#include "render/render_settings.h"

namespace thumbgen::runner {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// Messages on the pipes are a 4-byte length followed by that many bytes of JSON.
constexpr std::uint32_t kMaxMessageBytes = 64u << 20;

bool write_all(int fd, const void* data, std::size_t size) {
  auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, bytes, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool send_message(int fd, const json& message) {
  std::string payload = message.dump(-1, ' ', false, json::error_handler_t::replace);
  auto size = static_cast<std::uint32_t>(payload.size());
  std::string frame(reinterpret_cast<const char*>(&size), sizeof size);
  return write_all(fd, (frame + payload).data(), frame.size() + payload.size());
}

bool read_exact(int fd, void* data, std::size_t size) {
  auto* bytes = static_cast<char*>(data);
  while (size > 0) {
    ssize_t n = ::read(fd, bytes, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Blocking read of one message (render process side); nullopt at end of input.
std::optional<json> receive_message(int fd) {
  std::uint32_t size = 0;
  if (!read_exact(fd, &size, sizeof size) || size > kMaxMessageBytes) return std::nullopt;
  std::string payload(size, '\0');
  if (!read_exact(fd, payload.data(), size)) return std::nullopt;
  return json::parse(payload, nullptr, false);
}

// Takes one complete message off the front of `buffer` (parent side, non-blocking reads).
std::optional<json> take_message(std::string& buffer) {
  std::uint32_t size = 0;
  if (buffer.size() < sizeof size) return std::nullopt;
  std::memcpy(&size, buffer.data(), sizeof size);
  if (buffer.size() < sizeof size + size) return std::nullopt;
  json message = json::parse(buffer.substr(sizeof size, size), nullptr, false);
  buffer.erase(0, sizeof size + size);
  return message;
}

std::uint64_t address_space_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0;
  statm >> pages;
  return pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

std::string describe_bytes(std::uint64_t bytes) {
  char text[32];
  if (bytes >= (1ull << 30)) {
    std::snprintf(text, sizeof text, "%.3g GiB", static_cast<double>(bytes) / (1ull << 30));
  } else {
    std::snprintf(text, sizeof text, "%.3g MiB", static_cast<double>(bytes) / (1ull << 20));
  }
  return text;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::string describe_exit(int wait_status) {
  if (WIFSIGNALED(wait_status)) {
    int signal = WTERMSIG(wait_status);
    const char* name = sigabbrev_np(signal);
    return "crashed (signal " + std::to_string(signal) + (name ? " SIG" + std::string(name) : "") + ")";
  }
  if (WIFEXITED(wait_status)) return "render process exited with status " + std::to_string(WEXITSTATUS(wait_status));
  return "render process ended unexpectedly";
}

std::string describe_duration(std::chrono::milliseconds duration) {
  auto ms = duration.count();
  if (ms < 1000) return std::to_string(ms) + " ms";
  char text[32];
  std::snprintf(text, sizeof text, "%g s", static_cast<double>(ms) / 1000.0);
  return text;
}

struct RenderProcessPool::Process {
  enum class State { Dead, Starting, Idle, Busy };
  State state = State::Dead;
  pid_t pid = -1;
  int job_fd = -1;     // parent → process
  int result_fd = -1;  // process → parent (non-blocking in the parent)
  std::string buffer;  // bytes read but not yet a whole message
  std::string startup_failure;
  std::size_t item = 0;
  Clock::time_point started;
  Clock::time_point deadline;
};

RenderProcessPool::RenderProcessPool(PoolOptions options, RenderProcessSetup setup)
    : options_(std::move(options)), setup_(std::move(setup)) {
  if (options_.processes < 1) options_.processes = 1;
  if (::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::runtime_error("pipe: " + std::string(strerror(errno)));
}

RenderProcessPool::~RenderProcessPool() {
  kill_all();
  close_fd(wake_pipe_[0]);
  close_fd(wake_pipe_[1]);
}

void RenderProcessPool::request_stop() {
  stop_requests_.fetch_add(1);
  char byte = 1;
  [[maybe_unused]] auto ignored = ::write(wake_pipe_[1], &byte, 1);
}

void RenderProcessPool::spawn(Process& process) {
  int jobs[2], results[2];
  if (::pipe2(jobs, O_CLOEXEC) != 0) throw std::runtime_error("pipe: " + std::string(strerror(errno)));
  if (::pipe2(results, O_CLOEXEC) != 0) {
    ::close(jobs[0]);
    ::close(jobs[1]);
    throw std::runtime_error("pipe: " + std::string(strerror(errno)));
  }
  std::fflush(nullptr);  // or the render process would inherit and later repeat buffered output
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork: " + std::string(strerror(errno)));
  if (pid == 0) {
    ::close(jobs[1]);
    ::close(results[0]);
    process_main(jobs[0], results[1]);
  }
  ::close(jobs[0]);
  ::close(results[1]);
  ::fcntl(results[0], F_SETFL, O_NONBLOCK);
  process.state = Process::State::Starting;
  process.pid = pid;
  process.job_fd = jobs[1];
  process.result_fd = results[0];
  process.buffer.clear();
  process.startup_failure.clear();
  process.started = Clock::now();
  process.deadline = process.started + options_.startup_timeout;
}

namespace {

// The render process keeps up to 256 MB of freed heap for speed (tune_malloc_for_software_gl); after a large
// asset that reserve plus the driver's would hold the process near its peak for the rest of the batch, so it is
// handed back to the system once the resident size is over this. Not lower: memory handed back is faulted in
// again by the next textured model (trimming above 192 MB cost the corpus 4 % of its time, in the kernel).
constexpr std::uint64_t kTrimAboveResidentBytes = 384ull << 20;

void return_memory_after_large_job() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return;
  if (resident_pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)) > kTrimAboveResidentBytes) ::malloc_trim(0);
}

}  // namespace

void RenderProcessPool::process_main(int job_fd, int result_fd) {
  // Die with the parent; check it did not die before prctl took effect.
  pid_t parent = ::getppid();
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(1);
  // Ctrl-C reaches the whole process group: the parent decides what stops.
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGTERM, SIG_IGN);
  ::signal(SIGPIPE, SIG_DFL);
  // Whatever a library prints must not end up in the parent's stdout (the --json stream).
  ::dup2(STDERR_FILENO, STDOUT_FILENO);
  // Other render processes' pipe ends, inherited from the parent, would keep their pipes open after they die.
  for (auto& other : processes_) {
    close_fd(other.job_fd);
    close_fd(other.result_fd);
  }
  close_fd(wake_pipe_[0]);
  close_fd(wake_pipe_[1]);
  for (const auto& [name, value] : options_.environment) ::setenv(name.c_str(), value.c_str(), 0);

  JobFunction job;
  try {
    job = setup_();
  } catch (const std::exception& error) {
    send_message(result_fd, {{"type", "startup_failed"}, {"reason", error.what()}});
    ::_exit(3);
  }
  if (options_.max_memory_bytes > 0) {
    rlim_t limit = address_space_bytes() + options_.max_memory_bytes;
    rlimit rl{limit, limit};
    ::setrlimit(RLIMIT_AS, &rl);
  }
  if (!send_message(result_fd, {{"type", "ready"}})) ::_exit(1);

  while (auto message = receive_message(job_fd)) {
    if (!message->is_object()) break;
    WorkOutcome outcome;
    try {
      outcome =
          job(WorkItem{message->value("input", ""), message->value("output", ""), message->value("settings", "")});
    } catch (const std::bad_alloc&) {
      outcome = {false,
                 "out of memory" + (options_.max_memory_bytes > 0
                                        ? " (--max-memory " + describe_bytes(options_.max_memory_bytes) + ")"
                                        : std::string()),
                 {}};
    } catch (const std::exception& error) {
      outcome = {false, error.what(), {}};
    } catch (...) {
      outcome = {false, "unknown error", {}};
    }
    json result = {{"type", "result"}, {"ok", outcome.ok}, {"reason", outcome.reason}, {"warnings", outcome.warnings}};
    if (outcome.camera) {
      result["camera"] = render::camera_to_json(*outcome.camera);
      result["camera_source"] = outcome.camera_source;
    }
    if (!send_message(result_fd, result)) break;
    return_memory_after_large_job();
  }
  // _exit: the parent's atexit handlers and static destructors (and stdio buffers) are not ours to run.
  ::_exit(0);
}

void RenderProcessPool::dispatch(Process& process, std::size_t index, const WorkItem& item) {
  process.state = Process::State::Busy;
  process.item = index;
  process.started = Clock::now();
  process.deadline = process.started + options_.timeout;
  // A failed write means the process died; its closed result pipe reports that as a crash of this item.
  json message = {{"input", item.input}, {"output", item.output}};
  if (!item.settings.empty()) message["settings"] = item.settings;
  send_message(process.job_fd, message);
}

void RenderProcessPool::finish(Process& process, WorkResult result,
                               const std::function<void(const WorkResult&)>& on_result) {
  result.index = process.item;
  result.ms = std::chrono::duration<double, std::milli>(Clock::now() - process.started).count();
  process.state = Process::State::Idle;
  on_result(result);
}

void RenderProcessPool::bury(Process& process) {
  close_fd(process.job_fd);
  close_fd(process.result_fd);
  if (process.pid > 0) {
    ::kill(process.pid, SIGKILL);
    while (::waitpid(process.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  process.pid = -1;
  process.state = Process::State::Dead;
}

void RenderProcessPool::end_idle_processes() {
  // Closing its job pipe ends an idle process's loop; one still starting is not worth waiting for.
  for (auto& process : processes_) {
    if (process.state != Process::State::Idle) continue;
    close_fd(process.job_fd);
    while (::waitpid(process.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    process.pid = -1;
    bury(process);
  }
}

void RenderProcessPool::clear_stop_requests() { stop_requests_.store(0); }

void RenderProcessPool::kill_all() {
  for (auto& process : processes_) bury(process);
}

std::size_t RenderProcessPool::run(const std::vector<WorkItem>& items,
                                   const std::function<void(const WorkResult&)>& on_result) {
  // Writing to a dead process's pipe must fail with EPIPE, not kill the parent.
  struct sigaction ignore {
  }, previous{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);
  struct Restore {
    RenderProcessPool& pool;
    struct sigaction previous;
    ~Restore() {
      // Idle processes may serve the next run; any other state (an exception, an interrupted item) is unknown.
      for (auto& process : pool.processes_) {
        if (!pool.options_.keep_idle_processes || process.state != Process::State::Idle) pool.bury(process);
      }
      ::sigaction(SIGPIPE, &previous, nullptr);
    }
  } restore{*this, previous};

  std::size_t next = 0;
  const std::size_t wanted = std::min<std::size_t>(static_cast<std::size_t>(options_.processes), items.size());
  if (!options_.keep_idle_processes) processes_.clear();
  if (processes_.size() < wanted) processes_.resize(wanted);
  for (std::size_t i = 0; i < wanted; ++i) {
    if (processes_[i].state == Process::State::Dead && stop_requests_.load() == 0) spawn(processes_[i]);
  }

  auto ended_process = [&](Process& process) {
    int status = 0;
    close_fd(process.job_fd);
    close_fd(process.result_fd);
    while (::waitpid(process.pid, &status, 0) < 0 && errno == EINTR) {
    }
    process.pid = -1;
    if (process.state == Process::State::Starting) {
      throw RenderProcessStartupError(process.startup_failure.empty()
                                          ? "render process " + describe_exit(status) + " while starting"
                                          : process.startup_failure);
    }
    if (process.state == Process::State::Busy) {
      std::string reason = describe_exit(status);
      // Under RLIMIT_AS, allocation failures inside the GL driver or LLVM abort rather than throw.
      if (WIFSIGNALED(status) && options_.max_memory_bytes > 0) {
        reason += " under --max-memory " + describe_bytes(options_.max_memory_bytes);
      }
      finish(process, {0, false, 0, reason, {}}, on_result);
    }
    process.state = Process::State::Dead;
    if (next < items.size() && stop_requests_.load() == 0) spawn(process);
  };

  for (;;) {
    int stops = stop_requests_.load();
    if (stops >= 2) {
      for (auto& process : processes_) {
        if (process.state != Process::State::Busy) continue;
        finish(process, {0, false, 0, "interrupted", {}}, on_result);
        bury(process);
      }
    }
    bool busy = false;
    for (auto& process : processes_) {
      if (process.state == Process::State::Idle && stops == 0 && next < items.size()) {
        dispatch(process, next, items[next]);
        ++next;
      }
      busy = busy || process.state == Process::State::Busy ||
             (process.state == Process::State::Starting && stops == 0 && next < items.size());
    }
    if (!busy) break;

    std::vector<pollfd> fds{{wake_pipe_[0], POLLIN, 0}};
    std::vector<Process*> polled;
    auto now = Clock::now();
    auto wait = std::chrono::milliseconds::max();
    for (auto& process : processes_) {
      if (process.state == Process::State::Dead) continue;
      fds.push_back({process.result_fd, POLLIN, 0});
      polled.push_back(&process);
      if (process.state != Process::State::Idle) {
        wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(process.deadline - now));
      }
    }
    int timeout_ms = wait == std::chrono::milliseconds::max() ? -1 : static_cast<int>(std::max<long>(0, wait.count()));
    int ready = ::poll(fds.data(), fds.size(), timeout_ms);
    if (ready < 0 && errno != EINTR) throw std::runtime_error("poll: " + std::string(strerror(errno)));
    if (ready > 0 && (fds[0].revents & POLLIN)) {
      char drain[64];
      while (::read(wake_pipe_[0], drain, sizeof drain) > 0) {
      }
    }

    for (std::size_t i = 0; ready > 0 && i < polled.size(); ++i) {
      Process& process = *polled[i];
      if (fds[i + 1].revents == 0) continue;
      char chunk[65536];
      ssize_t n;
      while ((n = ::read(process.result_fd, chunk, sizeof chunk)) > 0) process.buffer.append(chunk, n);
      bool ended = n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
      while (auto message = take_message(process.buffer)) {
        std::string type = message->is_object() ? message->value("type", "") : "";
        if (type == "ready" && process.state == Process::State::Starting) {
          process.state = Process::State::Idle;
        } else if (type == "startup_failed") {
          process.startup_failure = message->value("reason", "unknown reason");
        } else if (type == "result" && process.state == Process::State::Busy) {
          WorkResult result;
          result.ok = message->value("ok", false);
          result.reason = message->value("reason", "");
          result.warnings = message->value("warnings", std::vector<std::string>{});
          if (auto camera = message->find("camera"); camera != message->end()) {
            // Our own render process's word, checked like any camera.
            try {
              result.camera = render::camera_from_json(*camera, "camera");
              result.camera_source = message->value("camera_source", "");
            } catch (const std::invalid_argument&) {
            }
          }
          finish(process, std::move(result), on_result);
        }
      }
      if (ended) ended_process(process);
    }

    now = Clock::now();
    for (auto& process : processes_) {
      if (process.state == Process::State::Starting && now >= process.deadline) {
        throw RenderProcessStartupError("render process did not start within " +
                                        describe_duration(options_.startup_timeout));
      }
      if (process.state == Process::State::Busy && now >= process.deadline) {
        finish(process, {0, false, 0, "timeout after " + describe_duration(options_.timeout), {}}, on_result);
        bury(process);
        if (next < items.size() && stop_requests_.load() == 0) spawn(process);
      }
    }
  }
  if (!options_.keep_idle_processes) end_idle_processes();
  return items.size() - next;
}

}  // namespace thumbgen::runner
