// The HTTP API of the spec (login, missing-thumbnails, thumbnail upload) plus thumbnail-failure, file serving and
// the claim protocol of `thumbgen work` (api_jobs.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <variant>

#include "server/admin_pages.h"
#include "server/auth_jwt.h"
#include "server/auth_login_limiter.h"
#include "server/auth_password.h"
#include "server/catalogue.h"
#include "server/client_address.h"
#include "server/content_origins.h"
#include "server/data_folder_guard.h"
#include "server/http_router.h"
#include "server/job_queue.h"
#include "server/metrics_registry.h"
#include "server/readiness.h"
#include "server/storage.h"
#include "server/upload_validation.h"

namespace thumbgen::server {

// The admin web app (issue 11): its pages, its sessions, what its settings page reports.
struct AdminAppSettings {
  std::filesystem::path pages_folder;      // THUMBGEN_ADMIN_DIR, default_admin_folder() when empty
  int session_max_age_seconds = 43200;     // THUMBGEN_SESSION_MAX_AGE: refresh renews tokens up to this after login
  int pause_release_seconds = 600;         // THUMBGEN_PAUSE_RELEASE: a paused run keeps its leases this long
  std::vector<std::string> extra_origins;  // THUMBGEN_EXTRA_ORIGINS: more origins of model files and thumbnails
};

struct ApiSettings {
  std::string public_url;             // no trailing '/'
  std::filesystem::path data_folder;  // --data: nothing in it is ever served under /files/
  std::filesystem::path keys_file;    // never served either, wherever it lies (THUMBGEN_KEYS_FILE)
  int token_ttl_seconds = 3600;
  LoginLimits login_limits;
  TrustedProxies trusted_proxies;  // whose X-Forwarded-For names the client (login throttling)
  UploadLimits upload_limits;
  JobSettings jobs;
  std::uint64_t upload_body_limit = 24 * 1024 * 1024;  // the body of a thumbnail upload (THUMBGEN_BODY_LIMIT)
  AdminAppSettings admin;
  // Issue 14, observability (kept together).
  std::string metrics_token;  // THUMBGEN_METRICS_TOKEN: GET /metrics on this port with it; empty: 404 here
  std::chrono::milliseconds readiness_cache{5000};  // how long /readyz keeps the storage's verdict
};

// Body limits of the routes that are not uploads: what the largest honest request of each needs.
inline constexpr std::uint64_t kLoginBodyLimit = 8 * 1024;        // a 150-character name, a 4,096-character password
inline constexpr std::uint64_t kLogoutAllBodyLimit = 1024;        // nothing is read from it
inline constexpr std::uint64_t kRefreshBodyLimit = 1024;          // nothing is read from it
inline constexpr std::uint64_t kControlBodyLimit = 4 * 1024;      // a fencing token, a lease, a worker name
inline constexpr std::uint64_t kCameraBodyLimit = 4 * 1024;       // a per-asset camera
inline constexpr std::uint64_t kOrientationBodyLimit = 1024;      // a per-asset up axis: {"up":"+Z","requeue":true}
inline constexpr std::uint64_t kReasonBodyLimit = 16 * 1024;      // a failure reason (kept up to 2,000 characters)
inline constexpr std::uint64_t kClaimBodyLimit = 64 * 1024;       // up to 1,000 excluded ids, render settings
inline constexpr std::uint64_t kAssetListBodyLimit = 256 * 1024;  // up to 1,000 asset ids or urls
// A selection of up to 100,000 ids or urls, about 40 bytes each quoted.
inline constexpr std::uint64_t kSelectionBodyLimit = 4 * 1024 * 1024;

class Api {
 public:
  Api(ApiSettings settings, Catalogue& catalogue, Storage& storage, JwtKeyring keyring);

  ApiResponse dispatch(const HttpRequest& request, const std::string& client_address) const {
    return router_.dispatch(request, client_address);
  }
  // The verdict on a request's headers, before its body is read (route, body limit, bearer token).
  Admission admit(const HttpRequest& header, const std::string& client_address) const {
    return router_.admit(header, client_address);
  }

  // Every route, method and pattern (checked against the OpenAPI document).
  std::vector<Router::RouteName> routes() const { return router_.routes(); }

  // The counters /metrics reports (the HTTP layer adds each response to them: HttpServer::observe).
  ServerMetrics& metrics() { return *metrics_; }
  // The whole exposition text, for the main port's /metrics and the separate metrics listener.
  std::string metrics_text();

  // Public URL of an imported file or of a format root ("https://..." roots pass through).
  std::string file_url(const std::string& asset_url, const std::string& path) const;
  // The same, appended to `out` (the listing's hot path).
  void append_file_url(std::string& out, std::string_view asset_url, std::string_view path) const;

