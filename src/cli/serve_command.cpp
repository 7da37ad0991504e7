// `thumbgen serve --listen 127.0.0.1:8080 --data ./data [--config file.json] [--port-file FILE] [--storage URL]`.
#include "cli/serve_command.h"

#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include "cli/metrics_listener.h"
#include "cli/render_command.h"
#include "server/api_handlers.h"
#include "server/catalogue.h"
#include "server/data_folder.h"
#include "server/http_server.h"
#include "server/media_storage.h"
#include "server/open_files.h"
#include "server/orphan_sweep.h"
#include "server/server_config.h"
#include "server/web_origin.h"

namespace thumbgen::cli {

namespace {

struct ServeFlags {
  std::string config_file, listen, data, public_url, port_file, storage, database;
};

// Raises the open-file limit to the hard limit and keeps max_connections below it (issue 10, item 7), with room
// for the files those connections send, the catalogue's connections (a database and a WAL descriptor each, opened
// as needed), uploads being written (a temporary file and its directory each) and a margin for the rest.
void limit_connections_to_descriptors(server::HttpOptions& http, std::size_t catalogue_connections) {
  server::OpenFileLimit limit = server::raise_open_file_limit();
  std::size_t reserved = server::count_open_descriptors() + 2 * catalogue_connections +
                         2 * static_cast<std::size_t>(http.worker_threads) + 16;
  std::size_t fit = server::connections_within(limit.soft, reserved);
  if (http.max_connections > fit) {
    spdlog::warn("open files: limit {} (hard {}) leaves room for {} connections: max_connections {} -> {}", limit.soft,
                 limit.hard, fit, http.max_connections, fit);
    http.max_connections = fit;
  }
  spdlog::info("open files: limit {} (hard {}); max_connections {}, {} per address", limit.soft, limit.hard,
               http.max_connections, http.max_connections_per_address);
}

int run_serve(const ServeFlags& flags) {
  using namespace thumbgen::server;
  ServerConfig config;
  try {
    config = load_server_config(flags.config_file.empty() ? std::nullopt
                                                          : std::optional<std::filesystem::path>(flags.config_file));
  } catch (const std::exception& error) {
    spdlog::error("config: {}", error.what());
    return kExitUsage;
  }
  if (!flags.listen.empty()) config.listen = flags.listen;
  if (!flags.data.empty()) config.data = flags.data;
  if (!flags.public_url.empty()) config.public_url = flags.public_url;
  if (!flags.storage.empty()) {
    try {
      parse_storage_location(flags.storage);
    } catch (const std::invalid_argument& error) {
      spdlog::error("--storage: {}", error.what());
      return kExitUsage;
    }
    config.storage = flags.storage;
  }
  if (!flags.database.empty()) {
    try {
      server::sql::parse_target(flags.database, config.data);
    } catch (const std::invalid_argument& error) {
      spdlog::error("--database: {}", error.what());
      return kExitUsage;
    }
    config.database = flags.database;
  }

  try {
    auto [host, port] = split_listen_address(config.listen);
    make_new_files_private();  // catalogue, -wal/-shm, keys, media: owner-only
    create_private_folder(config.data);
    const sql::Target database = sql::parse_target(config.database, config.data);
    if (database.dialect == sql::Dialect::Sqlite) {
      for (const std::string& warning : shared_catalogue_warnings(database.file)) spdlog::warn("{}", warning);
    }
    const std::size_t catalogue_connections = static_cast<std::size_t>(config.http.worker_threads) + 2;
    Catalogue catalogue(database, catalogue_connections);
    spdlog::info("catalogue: {}", database.describe());
    std::unique_ptr<Storage> storage = open_media_storage(config);
    if (std::size_t orphans = remove_orphaned_thumbnails(*storage, catalogue, orphan_min_age(config)); orphans > 0) {
      spdlog::info("removed {} stored thumbnail(s) no asset points at (uploads whose catalogue update failed)",
                   orphans);
    }
    if (std::int64_t old = catalogue.count_unverified_file_assets(); old > 0) {
      spdlog::warn(
          "{} asset(s) were imported by an earlier thumbgen, which published every file of their folders: only "
          "their main files are served until `thumbgen import` of those folders re-scans them",
          old);
    }
    JwtKeyring keyring = load_or_create_keyring(effective_keys_file(config));

    config.http.allowed_hosts = make_host_allowlist(host, config.public_url, config.allowed_hosts);
    config.http.trusted_proxies = config.trusted_proxies;  // their X-Request-Id is kept too
    limit_connections_to_descriptors(config.http, catalogue_connections);
    std::unique_ptr<Api> api;
    HttpServer server(
        config.http,
        [&api](const HttpRequest& request, const std::string& client) { return api->dispatch(request, client); },
        [&api](const HttpRequest& header, const std::string& client) { return api->admit(header, client); });
    // Every response counts in the metrics under its route pattern (the Api exists before the first request).
    server.observe([&api](std::string_view route, std::string_view method, int status, double seconds) {
      api->metrics().record_request(route, method, status, seconds);
    });
    unsigned short bound = server.listen(host, port);
    ApiSettings settings;
    settings.public_url = effective_public_url(config, bound);
    settings.data_folder = config.data;
    settings.keys_file = effective_keys_file(config);
    settings.token_ttl_seconds = config.token_ttl_seconds;
    settings.login_limits.max_failures = config.login_max_failures;
    settings.login_limits.address_max_failures = config.login_address_max_failures;
    settings.login_limits.window = std::chrono::seconds(config.login_window_seconds);
    settings.login_limits.max_entries = static_cast<std::size_t>(config.login_table_size);
    settings.trusted_proxies = config.trusted_proxies;
    settings.jobs.max_attempts = config.max_attempts;
    settings.jobs.min_lease_seconds = config.min_lease_seconds;
    settings.upload_body_limit = config.http.body_limit;
    settings.upload_limits.format = config.thumbnail_format;
    settings.upload_limits.quality = config.thumbnail_quality;
    settings.admin.pages_folder = config.admin_dir.empty() ? default_admin_folder() : config.admin_dir;
    settings.admin.session_max_age_seconds = config.session_max_age_seconds;
    settings.admin.pause_release_seconds = config.pause_release_seconds;
    settings.admin.extra_origins = config.extra_origins;
    // Thumbnails shown from the bucket's public URL: the admin pages' CSP must allow that origin too.
    if (auto origin = web_origin(config.s3_public_url)) settings.admin.extra_origins.push_back(*origin);
    settings.metrics_token = config.metrics_token;
    settings.readiness_cache = std::chrono::seconds(config.ready_cache_seconds);
    api = std::make_unique<Api>(settings, catalogue, *storage, std::move(keyring));
    std::unique_ptr<MetricsListener> metrics;
    if (!config.metrics_listen.empty()) {
      try {
        metrics = std::make_unique<MetricsListener>(
            config.metrics_listen, config.allowed_hosts, [&api] { return api->metrics_text(); },
            [&api](std::string_view route, std::string_view method, int status, double seconds) {
              api->metrics().record_request(route, method, status, seconds);
            });
        spdlog::info("metrics on {} (port {})", metrics->url(), metrics->port());
      } catch (const std::exception& error) {
        // The default address taken (another server on this host) costs the metrics only; an address the
        // operator chose must work.
        if (config.metrics_listen_set)
          throw std::runtime_error("metrics listener " + config.metrics_listen + ": " + error.what());
        spdlog::warn("metrics listener {} not started: {} (set THUMBGEN_METRICS_LISTEN)", config.metrics_listen,
                     error.what());
      }
    }
    if (!config.metrics_token.empty()) spdlog::info("metrics on the main port at /metrics with the scrape token");

    server.catch_stop_signals();
    spdlog::info("listening on {}:{} (public url {}, data {})", host, bound, settings.public_url, config.data.string());
    spdlog::info("answering Host: {}", fmt::join(config.http.allowed_hosts.patterns(), ", "));
    spdlog::info("admin pages: {}/ from {}{}", settings.public_url + "/admin", settings.admin.pages_folder.string(),
                 std::filesystem::is_regular_file(settings.admin.pages_folder / "index.html")
                     ? ""
                     : " (not built: run `make web`; /admin/ says so until then)");
    spdlog::info("thumbnails are stored as {} (quality {})", thumbnail_format_name(config.thumbnail_format),
                 config.thumbnail_quality);
    if (!flags.port_file.empty()) {
      std::string temp = flags.port_file + ".tmp";
      std::ofstream(temp) << bound << "\n";
      std::filesystem::rename(temp, flags.port_file);  // readers never see a half-written file
    }
    server.run();
    spdlog::info("stopped");
    return kExitOk;
  } catch (const std::exception& error) {
    spdlog::error("serve: {}", error.what());
    return 1;
  }
}

}  // namespace

std::function<int()> add_serve_command(CLI::App& app) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* serve = app.add_subcommand("serve", "Serve the catalogue and the admin thumbnail API over HTTP");
  serve->add_option("--config", flags->config_file,
                    "JSON settings file (THUMBGEN_* environment variables override it)");
  serve->add_option("--listen", flags->listen, "host:port to listen on (default 127.0.0.1:8080; port 0 = any free)");
  serve->add_option("--data", flags->data, "data folder: catalogue.sqlite3, keys, media/ (default ./data)");
  serve->add_option("--public-url", flags->public_url, "base URL clients reach this server at");
  serve->add_option("--port-file", flags->port_file, "write the bound port to this file once listening");
  serve->add_option("--database", flags->database,
                    "the catalogue: sqlite: (<data>/catalogue.sqlite3, default) or "
                    "postgresql://user:password@host:port/database (THUMBGEN_DATABASE)");
  serve->add_option("--storage", flags->storage,
                    "where thumbnails are stored: file: (<data>/media, default), file:DIR or s3://bucket/prefix "
                    "(THUMBGEN_S3_* settings, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)");
  return [flags] { return run_serve(*flags); };
}

}  // namespace thumbgen::cli
