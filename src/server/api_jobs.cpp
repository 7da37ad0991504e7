// The claim protocol of `thumbgen work` (issue 4): claim, heartbeat, complete, fail, release, skip, explicit jobs,
// retry-failed and stats, all under staff auth. 64-bit ids travel as JSON strings (JavaScript rounds numbers).
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>

#include "server/api_handlers.h"
#include "server/api_parsing.h"
#include "server/catalogue_admin.h"
#include "server/render_settings.h"
#include "util/logging.h"
#include "util/request_id.h"

namespace thumbgen::server {

namespace {

constexpr int kDefaultClaim = 10, kMaxClaim = 100, kDefaultLeaseSeconds = 300;
constexpr std::size_t kMaxWorkerName = 200, kMaxAssetIds = 1000;

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

// A stale token is also counted: fencing refusals are what an operator watches for lost or stolen leases.
ApiResponse job_error(JobError error, ServerMetrics* metrics = nullptr) {
  if (error == JobError::Stale && metrics) metrics->count_fencing_refusal();
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

// One line per step of a job's life (claimed, completed, failed, released) with what ties it to the worker's log:
// the job and asset ids, this request's id and the worker's correlation id (both vetted by the HTTP layer).
void log_job_event(std::string_view what, const ApiRequest& request, std::int64_t job_id,
                   std::optional<std::int64_t> asset_id, const util::LogFields& extra = util::LogFields::object()) {
  util::LogFields fields;
  fields["job"] = std::to_string(job_id);
  fields["asset"] = asset_id ? nlohmann::ordered_json(std::to_string(*asset_id)) : nlohmann::ordered_json(nullptr);
  fields["request_id"] = std::string(request.raw[util::kRequestIdHeader]);
  if (auto correlation = request.raw[util::kCorrelationIdHeader]; !correlation.empty())
    fields["correlation_id"] = std::string(correlation);
  for (const auto& [key, value] : extra.items()) fields[key] = value;
  util::log_event(spdlog::level::info, what, fields);
}

// The asset a leased job is for, for the log; nullopt when the job or token is not (or no longer) current.
std::optional<std::int64_t> leased_asset_id(JobQueue& jobs, std::int64_t job_id, std::int64_t token) {
  auto leased = jobs.leased_asset(job_id, token);
  if (auto* asset = std::get_if<std::int64_t>(&leased)) return *asset;
  return std::nullopt;
}

// The completion's optional "render_seconds" (issue 14: the render time histogram). Old workers send none.
std::variant<std::optional<double>, ApiResponse> render_seconds_field(const nlohmann::json& body) {
  auto field = body.find("render_seconds");
  if (field == body.end() || field->is_null()) return std::optional<double>();
  if (!field->is_number() || !(field->get<double>() >= 0) || field->get<double>() > 86400)
    return error_response(http::status::bad_request, "render_seconds must be a number of seconds from 0 to 86400");
  return std::optional<double>(field->get<double>());
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

// The claim's scope (issue 11): "scope": {"selection_id"}, "viewer_compatible_only", "exclude_asset_ids" (≤ 1,000).
std::variant<ClaimScope, ApiResponse> claim_scope(const nlohmann::json& body, Catalogue& catalogue) {
  ClaimScope scope;
  if (auto field = body.find("scope"); field != body.end() && !field->is_null()) {
    if (!field->is_object()) return error_response(http::status::bad_request, "scope must be an object");
    if (auto id = field->find("selection_id"); id != field->end() && !id->is_null()) {
      if (!id->is_string()) return error_response(http::status::bad_request, "scope.selection_id must be a string");
      auto selection = find_selection(catalogue, id->get<std::string>());
      if (!selection) return error_response(http::status::not_found, "Selection not found");
      scope.selection = selection->row_id;
    }
  }
  if (auto field = body.find("viewer_compatible_only"); field != body.end() && !field->is_null()) {
    if (!field->is_boolean())
      return error_response(http::status::bad_request, "viewer_compatible_only must be true or false");
    scope.viewer_compatible_only = field->get<bool>();
  }
  if (auto field = body.find("exclude_asset_ids"); field != body.end() && !field->is_null()) {
    if (!field->is_array() || field->size() > kMaxAssetIds)
      return error_response(http::status::bad_request, "exclude_asset_ids must be a list of at most " +
                                                           std::to_string(kMaxAssetIds) + " asset ids");
    for (const auto& item : *field) {
      auto id = json_int64(item);
      if (!id) return error_response(http::status::bad_request, "exclude_asset_ids: not an asset id: " + item.dump());
      scope.exclude_asset_ids.push_back(*id);
    }
  }
  return scope;
}

}  // namespace

void Api::add_job_routes() {
  const std::string base = "/api/v1/admin/thumbnail-jobs";
  router_.add(http::verb::post, base, staff_route(kAssetListBodyLimit),
              [this](ApiRequest& r) { return create_jobs(r); });
  router_.add(http::verb::post, base + "/claim", staff_route(kClaimBodyLimit),
              [this](ApiRequest& r) { return claim_jobs(r); });
  router_.add(http::verb::post, base + "/retry-failed", staff_route(kAssetListBodyLimit),
              [this](ApiRequest& r) { return retry_failed_jobs(r); });
  router_.add(http::verb::post, base + "/regenerate", staff_route(kAssetListBodyLimit),
              [this](ApiRequest& r) { return regenerate_jobs(r); });
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
      auto job_id = parse_integer(request.params.at(0));
      if (!job_id) return job_error(JobError::NotFound);
      auto token = body.contains("fencing_token") ? json_int64(body["fencing_token"]) : std::nullopt;
      if (!token) return error_response(http::status::bad_request, "fencing_token is required");
      const auto asset_id = leased_asset_id(jobs_, *job_id, *token);
      auto result = jobs_.release(*job_id, *token, unix_now());
      if (auto* failed = std::get_if<JobError>(&result)) return job_error(*failed, metrics_.get());
      metrics_->count_failure(FailureClass::Released);
      const auto& released = std::get<FailResult>(result);
      log_job_event("job released", request, *job_id, asset_id, {{"state", released.state}});
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
    auto scope = claim_scope(body, catalogue_);
    if (auto* refused = std::get_if<ApiResponse>(&scope)) return std::move(*refused);
    auto run = parse_run_render_settings(body.value("render", nlohmann::json()), settings_.upload_limits.max_width,
                                         settings_.upload_limits.max_height);
    if (auto* refused = std::get_if<std::string>(&run)) return error_response(http::status::bad_request, *refused);

    const std::int64_t now = unix_now();
    nlohmann::json jobs = nlohmann::json::array();
    for (const ClaimedJob& job : jobs_.claim(worker, *max, *lease, now, std::get<ClaimScope>(scope))) {
      nlohmann::json asset = asset_json(job.asset);
      add_published_files(asset, job.asset, catalogue_, *this);
      // What the admin app shows next to a new render, and the settings to render it with (issue 11).
      auto details =
          catalogue_.with_connection([&](sql::Connection& db) { return read_admin_asset(db, job.asset.id, now); });
      asset["thumbnail_url"] = details && details->thumbnail ? nlohmann::json(thumbnail_public_url(*details->thumbnail))
                                                             : nlohmann::json(nullptr);
      asset["thumbnail_source"] =
          details && details->thumbnail_source ? nlohmann::json(*details->thumbnail_source) : nlohmann::json(nullptr);
      nlohmann::json render_settings =
          details ? render_settings_for(std::get<RunRenderSettings>(run), *details) : nlohmann::json(nullptr);
      log_job_event("job claimed", request, job.job_id, job.asset.id,
                    {{"attempt", job.attempt}, {"worker", worker}, {"lease_seconds", *lease}});
      jobs.push_back({{"job_id", std::to_string(job.job_id)},
                      {"fencing_token", std::to_string(job.fencing_token)},
                      {"lease_expires_at", iso8601_utc(job.lease_expires_at)},
                      {"attempt", job.attempt},
                      {"asset", std::move(asset)},
                      {"render_settings", std::move(render_settings)}});
    }
    metrics_->count_claims(jobs.size());
    return json_response(http::status::ok, {{"jobs", std::move(jobs)}});
  });
}

ApiResponse Api::heartbeat_job(ApiRequest& request) {
  return as_staff(require_staff(request), request, [&](const nlohmann::json& body) {
    auto job_id = parse_integer(request.params.at(0));
    if (!job_id) return job_error(JobError::NotFound);
    auto token = body.contains("fencing_token") ? json_int64(body["fencing_token"]) : std::nullopt;
    if (!token) return error_response(http::status::bad_request, "fencing_token is required");
    std::string error;
    auto lease = int_field(body, "lease_seconds", kDefaultLeaseSeconds, settings_.jobs.min_lease_seconds,
                           settings_.jobs.max_lease_seconds, error);
    if (!lease) return error_response(http::status::bad_request, error);
    auto result = jobs_.heartbeat(*job_id, *token, *lease, unix_now());
    if (auto* failed = std::get_if<JobError>(&result)) return job_error(*failed, metrics_.get());
    const auto& beat = std::get<HeartbeatResult>(result);
    return json_response(http::status::ok,
                         {{"lease_expires_at", iso8601_utc(beat.lease_expires_at)}, {"cancel", beat.cancel}});
  });
}

ApiResponse Api::complete_job(ApiRequest& request) {
  return as_staff(require_staff(request), request, [&](const nlohmann::json& body) {
    auto job_id = parse_integer(request.params.at(0));
    if (!job_id) return job_error(JobError::NotFound);
    auto token = body.contains("fencing_token") ? json_int64(body["fencing_token"]) : std::nullopt;
    if (!token) return error_response(http::status::bad_request, "fencing_token is required");
    auto render_seconds = render_seconds_field(body);
    if (auto* refused = std::get_if<ApiResponse>(&render_seconds)) return std::move(*refused);
    // A cheap check first so a stale worker gets 409 before any image work; the switch checks again atomically.
    auto leased = jobs_.leased_asset(*job_id, *token);
    if (auto* failed = std::get_if<JobError>(&leased)) return job_error(*failed, metrics_.get());
    auto asset = catalogue_.with_connection(
        [&](sql::Connection& db) { return read_listed_asset(db, std::get<std::int64_t>(leased)); });
    if (!asset) return job_error(JobError::NotFound);
    ApiResponse stored = store_thumbnail(AssetRef{asset->id, asset->url}, body, ThumbnailFence{*job_id, *token});
    if (stored.status == http::status::ok) {
      metrics_->count_completion();
      const auto seconds = std::get<std::optional<double>>(render_seconds);
      if (seconds) metrics_->observe_render_time(*seconds);
      log_job_event("job completed", request, *job_id, asset->id,
                    {{"render_seconds", seconds ? nlohmann::ordered_json(*seconds) : nlohmann::ordered_json(nullptr)}});
    }
    return stored;
  });
}

ApiResponse Api::fail_job(ApiRequest& request) {
  return as_staff(require_staff(request), request, [&](const nlohmann::json& body) {
    auto job_id = parse_integer(request.params.at(0));
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
    const auto asset_id = leased_asset_id(jobs_, *job_id, *token);
    auto result = jobs_.fail(*job_id, *token, reason, retryable, unix_now());
    if (auto* failed = std::get_if<JobError>(&result)) return job_error(*failed, metrics_.get());
    metrics_->count_failure(retryable ? FailureClass::Retryable : FailureClass::Permanent);
    const auto& failure = std::get<FailResult>(result);
    log_job_event("job failed", request, *job_id, asset_id,
                  {{"retryable", retryable},
                   {"state", failure.state},
                   {"attempts", failure.attempts},
                   {"reason", reason.substr(0, 300)}});
    return json_response(http::status::ok, {{"success", true},
                                            {"attempts", failure.attempts},
                                            {"state", failure.state},
                                            {"next_attempt_at", iso8601_utc(failure.next_attempt_at)}});
  });
}

ApiResponse Api::skip_job(ApiRequest& request) {
  return as_staff(require_staff(request), request, [&](const nlohmann::json&) {
    auto job_id = parse_integer(request.params.at(0));
    if (!job_id) return job_error(JobError::NotFound);
    if (auto failed = jobs_.skip(*job_id, unix_now())) return job_error(*failed, metrics_.get());
    return json_response(http::status::ok, {{"success", true}});
  });
}

std::variant<std::optional<std::vector<std::int64_t>>, ApiResponse> Api::requested_assets(const nlohmann::json& body,
                                                                                          std::size_t max_ids) {
  if (auto field = body.find("selection_id"); field != body.end() && !field->is_null()) {
    if (!field->is_string()) return error_response(http::status::bad_request, "selection_id must be a string");
    auto selection = find_selection(catalogue_, field->get<std::string>());
    if (!selection) return error_response(http::status::not_found, "Selection not found");
    return std::optional(selection_asset_ids(catalogue_, selection->row_id));
  }
  auto field = body.find("asset_ids");
  if (field == body.end() || field->is_null()) return std::optional<std::vector<std::int64_t>>();
  if (!field->is_array() || field->size() > max_ids) {
    return error_response(http::status::bad_request,
                          "asset_ids must be a list of at most " + std::to_string(max_ids) + " ids or urls");
  }
  std::vector<std::string> refs;
  for (const auto& item : *field) {
    if (item.is_string()) {
      refs.push_back(item.get<std::string>());
    } else if (item.is_number_integer()) {
      refs.push_back(std::to_string(item.get<std::int64_t>()));
    } else {
      return error_response(http::status::not_found, "Asset not found: " + item.dump());
    }
  }
  auto ids = resolve_asset_refs(catalogue_, refs);
  if (auto* unknown = std::get_if<UnknownAsset>(&ids))
    return error_response(http::status::not_found, "Asset not found: " + unknown->ref);
  return std::optional(std::move(std::get<std::vector<std::int64_t>>(ids)));
}

ApiResponse Api::create_jobs(ApiRequest& request) {
  return as_staff(require_staff(request), request, [&](const nlohmann::json& body) {
    auto ids = requested_assets(body, kMaxAssetIds);
    if (auto* refused = std::get_if<ApiResponse>(&ids)) return std::move(*refused);
    auto& list = std::get<std::optional<std::vector<std::int64_t>>>(ids);
    if (!list) return error_response(http::status::bad_request, "asset_ids or selection_id is required");
    return json_response(http::status::ok, {{"created", jobs_.create_explicit(*list, unix_now())}});
  });
}

ApiResponse Api::retry_failed_jobs(ApiRequest& request) {
  return as_staff(require_staff(request), request, [&](const nlohmann::json& body) {
    auto ids = requested_assets(body, kMaxAssetIds);
    if (auto* refused = std::get_if<ApiResponse>(&ids)) return std::move(*refused);
    const auto& list = std::get<std::optional<std::vector<std::int64_t>>>(ids);
    return json_response(http::status::ok, {{"requeued", jobs_.retry_failed(list, unix_now())}});
  });
}

ApiResponse Api::regenerate_jobs(ApiRequest& request) {
  return as_staff(require_staff(request), request, [&](const nlohmann::json& body) {
    bool replace_owner = false;
    if (auto field = body.find("replace_owner_thumbnails"); field != body.end() && !field->is_null()) {
      if (!field->is_boolean())
        return error_response(http::status::bad_request, "replace_owner_thumbnails must be true or false");
      replace_owner = field->get<bool>();
    }
    auto ids = requested_assets(body, kMaxAssetIds);
    if (auto* refused = std::get_if<ApiResponse>(&ids)) return std::move(*refused);
    const auto& list = std::get<std::optional<std::vector<std::int64_t>>>(ids);
    if (!list) return error_response(http::status::bad_request, "asset_ids or selection_id is required");
    RegenerateResult result = jobs_.regenerate(*list, replace_owner, /*include_missing=*/false, unix_now());
    return json_response(http::status::ok, {{"created", result.created},
                                            {"skipped_owner", result.skipped_owner},
                                            {"skipped_missing", result.skipped_missing}});
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
