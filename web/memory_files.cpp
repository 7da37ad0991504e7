#include "memory_files.h"

#include <algorithm>
#include <cctype>

#include "scene/load_error.h"

namespace thumbgen::web {
namespace {

bool is_url(std::string_view path) {
  // "scheme:..." with a scheme of two or more letters; a single letter is a Windows drive ("C:\...").
  const auto colon = path.find(':');
  if (colon == std::string_view::npos || colon < 2) return false;
  return std::all_of(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(colon),
                     [](unsigned char c) { return std::isalnum(c) || c == '+' || c == '-' || c == '.'; });
}

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(), [](unsigned char c) { return std::tolower(c); });
  return result;
}

std::string_view base_name(std::string_view path) {
  const auto slash = path.find_last_of("/\\");
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string MemoryFiles::normalize(std::string_view path) {
  if (path.empty() || path.find('\0') != std::string_view::npos) return {};
  if (path.front() == '/' || path.front() == '\\' || (path.size() >= 2 && path[1] == ':')) return {};  // absolute
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find_first_of("/\\", start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (part == "..") {
      if (parts.empty()) return {};  // leaves the folder
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string result;
  for (const std::string_view part : parts) {
    if (!result.empty()) result += '/';
    result += part;
  }
  return result;
}

void MemoryFiles::add(std::string_view path, std::vector<std::uint8_t> bytes) {
  const std::string name = normalize(path);
  if (name.empty()) throw scene::LoadError("invalid file name: " + std::string(path));
  if (bytes.size() > max_file_bytes_) throw scene::LoadError("file too large: " + name);
  files_[name] = std::move(bytes);
}

void MemoryFiles::clear() {
  files_.clear();
  base_folder_.clear();
}

void MemoryFiles::set_base_folder(std::string_view folder) { base_folder_ = normalize(folder); }

const std::vector<std::uint8_t>* MemoryFiles::find(std::string_view relative_path) const {
  if (relative_path.empty() || is_url(relative_path) || relative_path.find('\0') != std::string_view::npos) {
    return nullptr;
  }
  // Relative to the main file's folder first, then from the root (callers may name the main file by its path).
  // Absolute paths never resolve directly: only the base-name fallback below may find them.
  const bool absolute = relative_path.front() == '/' || relative_path.front() == '\\' ||
                        (relative_path.size() >= 2 && relative_path[1] == ':');
  if (!absolute) {
    for (const std::string& candidate :
         {normalize(base_folder_.empty() ? std::string(relative_path)
                                         : base_folder_ + "/" + std::string(relative_path)),
          normalize(relative_path)}) {
      if (candidate.empty()) continue;
      if (const auto it = files_.find(candidate); it != files_.end()) return &it->second;
    }
  }
  // Fallback by base name, case-insensitive, only when exactly one file matches (never guess between two).
  const std::string wanted = lower(base_name(relative_path));
  if (wanted.empty() || wanted == "." || wanted == "..") return nullptr;
  const std::vector<std::uint8_t>* match = nullptr;
  for (const auto& [name, bytes] : files_) {
    if (lower(base_name(name)) != wanted) continue;
    if (match) return nullptr;
    match = &bytes;
  }
  return match;
}

std::vector<std::uint8_t> MemoryFiles::read(std::string_view relative_path) {
  if (is_url(relative_path)) throw scene::LoadError("refusing URL: " + std::string(relative_path));
  const std::vector<std::uint8_t>* bytes = find(relative_path);
  if (!bytes) throw scene::LoadError("missing file: " + std::string(relative_path));
  return *bytes;
}

bool MemoryFiles::exists(std::string_view relative_path) { return find(relative_path) != nullptr; }

}  // namespace thumbgen::web
