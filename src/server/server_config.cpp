#include "server/server_config.h"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "server/db.h"
#include "server/media_storage.h"
#include "server/web_origin.h"

namespace thumbgen::server {

namespace {

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> origins;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) origins.emplace_back(item);
    start = end + 1;
  }
  return origins;
}

long long parse_integer(std::string_view name, std::string_view text, long long min, long long max) {
  long long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    throw std::runtime_error(std::string(name) + ": expected an integer in [" + std::to_string(min) + ", " +
                             std::to_string(max) + "], got '" + std::string(text) + "'");
  }
  return value;
}

// One setting, named the same in the file (snake_case) and the environment (THUMBGEN_ + upper case).
struct Setting {
  const char* name;
  std::function<void(ServerConfig&, const std::string&)> apply;
};

template <class T>
Setting integer(const char* name, T ServerConfig::*field, long long min, long long max) {
  return {name,
          [=](ServerConfig& c, const std::string& v) { c.*field = static_cast<T>(parse_integer(name, v, min, max)); }};
}

template <class T>
Setting http_integer(const char* name, T HttpOptions::*field, long long min, long long max) {
  return {name, [=](ServerConfig& c, const std::string& v) {
            c.http.*field = static_cast<T>(parse_integer(name, v, min, max));
          }};
}

Setting http_millis(const char* name, std::chrono::milliseconds HttpOptions::*field) {
  return {name, [=](ServerConfig& c, const std::string& v) {
            c.http.*field = std::chrono::milliseconds(parse_integer(name, v, 1, 24ll * 3600 * 1000));
          }};
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> all = {
      {"listen", [](ServerConfig& c, const std::string& v) { c.listen = v; }},
      {"data", [](ServerConfig& c, const std::string& v) { c.data = v; }},
      {"public_url", [](ServerConfig& c, const std::string& v) { c.public_url = v; }},
      {"cors_origins", [](ServerConfig& c, const std::string& v) { c.http.cors_origins = split_list(v); }},
      integer("token_ttl", &ServerConfig::token_ttl_seconds, 60, 30 * 24 * 3600),
      integer("login_max_failures", &ServerConfig::login_max_failures, 1, 1'000'000),
      integer("login_window", &ServerConfig::login_window_seconds, 1, 7 * 24 * 3600),
      integer("max_attempts", &ServerConfig::max_attempts, 1, 1000),
      integer("min_lease_seconds", &ServerConfig::min_lease_seconds, 1, 3600),
      // Login throttling per client.
      integer("login_address_max_failures", &ServerConfig::login_address_max_failures, 1, 1'000'000),
      integer("login_table_size", &ServerConfig::login_table_size, 100, 10'000'000),
      {"trusted_proxies",
       [](ServerConfig& c, const std::string& v) {
         try {
           c.trusted_proxies = TrustedProxies::parse(v);
         } catch (const std::invalid_argument& error) {
           throw std::runtime_error(error.what());
         }
       }},
      http_integer("body_limit", &HttpOptions::body_limit, 1024, 1ll << 30),
      http_integer("header_limit", &HttpOptions::header_limit, 1024, 1 << 20),
      http_integer("max_connections", &HttpOptions::max_connections, 1, 1'000'000),
      http_integer("io_threads", &HttpOptions::io_threads, 1, 256),
      http_integer("worker_threads", &HttpOptions::worker_threads, 1, 256),
      http_millis("header_timeout_ms", &HttpOptions::header_timeout),
      http_millis("request_timeout_ms", &HttpOptions::request_timeout),
      http_millis("write_timeout_ms", &HttpOptions::write_timeout),
      http_millis("shutdown_grace_ms", &HttpOptions::shutdown_grace),
      // Issue 10 hardening (kept together).
      {"allowed_hosts", [](ServerConfig& c, const std::string& v) { c.allowed_hosts = split_list(v); }},
      http_integer("max_connections_per_address", &HttpOptions::max_connections_per_address, 1, 1'000'000),
      http_integer("file_threads", &HttpOptions::file_threads, 1, 256),
      // Issue 11, the admin web app (kept together).
      {"admin_dir", [](ServerConfig& c, const std::string& v) { c.admin_dir = v; }},
      integer("session_max_age", &ServerConfig::session_max_age_seconds, 60, 365 * 24 * 3600),
      {"thumbnail_format",
       [](ServerConfig& c, const std::string& v) {
         auto format = parse_thumbnail_format(v);
         if (!format) throw std::runtime_error("thumbnail_format: expected jpeg, png or webp, got '" + v + "'");
         c.thumbnail_format = *format;
       }},
      integer("thumbnail_quality", &ServerConfig::thumbnail_quality, 1, 100),
      integer("pause_release", &ServerConfig::pause_release_seconds, 10, 24 * 3600),
      {"extra_origins",
       [](ServerConfig& c, const std::string& v) {
         c.extra_origins.clear();
         for (const std::string& item : split_list(v)) {
           // Written into a header: only a bare origin, exactly as a CSP names it.
           auto origin = web_origin(item);
           if (!origin || *origin != item)
             throw std::runtime_error("extra_origins: '" + item + "' is not an origin like https://cdn.example[:port]");
           c.extra_origins.push_back(*origin);
         }
       }},
      // Issue 13, thumbnail storage (kept together).
      {"storage",
       [](ServerConfig& c, const std::string& v) {
         try {
           parse_storage_location(v);
         } catch (const std::invalid_argument& error) {
           throw std::runtime_error(std::string("storage: ") + error.what());
         }
         c.storage = v;
       }},
      {"s3_endpoint", [](ServerConfig& c, const std::string& v) { c.s3_endpoint = v; }},
      {"s3_region", [](ServerConfig& c, const std::string& v) { c.s3_region = v; }},
      {"s3_path_style",
       [](ServerConfig& c, const std::string& v) {
         if (v == "1" || v == "true" || v == "on" || v == "yes") {
           c.s3_path_style = true;
         } else if (v == "0" || v == "false" || v == "off" || v == "no") {
           c.s3_path_style = false;
         } else {
           throw std::runtime_error("s3_path_style: expected true or false, got '" + v + "'");
         }
       }},
      {"s3_public_url",
       [](ServerConfig& c, const std::string& v) {
         if (!web_origin(v)) throw std::runtime_error("s3_public_url: '" + v + "' is not an http(s) URL");
         c.s3_public_url = v;
       }},
      {"metrics_listen",
       [](ServerConfig& c, const std::string& v) {
         c.metrics_listen = v == "off" ? "" : v;
         if (!c.metrics_listen.empty()) split_listen_address(c.metrics_listen);  // throws on a bad address
         c.metrics_listen_set = true;
       }},
      {"metrics_token",
       [](ServerConfig& c, const std::string& v) {
         // A long-lived secret: long enough that guessing it is hopeless (openssl rand -hex 32).
         if (v.size() < 32)
           throw std::runtime_error("metrics_token: at least 32 characters, got " + std::to_string(v.size()));
         c.metrics_token = v;
       }},
      integer("ready_cache", &ServerConfig::ready_cache_seconds, 0, 3600),
      // Issue 13, several servers (kept together).
      {"keys_file", [](ServerConfig& c, const std::string& v) { c.keys_file = v; }},
      {"orphan_min_age",
       [](ServerConfig& c, const std::string& v) {
         c.orphan_min_age_seconds = static_cast<int>(parse_integer("orphan_min_age", v, 0, 30 * 24 * 3600));
       }},
      // Issue 13, the catalogue's database: sqlite: (in --data) or postgresql://...
      {"database",
       [](ServerConfig& c, const std::string& v) {
         try {
           sql::parse_target(v, c.data);
         } catch (const std::invalid_argument& error) {
           throw std::runtime_error(std::string("database: ") + error.what());
         }
         c.database = v;
       }},
  };
  return all;
}

