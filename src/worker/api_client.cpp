#include "worker/api_client.h"

#include <random>
#include <thread>

#include "util/base64.h"
#include "util/percent_encoding.h"
#include "util/request_id.h"

namespace thumbgen::worker {
namespace {

using Clock = std::chrono::steady_clock;

std::string encode_segment(const std::string& text) { return util::percent_encode(text, false); }

std::string string_field(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  return {};
}

std::map<std::string, std::string> correlation_header(const Job& job) {
  if (job.correlation_id.empty()) return {};
  return {{util::kCorrelationIdHeader, job.correlation_id}};
}

// "<claim id>.<job id>" when that is a safe token (ids are digits), else the claim id alone.
std::string correlation_id_of(const std::string& claim_id, const std::string& job_id) {
  std::string joined = claim_id + "." + job_id;
  return util::is_safe_request_id(joined) ? joined : claim_id;
}

bool transient(long status) { return status >= 500 || status == 429 || status == 408; }

std::string seconds_text(std::chrono::milliseconds wait) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(wait.count()) / 1000);
  return text;
}

}  // namespace

AssetInfo parse_asset(const nlohmann::json& object) {
  AssetInfo asset;
  if (!object.is_object()) return asset;
  asset.id = string_field(object, "id_str");
  if (asset.id.empty()) asset.id = string_field(object, "id");
  asset.url = string_field(object, "url");
  if (asset.id.empty()) asset.id = asset.url;
  asset.name = string_field(object, "name");
  if (auto formats = object.find("formats"); formats != object.end() && formats->is_array()) {
    for (const auto& format : *formats) {
      if (!format.is_object()) continue;
      FormatInfo info{string_field(format, "format_type"), string_field(format, "root_url"),
                      format.value("is_preferred", false), std::nullopt};
      if (auto files = format.find("files"); files != format.end() && files->is_array()) {
        info.files.emplace();
        for (const auto& file : *files) {
          if (file.is_object()) info.files->push_back({string_field(file, "url"), string_field(file, "path")});
        }
      }
      if (!info.root_url.empty()) asset.formats.push_back(std::move(info));
    }
  }
  return asset;
}

std::string error_detail(const HttpResponse& response) {
  auto json = response.json();
  if (json.is_object() && json.contains("detail") && json["detail"].is_string()) return json["detail"];
  return response.body.substr(0, 200);
}

ApiClient::ApiClient(std::string server_url, RetryPolicy retry, std::function<bool()> stopping)
    : server_url_(std::move(server_url)), retry_(retry), stopping_(std::move(stopping)) {
  while (!server_url_.empty() && server_url_.back() == '/') server_url_.pop_back();
}

void ApiClient::noticed(const HttpResponse& response) {
  if (on_answer_from_ && response.connected_to) on_answer_from_(*response.connected_to);
}

void ApiClient::use_token(const std::string& token) {
  std::lock_guard lock(mutex_);
  http_.set_bearer(token);
  token_obtained_at_ = Clock::now();
}

void ApiClient::login(const std::string& user, const std::string& password) {
  std::lock_guard lock(mutex_);
  user_ = user;
  password_ = password;
  login_locked();
}

void ApiClient::login_locked() {
  std::mt19937 random(std::random_device{}());
  std::string last;
  for (int attempt = 0; attempt < retry_.attempts; ++attempt) {
    if (attempt > 0) {
      auto cap = std::min(retry_.max_delay, retry_.first_delay * (1 << std::min(attempt - 1, 16)));
      auto wait = std::chrono::milliseconds(std::uniform_int_distribution<long>(cap.count() / 2, cap.count())(random));
      if (on_retry_) on_retry_(last + ": retrying in " + seconds_text(wait));
      for (auto end = Clock::now() + wait; Clock::now() < end && !(stopping_ && stopping_());)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (stopping_ && stopping_()) break;
    }
    HttpResponse response;
    try {
      http_.set_bearer("");
      ++requests_;
      response = http_.post_json(server_url_ + "/api/v1/login/jwt", {{"username", user_}, {"password", password_}});
      noticed(response);
    } catch (const NetworkError& error) {
      last = error.what();
      continue;
    }
    if (transient(response.status)) {
      last = "login: HTTP " + std::to_string(response.status);
      continue;
    }
    if (response.status == 401 || response.status == 403) {
      throw AuthError("login as '" + user_ + "' refused: " + error_detail(response));
    }
    auto json = response.json();
    if (response.status != 200 || !json.is_object() || !json.contains("access_token")) {
      throw ApiError(response.status, "login: HTTP " + std::to_string(response.status) + ": " + error_detail(response));
    }
    http_.set_bearer(json["access_token"].get<std::string>());
    token_obtained_at_ = Clock::now();
    int ttl = json.value("expires_in", 3600);
    // Log in again well before expiry: a fifth of the lifetime early, at most five minutes.
    token_refresh_at_ = token_obtained_at_ + std::chrono::seconds(ttl - std::min(300, ttl / 5));
    return;
  }
  throw ApiError(0, "cannot reach " + server_url_ + ": " + last);
}

