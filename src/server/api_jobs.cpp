// The claim protocol of `thumbgen work` (issue 4): claim, heartbeat, complete, fail, release, skip, explicit jobs,
// retry-failed and stats, all under staff auth. 64-bit ids travel as JSON strings (JavaScript rounds numbers).
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>

#include "server/api_handlers.h"

namespace thumbgen::server {

namespace {

constexpr int kDefaultClaim = 10, kMaxClaim = 100, kDefaultLeaseSeconds = 300;
constexpr std::size_t kMaxWorkerName = 200, kMaxAssetIds = 1000;

std::optional<std::int64_t> parse_int64(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A 64-bit id given as a JSON string (the contract) or, leniently, as an integer.
std::optional<std::int64_t> json_int64(const nlohmann::json& value) {
  if (value.is_string()) return parse_int64(value.get_ref<const std::string&>());
  if (value.is_number_integer()) return value.get<std::int64_t>();
  return std::nullopt;
}

// The request body as a JSON object; an empty body counts as {}.
std::optional<nlohmann::json> body_object(const ApiRequest& request) {
  if (request.raw.body().empty()) return nlohmann::json::object();
  nlohmann::json body = nlohmann::json::parse(request.raw.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object()) return std::nullopt;
  return body;
}

// An optional integer field within [min, max]; nullopt (with `error` set) when present but invalid.
std::optional<int> int_field(const nlohmann::json& body, const char* name, int fallback, int min, int max,
                             std::string& error) {
  auto field = body.find(name);
  if (field == body.end() || field->is_null()) return fallback;
  if (!field->is_number_integer() || field->get<long long>() < min || field->get<long long>() > max) {
    error = std::string(name) + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
    return std::nullopt;
  }
  return static_cast<int>(field->get<long long>());
}

ApiResponse job_error(JobError error) {
  switch (error) {
    case JobError::NotFound:
      return error_response(http::status::not_found, "Job not found");
    case JobError::Stale:
      return error_response(http::status::conflict, "Stale fencing token");
    case JobError::NotLeased:
      return error_response(http::status::conflict, "Job is not leased");
  }
  return error_response(http::status::internal_server_error, "Internal error");
}

// Runs `handle(body)` for a staff user only, and names the user in the log line.
template <class Handle>
ApiResponse as_staff(std::variant<UserRecord, ApiResponse> staff, const ApiRequest& request, Handle&& handle) {
  if (auto* denied = std::get_if<ApiResponse>(&staff)) return std::move(*denied);
  auto body = body_object(request);
  ApiResponse response =
      body ? handle(*body) : error_response(http::status::bad_request, "Request body must be a JSON object");
  response.user = std::get<UserRecord>(staff).username;
  return response;
}

bool is_url(std::string_view location) { return location.starts_with("http://") || location.starts_with("https://"); }

// The worker downloads exactly these files and never reads a model to find more: each format's "files" lists its
// main file first, then its published side files, each with its URL and, for a file served under /files/, its path
// in the asset's folder (where the worker puts it, so the model's relative references find it).
void add_published_files(nlohmann::json& asset_object, const MissingAsset& asset, Catalogue& catalogue,
                         const Api& api) {
  auto files = catalogue.published_files(asset.id);
  auto& formats = asset_object["formats"];
  for (std::size_t i = 0; i < asset.formats.size() && i < formats.size(); ++i) {
    const MissingFormat& format = asset.formats[i];
    std::vector<std::string> paths{format.root};
    for (const std::string& path : files[{format.format_type, format.root}])
      if (path != format.root) paths.push_back(path);
    nlohmann::json list = nlohmann::json::array();
    for (const std::string& path : paths) {
      nlohmann::json file = {{"url", api.file_url(asset.url, path)}};
      if (!is_url(path)) file["path"] = path;
      list.push_back(std::move(file));
    }
    formats[i]["files"] = std::move(list);
  }
}

}  // namespace

void Api::add_job_routes() {
  const std::string base = "/api/v1/admin/thumbnail-jobs";
  router_.add(http::verb::post, base, staff_route(kAssetListBodyLimit),
              [this](ApiRequest& r) { return create_jobs(r); });
  router_.add(http::verb::post, base + "/claim", staff_route(kControlBodyLimit),
              [this](ApiRequest& r) { return claim_jobs(r); });
  router_.add(http::verb::post, base + "/retry-failed", staff_route(kAssetListBodyLimit),
              [this](ApiRequest& r) { return retry_failed_jobs(r); });
  router_.add(http::verb::get, base + "/stats", staff_route(0), [this](ApiRequest& r) { return job_stats(r); });
  router_.add(http::verb::post, base + "/{job}/heartbeat", staff_route(kControlBodyLimit),
              [this](ApiRequest& r) { return heartbeat_job(r); });
  router_.add(http::verb::post, base + "/{job}/complete", staff_route(settings_.upload_body_limit),
              [this](ApiRequest& r) { return complete_job(r); });
  router_.add(http::verb::post, base + "/{job}/fail", staff_route(kReasonBodyLimit),
              [this](ApiRequest& r) { return fail_job(r); });
  router_.add(http::verb::post, base + "/{job}/skip", staff_route(kControlBodyLimit),
              [this](ApiRequest& r) { return skip_job(r); });
  // Release: a stopping worker hands its untried jobs back without costing them an attempt or a backoff. A lambda
  // here rather than a member keeps this extension out of the shared api_handlers.h.
  router_.add(http::verb::post, base + "/{job}/release", staff_route(kControlBodyLimit), [this](ApiRequest& request) {
    return as_staff(require_staff(request), request, [&](const nlohmann::json& body) {
      auto job_id = parse_int64(request.params.at(0));
      if (!job_id) return job_error(JobError::NotFound);
      auto token = body.contains("fencing_token") ? json_int64(body["fencing_token"]) : std::nullopt;
      if (!token) return error_response(http::status::bad_request, "fencing_token is required");
      auto result = jobs_.release(*job_id, *token, unix_now());
      if (auto* failed = std::get_if<JobError>(&result)) return job_error(*failed);
      const auto& released = std::get<FailResult>(result);
      return json_response(http::status::ok,
                           {{"success", true}, {"attempts", released.attempts}, {"state", released.state}});
    });
  });
}

ApiResponse Api::claim_jobs(ApiRequest& request) {
  return as_staff(require_staff(request), request, [&](const nlohmann::json& body) {
    std::string worker;
    if (auto field = body.find("worker"); field != body.end()) {
      if (!field->is_string()) return error_response(http::status::bad_request, "worker must be a string");
      worker = field->get<std::string>().substr(0, kMaxWorkerName);
    }
    std::string error;
    auto max = int_field(body, "max", kDefaultClaim, 1, kMaxClaim, error);
    auto lease = int_field(body, "lease_seconds", kDefaultLeaseSeconds, settings_.jobs.min_lease_seconds,
                           settings_.jobs.max_lease_seconds, error);
    if (!max || !lease) return error_response(http::status::bad_request, error);

    nlohmann::json jobs = nlohmann::json::array();
    for (const ClaimedJob& job : jobs_.claim(worker, *max, *lease, unix_now())) {
      nlohmann::json asset = asset_json(job.asset);
      add_published_files(asset, job.asset, catalogue_, *this);
      jobs.push_back({{"job_id", std::to_string(job.job_id)},
                      {"fencing_token", std::to_string(job.fencing_token)},
                      {"lease_expires_at", iso8601_utc(job.lease_expires_at)},
                      {"attempt", job.attempt},
                      {"asset", std::move(asset)}});
    }
    return json_response(http::status::ok, {{"jobs", std::move(jobs)}});
  });
}

ApiResponse Api::heartbeat_job(ApiRequest& request) {
  return as_staff(require_staff(request), request, [&](const nlohmann::json& body) {
    auto job_id = parse_int64(request.params.at(0));
    if (!job_id) return job_error(JobError::NotFound);
    auto token = body.contains("fencing_token") ? json_int64(body["fencing_token"]) : std::nullopt;
    if (!token) return error_response(http::status::bad_request, "fencing_token is required");
    std::string error;
    auto lease = int_field(body, "lease_seconds", kDefaultLeaseSeconds, settings_.jobs.min_lease_seconds,
                           settings_.jobs.max_lease_seconds, error);
    if (!lease) return error_response(http::status::bad_request, error);
    auto result = jobs_.heartbeat(*job_id, *token, *lease, unix_now());
    if (auto* failed = std::get_if<JobError>(&result)) return job_error(*failed);
    const auto& beat = std::get<HeartbeatResult>(result);
    return json_response(http::status::ok,
                         {{"lease_expires_at", iso8601_utc(beat.lease_expires_at)}, {"cancel", beat.cancel}});
  });
}

ApiResponse Api::complete_job(ApiRequest& request) {
  return as_staff(require_staff(request), request, [&](const nlohmann::json& body) {
    auto job_id = parse_int64(request.params.at(0));
    if (!job_id) return job_error(JobError::NotFound);
    auto token = body.contains("fencing_token") ? json_int64(body["fencing_token"]) : std::nullopt;
    if (!token) return error_response(http::status::bad_request, "fencing_token is required");
    // A cheap check first so a stale worker gets 409 before any image work; the switch checks again atomically.
    auto leased = jobs_.leased_asset(*job_id, *token);
    if (auto* failed = std::get_if<JobError>(&leased)) return job_error(*failed);
    auto asset = catalogue_.with_connection(
        [&](sql::Connection& db) { return read_listed_asset(db, std::get<std::int64_t>(leased)); });
    if (!asset) return job_error(JobError::NotFound);
    return store_thumbnail(AssetRef{asset->id, asset->url}, body, ThumbnailFence{*job_id, *token});
  });
}

ApiResponse Api::fail_job(ApiRequest& request) {
  return as_staff(require_staff(request), request, [&](const nlohmann::json& body) {
    auto job_id = parse_int64(request.params.at(0));
    if (!job_id) return job_error(JobError::NotFound);
    auto token = body.contains("fencing_token") ? json_int64(body["fencing_token"]) : std::nullopt;
    if (!token) return error_response(http::status::bad_request, "fencing_token is required");
    std::string reason;
    if (auto field = body.find("reason"); field != body.end() && !field->is_null()) {
      if (!field->is_string()) return error_response(http::status::bad_request, "reason must be a string");
      reason = field->get<std::string>();
    }
    bool retryable = true;
    if (auto field = body.find("retryable"); field != body.end() && !field->is_null()) {
      if (!field->is_boolean()) return error_response(http::status::bad_request, "retryable must be true or false");
      retryable = field->get<bool>();
    }
    auto result = jobs_.fail(*job_id, *token, reason, retryable, unix_now());
    if (auto* failed = std::get_if<JobError>(&result)) return job_error(*failed);
    const auto& failure = std::get<FailResult>(result);
    return json_response(http::status::ok, {{"success", true},
                                            {"attempts", failure.attempts},
                                            {"state", failure.state},
                                            {"next_attempt_at", iso8601_utc(failure.next_attempt_at)}});
  });
}

ApiResponse Api::skip_job(ApiRequest& request) {
  return as_staff(require_staff(request), request, [&](const nlohmann::json&) {
    auto job_id = parse_int64(request.params.at(0));
    if (!job_id) return job_error(JobError::NotFound);
    if (auto failed = jobs_.skip(*job_id, unix_now())) return job_error(*failed);
    return json_response(http::status::ok, {{"success", true}});
  });
}

namespace {

// body["asset_ids"]: ids or urls, each resolved through the catalogue. nullopt + `error` on a bad list.
template <class Find>
std::optional<std::vector<std::int64_t>> asset_ids(const nlohmann::json& list, Find&& find, ApiResponse& error) {
  if (!list.is_array() || list.size() > kMaxAssetIds) {
    error = error_response(http::status::bad_request,
                           "asset_ids must be a list of at most " + std::to_string(kMaxAssetIds) + " ids or urls");
    return std::nullopt;
  }
  std::vector<std::int64_t> ids;
  for (const auto& item : list) {
    std::optional<AssetRef> asset;
    if (item.is_string()) asset = find(item.get_ref<const std::string&>());
    if (item.is_number_integer()) asset = find(std::to_string(item.get<std::int64_t>()));
    if (!asset) {
      error = error_response(http::status::not_found,
                             "Asset not found: " + (item.is_string() ? item.get<std::string>() : item.dump()));
      return std::nullopt;
    }
    ids.push_back(asset->id);
  }
  return ids;
}

}  // namespace

ApiResponse Api::create_jobs(ApiRequest& request) {
  return as_staff(require_staff(request), request, [&](const nlohmann::json& body) {
    auto field = body.find("asset_ids");
    if (field == body.end()) return error_response(http::status::bad_request, "asset_ids is required");
    ApiResponse error;
    auto ids = asset_ids(
        *field, [&](const std::string& id) { return catalogue_.find_asset(id); }, error);
    if (!ids) return error;
    return json_response(http::status::ok, {{"created", jobs_.create_explicit(*ids, unix_now())}});
  });
}

ApiResponse Api::retry_failed_jobs(ApiRequest& request) {
  return as_staff(require_staff(request), request, [&](const nlohmann::json& body) {
    std::optional<std::vector<std::int64_t>> ids;
    if (auto field = body.find("asset_ids"); field != body.end() && !field->is_null()) {
      ApiResponse error;
      ids = asset_ids(
          *field, [&](const std::string& id) { return catalogue_.find_asset(id); }, error);
      if (!ids) return error;
    }
    return json_response(http::status::ok, {{"requeued", jobs_.retry_failed(ids, unix_now())}});
  });
}

ApiResponse Api::job_stats(ApiRequest& request) {
  return as_staff(require_staff(request), request, [&](const nlohmann::json&) {
    JobStats stats = jobs_.stats(unix_now());
    return json_response(
        http::status::ok,
        {{"queued", stats.queued}, {"leased", stats.leased}, {"done", stats.done}, {"dead", stats.dead}});
  });
}

}  // namespace thumbgen::server