std::string json_value_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {  // cors_origins or allowed_hosts as a list
    std::string joined;
    for (const auto& item : value) joined += (joined.empty() ? "" : ",") + json_value_text(item);
    return joined;
  }
  return value.dump();
}

}  // namespace

ServerConfig load_server_config(const std::optional<std::filesystem::path>& file,
                                const std::function<const char*(const char*)>& getenv) {
  ServerConfig config;
  if (file) {
    std::ifstream in(*file);
    if (!in) throw std::runtime_error("cannot read config file " + file->string());
    nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
    if (!json.is_object()) throw std::runtime_error(file->string() + ": expected a JSON object");
    for (const auto& [key, value] : json.items()) {
      bool known = false;
      for (const Setting& setting : settings()) {
        if (key == setting.name) {
          setting.apply(config, json_value_text(value));
          known = true;
        }
      }
      if (!known) throw std::runtime_error(file->string() + ": unknown setting '" + key + "'");
    }
  }
  auto lookup = getenv ? getenv : [](const char* name) -> const char* { return std::getenv(name); };
  for (const Setting& setting : settings()) {
    std::string variable = "THUMBGEN_";
    for (const char* c = setting.name; *c; ++c) variable += static_cast<char>(std::toupper(*c));
    if (const char* value = lookup(variable.c_str()); value && *value) setting.apply(config, value);
  }
  // THUMBGEN_METRICS_LISTEN= (set, empty) turns the metrics listener off, as "off" does.
  if (const char* value = lookup("THUMBGEN_METRICS_LISTEN"); value && !*value) {
    config.metrics_listen.clear();
    config.metrics_listen_set = true;
  }
  // Secrets come from the environment only (never a config file), under the names every S3 tool reads.
  if (const char* value = lookup("AWS_ACCESS_KEY_ID")) config.aws_access_key_id = value;
  if (const char* value = lookup("AWS_SECRET_ACCESS_KEY")) config.aws_secret_access_key = value;
  return config;
}

std::string effective_public_url(const ServerConfig& config, unsigned short bound_port) {
  std::string url = config.public_url;
  if (url.empty()) {
    std::string host = split_listen_address(config.listen).first;
    if (host == "0.0.0.0" || host == "::") host = "127.0.0.1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    url = "http://" + host + ":" + std::to_string(bound_port);
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::filesystem::path effective_keys_file(const ServerConfig& config) {
  return config.keys_file.empty() ? config.data / "keys" : config.keys_file;
}

}  // namespace thumbgen::server