void ApiClient::refresh_token_if_due() {
  if (!user_.empty() && Clock::now() >= token_refresh_at_) login_locked();
}

bool ApiClient::wait_to_retry(int attempt, const std::string& what) {
  if (attempt >= retry_.attempts || (stopping_ && stopping_())) return false;
  // Full jitter within [cap/2, cap]: workers that failed together do not come back together.
  thread_local std::mt19937 random(std::random_device{}());
  auto cap = std::min(retry_.max_delay, retry_.first_delay * (1 << std::min(attempt - 1, 16)));
  auto wait = std::chrono::milliseconds(std::uniform_int_distribution<long>(cap.count() / 2, cap.count())(random));
  {
    std::lock_guard lock(mutex_);
    if (on_retry_) {
      on_retry_(what + ": retrying in " + seconds_text(wait) + " (try " + std::to_string(attempt + 1) + " of " +
                std::to_string(retry_.attempts) + ")");
    }
  }
  for (auto end = Clock::now() + wait; Clock::now() < end && !(stopping_ && stopping_());)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return !(stopping_ && stopping_());
}

HttpResponse ApiClient::send(const std::string& method, const std::string& path, const nlohmann::json& body,
                             const std::map<std::string, std::string>& headers) {
  std::lock_guard lock(mutex_);
  std::string last;
  bool relogged = false;
  for (int attempt = 0; attempt < retry_.attempts; ++attempt) {
    if (attempt > 0 && !wait_to_retry(attempt, last)) break;
    refresh_token_if_due();
    HttpResponse response;
    try {
      ++requests_;
      response =
          method == "GET" ? http_.get(server_url_ + path, headers) : http_.post_json(server_url_ + path, body, headers);
      noticed(response);
    } catch (const NetworkError& error) {
      last = error.what();  // names the method and URL
      continue;
    }
    if (response.status == 401) {
      // An old token may have expired early (server restart with new keys): one fresh login, then it is fatal.
      if (!user_.empty() && !relogged && Clock::now() - token_obtained_at_ > std::chrono::seconds(5)) {
        login_locked();
        relogged = true;
        --attempt;
        continue;
      }
      throw AuthError("the server refused the token: " + error_detail(response));
    }
    if (response.status == 403) throw AuthError("the server refused access: " + error_detail(response));
    if (transient(response.status)) {
      last = method + " " + path + ": HTTP " + std::to_string(response.status) + " " + error_detail(response);
      continue;
    }
    return response;
  }
  throw ApiError(0, last.empty() ? "stopped" : last);
}

MissingPage ApiClient::list_missing(int limit, std::int64_t offset) {
  HttpResponse response = send(
      "GET",
      "/api/v1/admin/assets/missing-thumbnails?limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset),
      nullptr);
  auto json = response.json();
  if (response.status != 200 || !json.is_object()) {
    throw ApiError(response.status,
                   "missing-thumbnails: HTTP " + std::to_string(response.status) + ": " + error_detail(response));
  }
  MissingPage page;
  for (const auto& item : json.value("assets", nlohmann::json::array())) page.assets.push_back(parse_asset(item));
  page.total_count = json.value("total_count", std::int64_t{0});
  page.has_more = json.value("has_more", false);
  return page;
}

std::string ApiClient::upload_thumbnail(const std::string& asset_key, const std::vector<std::uint8_t>& jpeg) {
  HttpResponse response = send("POST", "/api/v1/admin/assets/" + encode_segment(asset_key) + "/thumbnail",
                               {{"thumbnail_base64", util::encode_base64(jpeg)}});
  if (response.status != 200) {
    throw ApiError(response.status,
                   "upload refused: HTTP " + std::to_string(response.status) + ": " + error_detail(response));
  }
  return response.json().value("thumbnail_url", "");
}

