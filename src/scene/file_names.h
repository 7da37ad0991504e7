// The rules that turn a name written inside a model (a glTF URI, an MTL map, an FBX texture path) into one of the
// model folder's files. Every FileAccess (the native folder, the browser's handed-in files) and reference discovery
// use these, so a name resolves the same way everywhere and fails with the same message. Pure: names in, names out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace thumbgen::scene {

// "http://x", "file:///x", "ftp:x"... but not "C:\x" (a one-letter scheme is a Windows drive).
bool has_url_scheme(std::string_view name);
// http:// or https://, in any letter case.
bool is_web_url(std::string_view name);
// The last path component of a URL, without query or fragment ("" when it has none).
std::string url_file_name(std::string_view url);
// A URI (glTF) as the relative file name FileAccess wants: percent-decoded ("%20" → " "); a URI with a malformed
// escape, or one that decodes to a NUL byte, is taken as written (a file may be named so).
std::string uri_to_file_name(std::string_view uri);

// What follows the last '/' or '\'.
std::string_view file_name_of(std::string_view path);
// Backslashes become slashes: Windows authors write "textures\a.png".
std::string with_forward_slashes(std::string_view name);
// Paths from another machine that can only be found by file name: "C:/x", "C:", "//server/share" (slashed).
bool is_foreign_absolute(std::string_view slashed);

// Why a name does not give a file. The messages (file_error) are the same from every FileAccess.
enum class FileProblem {
  EmptyName,     // "(empty file name): not found"
  NulByte,       // "<name>: invalid file name (NUL byte)"
  Url,           // "<name>: URLs are not allowed, only files in the model folder"
  UrlNotServed,  // "<name>: not found (URLs are served from the brush texture folder by file name)"
  Outside,       // "<name>: outside the model folder"
  NotFound,      // "<name>: not found"
};
std::string file_error(std::string_view name, FileProblem problem);
// "<name>: too large (<size> bytes, limit <limit>)".
std::string file_too_large_error(std::string_view name, std::uint64_t size, std::uint64_t limit);

// The problem a name has before any lookup (empty, NUL byte, URL scheme); nullopt when it may name a file.
std::optional<FileProblem> name_problem(std::string_view name);

// Where a model-relative name points, by its text alone ("..", ".", absolute paths; backslashes are slashes).
struct ModelPath {
  enum class Place {
    Inside,   // `path` is the name relative to the model folder, normalised ("a/./b/../c.png" → "a/c.png")
    Outside,  // leaves the folder ("../x", "/etc/x" when the folder is elsewhere)
    Foreign,  // another machine's absolute path ("C:\x", "\\server\x"): only its file name can find it
  };
  Place place = Place::Outside;
  std::string path;
};
// `folder` is the model folder as its host names it: an absolute path on disk, or "" / a relative folder when the
// host only has names. An absolute name inside an absolute folder counts as inside.
ModelPath locate_in_model_folder(std::string_view name, std::string_view folder = {});

// The fallback for a name that does not resolve (Windows paths, paths from the author's machine, wrong letter case):
// among `candidates` whose file name equals `wanted`'s (ignoring case), the one sharing the most trailing path
// components with `wanted` (ignoring case), then the one with fewer components, then the first by components.
// Candidates are '/'-separated paths as the host knows them, its model folder included (so an author's path that
// names the folder itself counts). Returns the candidate's index; nullopt when none has that file name or `wanted`
// ends in "." or "..".
std::optional<std::size_t> best_by_file_name(std::string_view wanted, std::span<const std::string> candidates);

}  // namespace thumbgen::scene
