// Files served from disk: stored thumbnails (/media/...) and imported asset files (/files/...).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "server/http_router.h"

namespace thumbgen::server {

// The extension of the last path component, lower case, without the dot ("" when none).
std::string lower_extension(std::string_view file_name);

// Content type by extension. Anything a browser could run (HTML, SVG, JS) is served as application/octet-stream:
// these files come from imported folders and must never execute on the server's origin.
std::string content_type_for(std::string_view file_name);

// 200 with the whole file, 206 for one satisfiable "Range: bytes=..." (several ranges are answered with the whole
// file, never amplified), 416 for an unsatisfiable one, 404 when the path is not a regular file, 503 (Retry-After)
// when the file exists but cannot be opened now (no descriptor left, a lease being broken). Opening never waits.
// The file is sent from disk in chunks (FileRange), never read into memory.
ApiResponse serve_file(const std::filesystem::path& file, std::string content_type, const HttpRequest& request);

// The same answers for a file the caller has opened itself (imported model files: model_file_open.h).
ApiResponse serve_open_file(boost::beast::file file, std::string content_type, const HttpRequest& request);

}  // namespace thumbgen::server