bool ApiClient::report_failure(const std::string& asset_key, const std::string& reason) {
  HttpResponse response =
      send("POST", "/api/v1/admin/assets/" + encode_segment(asset_key) + "/thumbnail-failure", {{"reason", reason}});
  return response.status == 200;
}

std::optional<std::vector<Job>> ApiClient::claim(const std::string& worker, int max, int lease_seconds) {
  HttpResponse response = send("POST", "/api/v1/admin/thumbnail-jobs/claim",
                               {{"worker", worker}, {"max", max}, {"lease_seconds", lease_seconds}});
  if (response.status == 404 || response.status == 405) return std::nullopt;
  auto json = response.json();
  if (response.status != 200 || !json.is_object()) {
    throw ApiError(response.status, "claim: HTTP " + std::to_string(response.status) + ": " + error_detail(response));
  }
  // The server's id of this claim ties each job's later requests to it; an older server sends none (or an unsafe
  // one is dropped): the worker's own then.
  std::string claim_id = response.header("x-request-id");
  if (!util::is_safe_request_id(claim_id)) claim_id = util::new_request_id();
  std::vector<Job> jobs;
  for (const auto& item : json.value("jobs", nlohmann::json::array())) {
    if (!item.is_object()) continue;
    Job job{string_field(item, "job_id"), string_field(item, "fencing_token"), item.value("attempt", 0),
            parse_asset(item.value("asset", nlohmann::json::object()))};
    if (auto settings = item.find("render_settings"); settings != item.end()) job.render_settings = *settings;
    job.correlation_id = correlation_id_of(claim_id, job.job_id);
    if (!job.job_id.empty()) jobs.push_back(std::move(job));
  }
  return jobs;
}

HeartbeatAnswer ApiClient::heartbeat(const Job& job, int lease_seconds) {
  HttpResponse response =
      send("POST", "/api/v1/admin/thumbnail-jobs/" + encode_segment(job.job_id) + "/heartbeat",
           {{"fencing_token", job.fencing_token}, {"lease_seconds", lease_seconds}}, correlation_header(job));
  if (response.status == 409) return {false, true};
  if (response.status != 200) {
    throw ApiError(response.status, "heartbeat: HTTP " + std::to_string(response.status));
  }
  return {response.json().value("cancel", false), false};
}

std::string ApiClient::complete(const Job& job, const std::vector<std::uint8_t>& jpeg,
                                const nlohmann::json& provenance) {
  nlohmann::json body = {{"fencing_token", job.fencing_token}, {"thumbnail_base64", util::encode_base64(jpeg)}};
  if (provenance.is_object()) {
    for (const auto& [key, value] : provenance.items()) body[key] = value;
  }
  HttpResponse response = send("POST", "/api/v1/admin/thumbnail-jobs/" + encode_segment(job.job_id) + "/complete", body,
                               correlation_header(job));
  if (response.status == 409) throw StaleTokenError("job " + job.job_id + ": " + error_detail(response));
  if (response.status != 200) {
    throw ApiError(response.status,
                   "upload refused: HTTP " + std::to_string(response.status) + ": " + error_detail(response));
  }
  return response.json().value("thumbnail_url", "");
}

void ApiClient::fail(const Job& job, const std::string& reason, bool retryable) {
  HttpResponse response = send("POST", "/api/v1/admin/thumbnail-jobs/" + encode_segment(job.job_id) + "/fail",
                               {{"fencing_token", job.fencing_token}, {"reason", reason}, {"retryable", retryable}},
                               correlation_header(job));
  if (response.status != 200 && response.status != 409) {
    throw ApiError(response.status, "fail: HTTP " + std::to_string(response.status) + ": " + error_detail(response));
  }
}

void ApiClient::release(const Job& job) {
  HttpResponse response = send("POST", "/api/v1/admin/thumbnail-jobs/" + encode_segment(job.job_id) + "/release",
                               {{"fencing_token", job.fencing_token}}, correlation_header(job));
  if (response.status == 404 || response.status == 405) {
    fail(job, "worker stopped", true);  // an older server: the job comes back after a backoff
    return;
  }
  if (response.status != 200 && response.status != 409) {
    throw ApiError(response.status, "release: HTTP " + std::to_string(response.status) + ": " + error_detail(response));
  }
}

}  // namespace thumbgen::worker
