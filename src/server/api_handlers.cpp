#include "server/api_handlers.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>

#include "server/model_file_open.h"
#include "server/openapi_document.h"
#include "server/static_files.h"
#include "util/percent_encoding.h"

namespace thumbgen::server {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string iso8601_utc(std::int64_t unix_seconds) {
  std::time_t time = static_cast<std::time_t>(unix_seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

Api::Api(ApiSettings settings, Catalogue& catalogue, Storage& storage, JwtKeyring keyring)
    : settings_(std::move(settings)),
      catalogue_(catalogue),
      storage_(storage),
      keyring_(std::move(keyring)),
      data_guard_(settings_.data_folder, {settings_.keys_file}),
      jobs_(catalogue, settings_.jobs),
      login_limiter_(catalogue, settings_.login_limits),
      dummy_hash_(hash_password("not a real password")),
      content_origins_(catalogue, settings_.public_url, settings_.admin.extra_origins),
      admin_pages_(settings_.admin.pages_folder.empty() ? default_admin_folder() : settings_.admin.pages_folder,
                   data_guard_),
      readiness_(catalogue, storage, settings_.readiness_cache) {
  router_.add(http::verb::post, "/api/v1/login/jwt", {kLoginBodyLimit, nullptr},
              [this](ApiRequest& r) { return login(r); });
  router_.add(http::verb::post, "/api/v1/login/logout-all", user_route(kLogoutAllBodyLimit),
              [this](ApiRequest& r) { return logout_all(r); });
  router_.add(http::verb::get, "/api/v1/admin/assets/missing-thumbnails", staff_route(0),
              [this](ApiRequest& r) { return missing_thumbnails(r); });
  router_.add(http::verb::post, "/api/v1/admin/assets/{asset}/thumbnail", staff_route(settings_.upload_body_limit),
              [this](ApiRequest& r) { return upload_thumbnail(r); });
  router_.add(http::verb::post, "/api/v1/admin/assets/{asset}/thumbnail-failure", staff_route(kReasonBodyLimit),
              [this](ApiRequest& r) { return thumbnail_failure(r); });
  add_job_routes();
  add_admin_app_routes();
  add_admin_asset_routes();
  add_selection_routes();
  router_.add(http::verb::get, "/media/*", {}, [this](ApiRequest& r) { return media(r); });
  router_.add(http::verb::get, "/files/{asset}/*", {}, [this](ApiRequest& r) { return asset_file(r); });
  add_observability_routes();
  add_openapi_route(router_, settings_.public_url);
  metrics_ = std::make_unique<ServerMetrics>(router_.patterns());
}

std::string Api::file_url(const std::string& asset_url, const std::string& path) const {
  std::string url;
  append_file_url(url, asset_url, path);
  return url;
}

void Api::append_file_url(std::string& out, std::string_view asset_url, std::string_view path) const {
  if (path.starts_with("http://") || path.starts_with("https://")) {
    out += path;
    return;
  }
  out += settings_.public_url;
  out += "/files/";
  out += util::percent_encode(asset_url, false);
  out += '/';
  out += util::percent_encode(path, true);
}

namespace {

// A token is current while it carries the user's present stamp: a new password, a logout everywhere or a user
// deleted and made again changes the stamp. Tokens without one (made before stamps existed) are refused.
bool token_is_current(const JwtClaims& claims, const UserRecord& user) {
  return !claims.stamp.empty() && !user.auth_stamp.empty() && claims.stamp == user.auth_stamp;
}

}  // namespace

std::string_view bearer_token(const ApiRequest& request) {
  std::string_view header = request.header(http::field::authorization);
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || !boost::beast::iequals(header.substr(0, kBearer.size()), kBearer)) return {};
  std::string_view token = header.substr(kBearer.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  return token;
}

std::variant<UserRecord, ApiResponse> Api::authenticate(ApiRequest& request) {
  auto unauthorized = [](std::string_view detail) {
    ApiResponse response = error_response(http::status::unauthorized, detail);
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
  };
  std::string_view token = bearer_token(request);
  if (token.empty()) return unauthorized("JWT token required");
  auto verified = jwt_verify(keyring_, token, unix_now());
  if (std::holds_alternative<JwtError>(verified)) return unauthorized("Invalid or expired token");
  const JwtClaims& claims = std::get<JwtClaims>(verified);
  // The one indexed lookup per request: it sees deactivation, deletion and revocation at once.
  auto user = catalogue_.find_user(claims.subject);
  if (!user || !user->is_active || !token_is_current(claims, *user)) return unauthorized("Invalid or expired token");
  return *user;
}

std::variant<UserRecord, ApiResponse> Api::require_staff(ApiRequest& request) {
  auto user = authenticate(request);
  if (auto* found = std::get_if<UserRecord>(&user); found && !found->is_staff) {
    ApiResponse forbidden = error_response(http::status::forbidden, "Admin access required");
    forbidden.user = found->username;
    return forbidden;
  }
  return user;
}

namespace {

// The rules of a route whose `check` (authenticate or require_staff) runs on the headers: its refusal is the answer.
template <class Check>
RouteRules checked_route(std::uint64_t body_limit, Check check) {
  return {body_limit, [check](ApiRequest& request) -> std::optional<ApiResponse> {
            auto verdict = check(request);
            if (auto* denied = std::get_if<ApiResponse>(&verdict)) return std::move(*denied);
            return std::nullopt;
          }};
}

}  // namespace

RouteRules Api::user_route(std::uint64_t body_limit) {
  return checked_route(body_limit, [this](ApiRequest& request) { return authenticate(request); });
}

RouteRules Api::staff_route(std::uint64_t body_limit) {
  return checked_route(body_limit, [this](ApiRequest& request) { return require_staff(request); });
}

ApiResponse Api::media(ApiRequest& request) {
  const std::string& key = request.params.at(0);
  if (!is_valid_storage_key(key)) return error_response(http::status::not_found, "Not found");
  ApiResponse response;
  if (auto path = storage_.local_path(key)) {
    response = serve_file(*path, content_type_for(key), request.raw);
    if (!response.file) return response;  // 404, 416...
  } else {
    // A bucket without a public URL: the object comes through here (thumbnails are small: read whole).
    std::optional<std::string> bytes;
    try {
      bytes = storage_.read(key);
    } catch (const std::exception& error) {
      spdlog::warn("media {}: {}", key, error.what());
      return error_response(http::status::bad_gateway, "Storage unavailable");
    }
    if (!bytes) return error_response(http::status::not_found, "Not found");
    response.content_type = content_type_for(key);
    response.body = std::move(*bytes);
  }
  // Same origin as the token: whatever a stored file holds never runs here (as /files/).
  response.headers.emplace_back("Content-Security-Policy", "sandbox");
  // Thumbnail keys are content-addressed: a key's bytes never change.
  if (key.starts_with("thumbs/")) response.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  return response;
}

ApiResponse Api::asset_file(ApiRequest& request) {
  auto served = catalogue_.find_served_file(request.params.at(0), request.params.at(1));
  if (!served) return error_response(http::status::not_found, "Not found");
  auto opened = open_published_file(served->root, served->path, data_guard_);
  if (auto* refused = std::get_if<OpenRefusal>(&opened)) {
    // A catalogued file that cannot be opened safely: a symlink or a data file swapped in since the import, or the
    // folder moved. Worth an operator's look; the client learns nothing but 404.
    spdlog::warn("not serving {}/{}: {}", served->root.string(), served->path, refused->reason);
    if (refused->transient) return error_response(http::status::service_unavailable, "Cannot open file");
    return error_response(http::status::not_found, "Not found");
  }
  boost::beast::file file;
  file.native_handle(std::get<OpenedFile>(opened).fd.release());
  ApiResponse response = serve_open_file(std::move(file), served->content_type, request.raw);
  response.headers.emplace_back("Content-Security-Policy", "sandbox");
  return response;
}

}  // namespace thumbgen::server
