// What `thumbgen thumbnail` is given as INPUT: a path, or a file:// URI (the freedesktop thumbnailer's %u), turned
// into the local path to read. Thumbnails are only made of local files: thumbgen never fetches anything.
#pragma once

#include <filesystem>
#include <string_view>

namespace thumbgen::cli {

// "/a/b c.glb", "b.glb", "file:///a/b%20c.glb", "file://localhost/a/b.glb" → the path. Throws std::invalid_argument
// with a message for people on other URIs (http://, sftp://, file://otherhost/...) and malformed ones (Boost.URL
// parses and decodes them).
std::filesystem::path local_path_from_argument(std::string_view argument);

}  // namespace thumbgen::cli
