// `thumbgen serve` settings: defaults < config file (JSON) < THUMBGEN_* environment < command-line flags.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "server/client_address.h"
#include "server/http_server.h"
#include "server/upload_validation.h"
#include "util/listen_address.h"

namespace thumbgen::server {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  std::filesystem::path data = "data";
  std::string public_url;  // base of thumbnail_url and root_url; default http://<listen>
  int token_ttl_seconds = 3600;
  int login_max_failures = 10;
  int login_window_seconds = 900;
  int max_attempts = 5;        // claims of a thumbnail job before it is dead
  int min_lease_seconds = 10;  // shortest lease a worker may ask for (tests lower it)
  // Login throttling per client (login_max_failures counts per user and client address).
  int login_address_max_failures = 50;  // per client address, whatever names it tries
  int login_table_size = 100'000;       // most (user, address) and address entries remembered
  TrustedProxies trusted_proxies;       // peers whose X-Forwarded-For names the client; none by default
  HttpOptions http;

  // Issue 10 hardening (kept together).
  std::vector<std::string> allowed_hosts;  // Host names answered besides the listen address and the public URL's

  // Issue 11, the admin web app (kept together).
  std::filesystem::path admin_dir;      // the built front end; empty: <folder of the thumbgen executable>/admin
  int session_max_age_seconds = 43200;  // refresh renews a login's tokens up to this long after the login
  ThumbnailFormat thumbnail_format = ThumbnailFormat::Jpeg;  // every stored thumbnail is encoded once in it
  int thumbnail_quality = 85;                                // JPEG and WebP
  int pause_release_seconds = 600;                           // how long a paused browser run keeps its leases
  std::vector<std::string> extra_origins;  // more origins (https://cdn.example) of model files and thumbnails

  // Issue 13, thumbnail storage (kept together).
  std::string storage = "file:";              // "file:" (<data>/media), "file:DIR" or "s3://bucket/prefix"
  std::string s3_endpoint;                    // http(s)://host[:port] of B2, MinIO...; empty: AWS
  std::string s3_region;                      // empty: us-east-1
  std::optional<bool> s3_path_style;          // unset: on for a custom endpoint, off for AWS
  std::string s3_public_url;                  // base of thumbnail_url by object key; empty: through /media/
  std::optional<int> orphan_min_age_seconds;  // unset: 0 on file:, 600 on s3 (other servers' uploads in flight)
  std::string aws_access_key_id, aws_secret_access_key;  // AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (environment)
  std::string database = "sqlite:";  // the catalogue: "sqlite:" (<data>/catalogue.sqlite3) or "postgresql://..."

  // Issue 14, observability (kept together).
  std::string metrics_listen = "127.0.0.1:9464";  // a listener that answers GET /metrics only; "" or "off": none
  bool metrics_listen_set = false;                // given by the operator (a failed bind is then fatal)
  std::string metrics_token;                      // GET /metrics on the main port with this bearer token
  int ready_cache_seconds = 5;                    // /readyz keeps the storage's verdict this long

  // Issue 13, several servers (kept together).
  std::filesystem::path keys_file;  // the JWT signing keys; empty: <data>/keys. Servers behind one front share it
};

// The JWT key file `config` names: keys_file, or <data>/keys.
std::filesystem::path effective_keys_file(const ServerConfig& config);

// Reads `file` when given (throws std::runtime_error with the reason on a bad file or value), then applies the
// environment through `getenv` (std::getenv by default).
ServerConfig load_server_config(const std::optional<std::filesystem::path>& file,
                                const std::function<const char*(const char*)>& getenv = nullptr);

// "host:port", "[v6]:port" or ":port" (all interfaces). Throws std::invalid_argument.
using util::split_listen_address;  // its home is src/util (the worker's listener takes the same form)

// The configured public URL, or http://<listen host>:<bound port>, without a trailing '/'.
std::string effective_public_url(const ServerConfig& config, unsigned short bound_port);

}  // namespace thumbgen::server