 private:
  ApiResponse login(ApiRequest& request);
  ApiResponse logout_all(ApiRequest& request);  // revokes every token of the caller
  // The admin web app: session refresh (api_session.cpp), pages and settings (api_admin_app.cpp).
  void add_admin_app_routes();
  ApiResponse refresh_login(ApiRequest& request);
  ApiResponse admin_page(ApiRequest& request);
  ApiResponse admin_settings(ApiRequest& request);
  // {"access_token","token_type","expires_in"} for `user`, in the session that began at `auth_time` (login and
  // refresh); 401 "Session expired" when that session is over.
  ApiResponse issue_token(const UserRecord& user, std::int64_t auth_time);
  ApiResponse missing_thumbnails(ApiRequest& request);
  ApiResponse list_missing_page(ApiRequest& request);  // after the staff check
  ApiResponse upload_thumbnail(ApiRequest& request);
  ApiResponse thumbnail_failure(ApiRequest& request);
  ApiResponse media(ApiRequest& request);
  ApiResponse asset_file(ApiRequest& request);

  // The claim protocol of `thumbgen work` (api_jobs.cpp).
  void add_job_routes();
  ApiResponse claim_jobs(ApiRequest& request);
  ApiResponse heartbeat_job(ApiRequest& request);
  ApiResponse complete_job(ApiRequest& request);
  ApiResponse fail_job(ApiRequest& request);
  ApiResponse skip_job(ApiRequest& request);
  ApiResponse create_jobs(ApiRequest& request);
  ApiResponse retry_failed_jobs(ApiRequest& request);
  ApiResponse job_stats(ApiRequest& request);

  // The admin web app (issue 11): asset listing, per-asset camera and up axis (api_admin_assets.cpp), selections
  // (api_selections.cpp), regenerate jobs (api_jobs.cpp).
  void add_admin_asset_routes();
  void add_selection_routes();
  // /healthz, /readyz, /metrics (api_observability.cpp).
  void add_observability_routes();
  ApiResponse list_admin_assets_page(ApiRequest& request);
  ApiResponse put_asset_camera(ApiRequest& request);
  ApiResponse put_asset_orientation(ApiRequest& request);
  // After a per-asset setting changed: a new render of the asset when the body's "requeue" is true (checked
  // beforehand: requeue_flag_error). Whether a job was queued.
  bool requeue_if_asked(const nlohmann::json& body, const AssetRef& asset);
  ApiResponse create_selection_from_request(ApiRequest& request);
  ApiResponse get_selection(ApiRequest& request);
  ApiResponse regenerate_jobs(ApiRequest& request);
  // The assets a job request names: body "selection_id" (all its assets) or "asset_ids" (at most `max_ids`); the
  // error answer otherwise. nullopt inside: neither was given.
  std::variant<std::optional<std::vector<std::int64_t>>, ApiResponse> requested_assets(const nlohmann::json& body,
                                                                                       std::size_t max_ids);
  // A stored thumbnail's public URL (a storage key under /media/, an imported http(s) URL as it is).
  std::string thumbnail_public_url(const std::string& thumbnail) const;

  // The upload path shared by the spec's upload endpoint and job completion: validates body["thumbnail_base64"],
  // stores it, switches the pointer (only while `fence` is current, when given) and answers 200 or the error.
  ApiResponse store_thumbnail(const AssetRef& asset, const nlohmann::json& body,
                              const std::optional<ThumbnailFence>& fence);
  // Removes an object no pointer names any more; a failure is logged and left to the start-up orphan sweep.
  void remove_replaced_object(const std::string& key);
  // An asset in the listing's shape (the claim answers the same objects).
  nlohmann::json asset_json(const MissingAsset& asset) const;

  // The active user behind the request's bearer token, the token not revoked since, or the 401 answer.
  std::variant<UserRecord, ApiResponse> authenticate(ApiRequest& request);
  // The same for a staff user, or the 401/403 answer.
  std::variant<UserRecord, ApiResponse> require_staff(ApiRequest& request);
  // The rules of an admin route: require_staff runs on the headers, before a body of up to `body_limit` is read.
  RouteRules staff_route(std::uint64_t body_limit);
  // Any logged-in user (logout-all): the token is checked before the body too.
  RouteRules user_route(std::uint64_t body_limit);
  // The prelude of the admin endpoints: `handler` runs for a staff user only (else 401/403), and on the asset the
  // path's {asset} names (a numeric id or the url; else 404). The user is logged with whatever is answered.
  ApiResponse for_staff(ApiRequest& request, const std::function<ApiResponse()>& handler);
  ApiResponse for_staff_on_asset(ApiRequest& request, const std::function<ApiResponse(const AssetRef&)>& handler);

  ApiSettings settings_;
  Catalogue& catalogue_;
  Storage& storage_;
  JwtKeyring keyring_;
  DataFolderGuard data_guard_;
  JobQueue jobs_;
  LoginLimiter login_limiter_;
  std::string dummy_hash_;  // verified against when the user does not exist, so timing does not tell
  // Upload of one asset is serialised (store, switch pointer, remove old), so a key removed by one upload is never
  // the key another upload of the same image has just pointed the asset at.
  std::array<std::mutex, 64> upload_locks_;
  ContentOrigins content_origins_;
  AdminPages admin_pages_;
  Readiness readiness_;
  Router router_;
  std::unique_ptr<ServerMetrics> metrics_;  // made once every route is added (its route labels)
};

// The token of an "Authorization: Bearer <token>" header; "" when there is none.
std::string_view bearer_token(const ApiRequest& request);

std::int64_t unix_now();
std::string iso8601_utc(std::int64_t unix_seconds);

}  // namespace thumbgen::server
