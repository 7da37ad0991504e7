// The admin web app's files under /admin/ (issue 11): the front end `make web` builds into <build>/admin, served
// from that folder on the API's own origin. Every path below /admin/ that names a regular file of the folder is that
// file; any other (the app's own routes: /admin/login/, /admin/icosa/asset/...) is index.html, which routes in the
// browser. Files are opened as /files/ opens model files (open_published_file: below the folder, no symlink, no
// dotfile, nothing of the data folder), so a path never leaves the folder.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "server/data_folder_guard.h"
#include "server/http_router.h"

namespace thumbgen::server {

class AdminPages {
 public:
  // `folder`: absolute (it is made canonical here, so a symlink above it is resolved once, at start).
  AdminPages(const std::filesystem::path& folder, const DataFolderGuard& guard);

  // The answer for `relative`, the percent-decoded path below "/admin/" ("" for /admin/ itself): the file, or
  // index.html (SPA fallback), or 404 for a path that is not plain (.., a dotfile, a symlink on the way) or names a
  // missing file under assets/ (a stale hashed name must not get HTML), or 503 with a "not built" page when the
  // folder holds no index.html. `csp` is the Content-Security-Policy sent with every answer.
  ApiResponse serve(std::string_view relative, const HttpRequest& request, const std::string& csp) const;

  const std::filesystem::path& folder() const { return folder_; }
  bool built() const;  // index.html is there

 private:
  ApiResponse serve_file(std::string_view relative, const HttpRequest& request) const;

  std::filesystem::path folder_;
  const DataFolderGuard& guard_;
};

// <folder of the running executable (/proc/self/exe)>/admin: where `make web` puts the front end beside the binary.
std::filesystem::path default_admin_folder();

// The admin pages' Content-Security-Policy: 'self' only, plus `origins` (the media origin and the model files'
// origins) for images and fetches. No inline script or style; WebAssembly compiles ('wasm-unsafe-eval').
std::string admin_content_security_policy(const std::vector<std::string>& origins);

// The type of a built front-end file by extension (.html .js .mjs .css .wasm .png .svg .json .map ...): unlike
// content_type_for(), which serves imported files inert, these are ours and run.
std::string admin_content_type(std::string_view file_name);

}  // namespace thumbgen::server
