#include "server/admin_pages.h"

#include <spdlog/spdlog.h>

#include <system_error>
#include <utility>

#include "server/model_file_open.h"
#include "server/static_files.h"

namespace thumbgen::server {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kIndex = "index.html";
constexpr std::string_view kHashedAssets = "assets/";  // file names carry their content hash: cached for good

// No inline style or script: the page must pass the CSP it is served with.
constexpr const char* kNotBuiltPage = R"html(<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>thumbgen admin: not built</title></head>
<body>
<h1>The admin pages are not built</h1>
<p>thumbgen serves its admin pages from the folder <code>admin/</code> beside the <code>thumbgen</code> executable
(or the folder <code>THUMBGEN_ADMIN_DIR</code> names), and that folder holds no <code>index.html</code>.</p>
<p>Build them in the source tree with <code>make web</code> (or <code>make demo</code>, which also fills a demo
catalogue and serves it), then reload this page: the server need not restart. The server's log names the folder it
looks in.</p>
<p>The API under <code>/api/v1/</code> works without them.</p>
</body>
</html>
)html";

void add_page_headers(ApiResponse& response, const std::string& csp) {
  response.headers.emplace_back("Content-Security-Policy", csp);
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "same-origin");
}

fs::path canonical_folder(const fs::path& folder) {
  std::error_code error;
  fs::path absolute = fs::absolute(folder, error);
  if (error) return folder.lexically_normal();
  fs::path canonical = fs::weakly_canonical(absolute, error);
  return error ? absolute.lexically_normal() : canonical;
}

}  // namespace

AdminPages::AdminPages(const fs::path& folder, const DataFolderGuard& guard)
    : folder_(canonical_folder(folder)), guard_(guard) {}

bool AdminPages::built() const {
  std::error_code error;
  return fs::is_regular_file(folder_ / kIndex, error);
}

ApiResponse AdminPages::serve(std::string_view relative, const HttpRequest& request, const std::string& csp) const {
  ApiResponse response;
  if (!built()) {
    response.status = http::status::service_unavailable;
    response.content_type = "text/html; charset=utf-8";
    response.body = kNotBuiltPage;
    response.headers.emplace_back("Cache-Control", "no-store");
  } else {
    response = serve_file(relative.empty() ? kIndex : relative, request);
  }
  add_page_headers(response, csp);
  return response;
}

ApiResponse AdminPages::serve_file(std::string_view relative, const HttpRequest& request) const {
  auto opened = open_published_file(folder_, relative, guard_);
  if (auto* refused = std::get_if<OpenRefusal>(&opened)) {
    if (refused->transient) {
      ApiResponse busy = error_response(http::status::service_unavailable, "Server busy, try again");
      busy.headers.emplace_back("Retry-After", "1");
      return busy;
    }
    // A route of the app itself (/admin/icosa/asset/): the app's page, which routes in the browser. A hashed
    // asset that is not there (an old index.html cached somewhere) stays a 404, never HTML.
    if (refused->missing && relative != kIndex && !relative.starts_with(kHashedAssets)) {
      return serve_file(kIndex, request);
    }
    if (!refused->missing) spdlog::info("admin pages: not serving {}: {}", relative, refused->reason);
    return error_response(http::status::not_found, "Not found");
  }
  boost::beast::file file;
  file.native_handle(std::get<OpenedFile>(opened).fd.release());
  ApiResponse response = serve_open_file(std::move(file), admin_content_type(relative), request);
  if (response.file) {
    response.headers.emplace_back(
        "Cache-Control", relative.starts_with(kHashedAssets) ? "public, max-age=31536000, immutable" : "no-cache");
  }
  return response;
}

fs::path default_admin_folder() {
  std::error_code error;
  fs::path executable = fs::read_symlink("/proc/self/exe", error);
  if (error) return fs::current_path(error) / "admin";
  return executable.parent_path() / "admin";
}

std::string admin_content_security_policy(const std::vector<std::string>& origins) {
  std::string extra;
  for (const std::string& origin : origins) extra += " " + origin;
  return "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:" +
         extra + "; connect-src 'self'" + extra +
         "; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}

std::string admin_content_type(std::string_view file_name) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"wasm", "application/wasm"},
      {"png", "image/png"},
      {"svg", "image/svg+xml"},
      {"ico", "image/x-icon"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"txt", "text/plain; charset=utf-8"},
      {"woff2", "font/woff2"},
  };
  const std::string extension = lower_extension(file_name);
  for (const auto& [known, type] : kTypes) {
    if (extension == known) return type;
  }
  return "application/octet-stream";
}

}  // namespace thumbgen::server
