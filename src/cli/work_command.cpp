#include "cli/work_command.h"

#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <vector>

#include "cli/metrics_listener.h"
#include "cli/render_command.h"
#include "cli/render_options.h"
#include "util/listen_address.h"
#include "worker/brush_texture_cache.h"
#include "worker/fetch_policy.h"
#include "worker/worker_loop.h"

namespace thumbgen::cli {
namespace {

constexpr const char* kWorkFooter = R"(
Takes batches of assets without a thumbnail from the server (the claim protocol: leases, heartbeats, fencing
tokens), downloads each asset's preferred format with the files the server publishes with it into --cache (each
asset's removed once it has ended; at most --cache-max at once), renders it in crash-isolated render processes and
uploads the thumbnail; failures are reported with their reason.
Model files come only from the server's own host (host and port of --server) and hosts given with --allow-host or
THUMBGEN_ALLOW_HOSTS; redirects are followed only to those. Every connection is checked on the address it resolves
to: loopback, private, link-local and reserved addresses are refused unless the server itself is there or the
address is allowed as such (--allow-host 10.0.0.5:8080); a host allowed by name must resolve to public addresses.
Against a server without the claim protocol (the spec's two endpoints only) it lists missing thumbnails and
uploads (compatibility mode): several workers then duplicate work, and with no file list the worker fetches the
main file plus what a render process finds the model referencing.
Credentials: --token T (or THUMBGEN_TOKEN), or --user U with the password in THUMBGEN_PASSWORD, else read from
stdin (prompted on a terminal); with --user the worker logs in again before the token expires.
Signals: SIGINT/SIGTERM finish the running renders and hand the rest back to the server (no attempt counted);
SIGUSR1 pauses (no new work, running renders finish), SIGUSR2 resumes. --control FILE is read about every 100-250 ms:
"pause", "resume", "stop", or "skip" (skips the assets being rendered right now, one per render process; the
file is then emptied).
Exit status: 0 done, 1 some asset failed (--once), 2 usage error, 3 credentials refused or no render process could
start, 4 server unreachable, 130 interrupted.)";

struct WorkArguments {
  std::string server, token, user, schedule, cache, control, cache_max = "2G", metrics_listen;
  std::vector<std::string> allow_hosts, metrics_hosts;
  int batch = 50, lease = 300, poll = 60;
  bool once = false, watch = false, compat = false;
  RenderArguments render;
};

std::string default_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/thumbgen/work";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/thumbgen/work";
  return "/tmp/thumbgen-work-cache";
}

std::string read_password() {
  if (const char* env = std::getenv("THUMBGEN_PASSWORD"); env && *env) return env;
  bool terminal = ::isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (terminal) {
    std::fputs("Password: ", stderr);
    std::fflush(stderr);
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fputs("\n", stderr);
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

// `--metrics-listen`: the worker's scrape on the metrics listener `serve` has too.
class WorkerMetricsListener : public worker::MetricsServing {
 public:
  WorkerMetricsListener(const std::string& listen, const std::vector<std::string>& hosts,
                        std::function<std::string()> scrape)
      : listener_(listen, hosts, std::move(scrape)) {}
  std::string url() const override { return listener_.url(); }
  unsigned short port() const override { return listener_.port(); }

 private:
  MetricsListener listener_;
};

worker::ServeMetrics metrics_listener_for(const std::string& listen, const std::vector<std::string>& hosts) {
  return [listen, hosts](std::function<std::string()> scrape) -> std::unique_ptr<worker::MetricsServing> {
    try {
      return std::make_unique<WorkerMetricsListener>(listen, hosts, std::move(scrape));
    } catch (const std::exception& error) {
      throw std::runtime_error("--metrics-listen " + listen + ": " + error.what());
    }
  };
}

worker::WorkOptions resolve(WorkArguments args) {
  worker::WorkOptions options;
  if (args.server.rfind("http://", 0) != 0 && args.server.rfind("https://", 0) != 0) {
    throw std::invalid_argument("--server: expected an http:// or https:// URL, got '" + args.server + "'");
  }
  options.server_url = args.server;
  if (args.token.empty()) {
    if (const char* env = std::getenv("THUMBGEN_TOKEN"); env) args.token = env;
  }
  if (args.token.empty() == args.user.empty()) throw std::invalid_argument("give either --token or --user");
  if (args.once && args.watch) throw std::invalid_argument("--once and --watch exclude each other");
  if (args.batch < 1 || args.batch > 100) throw std::invalid_argument("--batch: expected 1-100");
  if (args.lease < 1 || args.lease > 3600) throw std::invalid_argument("--lease: expected 1-3600 seconds");
  if (args.poll < 1 || args.poll > 3600) throw std::invalid_argument("--poll: expected 1-3600 seconds");
  // The rendering options are validated as `render` validates them; its inputs and --output are placeholders here.
  args.render.inputs = {"-"};
  args.render.output_dir = "-";
  RenderOptions render = resolve_render_options(args.render);
  options.job = render.job;
  options.jobs = render.jobs;
  options.timeout = render.timeout;
  options.max_memory_bytes = render.max_memory_bytes;
  options.json = args.render.json;
  options.token = args.token;
  options.user = args.user;
  options.batch = args.batch;
  options.lease_seconds = args.lease;
  options.watch = args.watch;
  options.idle_poll_max = std::chrono::seconds(args.poll);
  if (!args.schedule.empty()) options.schedule = worker::parse_time_window(args.schedule);
  options.cache_dir = args.cache.empty() ? default_cache_dir() : args.cache;
  options.cache_max_bytes = parse_byte_size(args.cache_max, "--cache-max", "64K");
  options.allowed_hosts = worker::allowed_hosts_from(args.allow_hosts, std::getenv("THUMBGEN_ALLOW_HOSTS"));
  worker::FetchPolicy check(options.server_url, options.allowed_hosts);  // each entry valid, or a usage error
  if (!render.brush_texture_prefix.empty()) {
    worker::brush_texture_prefix(render.brush_texture_prefix, check);  // an allowed host, or a usage error
    options.brush_texture_prefix = render.brush_texture_prefix;
    if (args.render.brush_texture_cache.empty() && !std::getenv("THUMBGEN_BRUSH_TEXTURE_CACHE"))
      options.job.brush_texture_folder = std::filesystem::absolute(options.cache_dir / "brush-textures");
  }
  options.control_file = args.control;
  options.force_compat = args.compat;
  if (!args.metrics_listen.empty()) {
    util::split_listen_address(args.metrics_listen);  // a usage error now rather than after the login
    options.serve_metrics = metrics_listener_for(args.metrics_listen, args.metrics_hosts);
  } else if (!args.metrics_hosts.empty()) {
    throw std::invalid_argument("--metrics-host needs --metrics-listen");
  }
  return options;
}

}  // namespace

std::function<int()> add_work_command(CLI::App& app) {
  auto args = std::make_shared<WorkArguments>();
  CLI::App* command = app.add_subcommand("work", "Render the thumbnails a server is missing (a headless worker)");
  command->add_option("--server", args->server, "Server base URL, e.g. http://127.0.0.1:8080")
      ->required()
      ->type_name("URL");
  command->add_option("--token", args->token, "JWT of a staff user (or THUMBGEN_TOKEN)")->type_name("T");
  command->add_option("--user", args->user, "Staff user to log in as (password: THUMBGEN_PASSWORD or stdin)")
      ->type_name("U");
  add_render_arguments(*command, args->render, RenderArgumentSet::RenderingOnly);
  command->add_option("--batch", args->batch, "Assets taken from the server at a time (1-100)")
      ->capture_default_str()
      ->type_name("N");
  command->add_flag("--once", args->once, "Stop when the queue is empty (the default)");
  command->add_flag("--watch", args->watch, "Keep polling for new work when the queue is empty");
  command->add_option("--poll", args->poll, "With --watch: longest wait between polls of an empty queue, in seconds")
      ->capture_default_str()
      ->type_name("S");
  command->add_option("--schedule", args->schedule, "Work only inside this local time window, e.g. 02:00-06:00")
      ->type_name("HH:MM-HH:MM");
  command->add_flag("--json", args->render.json, "Print one JSON object per asset to stdout, then a summary");
  command->add_option("--cache", args->cache, "Download cache folder (default: ~/.cache/thumbgen/work)")
      ->type_name("DIR");
  command
      ->add_option("--cache-max", args->cache_max,
                   "Most bytes of downloaded model files held at once (each asset's are removed once it ends)")
      ->capture_default_str()
      ->type_name("SIZE");
  command
      ->add_option("--allow-host", args->allow_hosts,
                   "Also download model files from this host (repeatable; also THUMBGEN_ALLOW_HOSTS, "
                   "comma-separated): HOST for any port, HOST:PORT for one; loopback/private addresses only by "
                   "address")
      ->type_name("HOST[:PORT]");
  command->add_option("--control", args->control, "Control file: pause, resume, stop or skip")->type_name("FILE");
  command->add_option("--lease", args->lease, "Lease length asked for each job, in seconds")
      ->capture_default_str()
      ->type_name("S");
  command
      ->add_option("--metrics-listen", args->metrics_listen,
                   "Serve GET /metrics (Prometheus text: renders, failures by reason, render and upload time, "
                   "render-process restarts) on this address, e.g. 127.0.0.1:9465 (:9465 is loopback)")
      ->type_name("HOST:PORT");
  command
      ->add_option("--metrics-host", args->metrics_hosts,
                   "Also answer scrapes whose Host is this name (repeatable; loopback names and the bound address "
                   "always are): for a wildcard --metrics-listen such as 0.0.0.0:9465")
      ->type_name("NAME");
  command->add_flag("--compat", args->compat,
                    "Compatibility mode even if the server has the claim protocol (listing + upload only)");
  command->footer(kWorkFooter);
  return [args]() {
    worker::WorkOptions options;
    try {
      options = resolve(*args);
    } catch (const std::invalid_argument& error) {
      std::fprintf(stderr, "thumbgen work: %s\nRun with --help for more information.\n", error.what());
      return kExitUsage;
    }
    if (!options.user.empty()) options.password = read_password();
    return worker::run_work(options);
  };
}

}  // namespace thumbgen::cli
