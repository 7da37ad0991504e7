// What `thumbgen work` was asked to do: its options, resolved and validated by the command line (cli/work_command).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "platform/pipeline.h"
#include "worker/schedule.h"

namespace thumbgen::worker {

// Where `--metrics-listen` is served. src/worker only provides the scrape (Prometheus text); the HTTP listener is
// the command line's (src/cli/metrics_listener, shared with `thumbgen serve`): src/worker has no HTTP server.
class MetricsServing {
 public:
  virtual ~MetricsServing() = default;  // stops answering
  virtual std::string url() const = 0;  // where it answers, with the bound port
  virtual unsigned short port() const = 0;
};
// Starts serving `scrape` (or throws std::runtime_error naming the address).
using ServeMetrics = std::function<std::unique_ptr<MetricsServing>(std::function<std::string()> scrape)>;

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
  std::uint64_t cache_max_bytes = 2ull << 30;  // downloads held at once (--cache-max)
  std::vector<std::string> allowed_hosts;      // besides the server's own (--allow-host, THUMBGEN_ALLOW_HOSTS)
  // --brush-textures as an http(s) URL prefix (job.brush_texture_folder is then its cache folder); empty: none.
  std::string brush_texture_prefix;
  std::filesystem::path control_file;  // empty: none
  int lease_seconds = 300;
  bool force_compat = false;  // use the spec's listing + upload even when the server has the claim protocol
  std::chrono::seconds idle_poll_max{60};  // --watch: longest wait between polls of an empty queue
  ServeMetrics serve_metrics;              // --metrics-listen; empty: no metrics served
};

}  // namespace thumbgen::worker
