// The admin web app's routes besides the session: its pages under /admin/ and GET /api/v1/admin/settings (what the
// Batch Thumbnail Generator shows and needs: the server's output format, the pause rule, the session limits).
#include "server/api_handlers.h"
#include "util/version.h"

namespace thumbgen::server {

namespace {

constexpr int kMaxBatchSize = 100;  // the most assets one generator run takes ("Batch Size" 1-100, issue 11)

}  // namespace

void Api::add_admin_app_routes() {
  router_.add(http::verb::post, "/api/v1/login/refresh", user_route(kRefreshBodyLimit),
              [this](ApiRequest& r) { return refresh_login(r); });
  router_.add(http::verb::get, "/api/v1/admin/settings", staff_route(0),
              [this](ApiRequest& r) { return admin_settings(r); });
  // "/admin" matches "/admin" and "/admin/" (empty segments are dropped); "/admin/*" everything below.
  router_.add(http::verb::get, "/admin", {}, [this](ApiRequest& r) { return admin_page(r); });
  router_.add(http::verb::get, "/admin/*", {}, [this](ApiRequest& r) { return admin_page(r); });
}

ApiResponse Api::admin_page(ApiRequest& request) {
  if (request.params.empty() && !request.path.ends_with('/')) {
    // Relative URLs in the app resolve against /admin/, never /.
    ApiResponse redirect;
    redirect.status = http::status::permanent_redirect;
    redirect.content_type.clear();
    redirect.headers.emplace_back("Location", "/admin/");
    return redirect;
  }
  std::vector<std::string> origins = content_origins_.file_origins();
  if (!content_origins_.media_origin().empty()) origins.insert(origins.begin(), content_origins_.media_origin());
  const std::string relative = request.params.empty() ? std::string() : request.params.front();
  return admin_pages_.serve(relative, request.raw, admin_content_security_policy(origins));
}

ApiResponse Api::admin_settings(ApiRequest& request) {
  return for_staff(request, [&] {
    ApiResponse response =
        json_response(http::status::ok, {{"thumbnail_format", thumbnail_format_name(settings_.upload_limits.format)},
                                         {"thumbnail_quality", settings_.upload_limits.quality},
                                         {"pause_release_seconds", settings_.admin.pause_release_seconds},
                                         {"session_max_age_seconds", settings_.admin.session_max_age_seconds},
                                         {"token_ttl_seconds", settings_.token_ttl_seconds},
                                         {"max_batch_size", kMaxBatchSize},
                                         {"renderer_version", kRendererVersion},
                                         {"media_origin", content_origins_.media_origin()},
                                         {"file_origins", content_origins_.file_origins()}});
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
  });
}

}  // namespace thumbgen::server
