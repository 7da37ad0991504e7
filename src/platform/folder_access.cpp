#include "platform/folder_access.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <system_error>

#include "scene/load_error.h"

namespace thumbgen::platform {

namespace fs = std::filesystem;

namespace {

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The name as shown in error messages (a NUL byte would cut the message short).
std::string display_name(std::string_view name) {
  std::string out;
  for (char c : name) out += c == '\0' ? std::string("\\0") : std::string(1, c);
  return out;
}

// "http://x", "file:///x", "ftp:x"... but not "C:\x" (a one-letter scheme is a Windows drive).
bool has_url_scheme(std::string_view name) {
  const auto colon = name.find(':');
  if (colon == std::string_view::npos || colon < 2 || !std::isalpha(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.begin() + colon, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
}

bool is_web_url(std::string_view name) {
  return lower_ascii(name.substr(0, 8)) == "https://" || lower_ascii(name.substr(0, 7)) == "http://";
}

// The last path component of a URL, without query or fragment ("" when it has none).
std::string url_file_name(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  const std::size_t authority = url.find("://");
  if (authority != std::string_view::npos) url.remove_prefix(authority + 3);
  const std::size_t slash = url.rfind('/');
  if (slash == std::string_view::npos) return {};  // only a host
  return std::string(url.substr(slash + 1));
}

// Paths from another machine that can only be found by file name: "C:/x", "C:", "//server/share".
bool is_foreign_absolute(std::string_view slashed) {
  const bool drive = slashed.size() >= 2 && std::isalpha(static_cast<unsigned char>(slashed[0])) && slashed[1] == ':' &&
                     (slashed.size() == 2 || slashed[2] == '/');
  return drive || slashed.starts_with("//");
}

// How many trailing components two paths share (case-insensitive): picks the best of several same-named files.
int common_suffix(const std::vector<std::string>& wanted, const fs::path& candidate) {
  std::vector<std::string> have;
  for (const auto& part : candidate) have.push_back(lower_ascii(part.string()));
  int n = 0;
  while (n < static_cast<int>(wanted.size()) && n < static_cast<int>(have.size()) &&
         wanted[wanted.size() - 1 - n] == have[have.size() - 1 - n])
    ++n;
  return n;
}

}  // namespace

FolderAccess::FolderAccess(fs::path model_folder, std::uint64_t max_file_bytes,
                           std::shared_ptr<FolderAccess> url_stand_ins)
    : max_file_bytes_(max_file_bytes), url_stand_ins_(std::move(url_stand_ins)) {
  std::error_code ec;
  fs::path absolute = fs::absolute(model_folder, ec);
  if (ec) absolute = model_folder;
  folder_ = fs::weakly_canonical(absolute, ec);
  if (ec) folder_ = absolute.lexically_normal();
  if (!folder_.has_filename() && folder_.has_parent_path() && folder_ != folder_.root_path())
    folder_ = folder_.parent_path();  // drop a trailing separator so component-wise prefix checks work
}

FolderAccess::~FolderAccess() = default;

bool FolderAccess::inside_folder(const fs::path& canonical) const {
  // Component-wise, so "/models/a" is not taken to contain "/models/ab".
  return std::mismatch(folder_.begin(), folder_.end(), canonical.begin(), canonical.end()).first == folder_.end();
}

void FolderAccess::build_index() {
  indexed_ = true;
  std::error_code ec;
  fs::recursive_directory_iterator it(folder_, fs::directory_options::skip_permission_denied, ec);
  std::size_t visited = 0;
  // Directory symlinks are not followed (the iterator's default), so cycles cannot trap us; the bound keeps a
  // huge folder from costing time or memory.
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (++visited > kMaxIndexedEntries) break;
    std::error_code file_ec;
    if (!it->is_regular_file(file_ec)) continue;
    const fs::path canonical = fs::weakly_canonical(it->path(), file_ec);
    if (file_ec || !inside_folder(canonical)) continue;  // a symlink to a file outside the folder
    index_[lower_ascii(it->path().filename().string())].push_back(canonical);
  }
}

std::optional<fs::path> FolderAccess::find_by_file_name(const std::string& slashed) {
  std::vector<std::string> wanted;
  for (std::size_t start = 0; start <= slashed.size();) {
    const auto end = std::min(slashed.find('/', start), slashed.size());
    if (end > start) wanted.push_back(lower_ascii(std::string_view(slashed).substr(start, end - start)));
    start = end + 1;
  }
  if (wanted.empty() || wanted.back() == "." || wanted.back() == "..") return std::nullopt;
  if (!indexed_) build_index();
  const auto found = index_.find(wanted.back());
  if (found == index_.end()) return std::nullopt;
  const auto& candidates = found->second;
  const auto best = std::min_element(candidates.begin(), candidates.end(), [&](const fs::path& a, const fs::path& b) {
    const int sa = common_suffix(wanted, a), sb = common_suffix(wanted, b);
    if (sa != sb) return sa > sb;
    const auto da = std::distance(a.begin(), a.end()), db = std::distance(b.begin(), b.end());
    return da != db ? da < db : a < b;
  });
  return *best;
}

fs::path FolderAccess::resolve(std::string_view name) {
  const std::string shown = display_name(name);
  if (name.empty()) throw scene::LoadError("(empty file name): not found");
  if (name.find('\0') != std::string_view::npos) throw scene::LoadError(shown + ": invalid file name (NUL byte)");
  if (has_url_scheme(name)) {
    if (url_stand_ins_ && is_web_url(name)) {
      const std::string file = url_file_name(name);
      if (!file.empty()) {
        if (auto found = url_stand_ins_->find_by_file_name(file)) return *found;
      }
      throw scene::LoadError(shown + ": not found (URLs are served from the brush texture folder by file name)");
    }
    throw scene::LoadError(shown + ": URLs are not allowed, only files in the model folder");
  }

  std::string slashed(name);
  std::replace(slashed.begin(), slashed.end(), '\\', '/');
  bool outside = false;
  if (!is_foreign_absolute(slashed)) {
    const fs::path requested(slashed);
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(requested.is_absolute() ? requested : folder_ / requested, ec);
    if (!ec) {
      if (!inside_folder(canonical)) {
        outside = true;
      } else if (fs::is_regular_file(canonical, ec)) {
        return canonical;
      }
    }
  }
  // Safe for any name: the index only holds regular files inside the folder.
  if (auto found = find_by_file_name(slashed)) return *found;
  throw scene::LoadError(shown + (outside ? ": outside the model folder" : ": not found"));
}

std::filesystem::path FolderAccess::resolve_readable(std::string_view name, std::uintmax_t& size) {
  fs::path path = resolve(name);
  std::error_code ec;
  size = fs::file_size(path, ec);
  if (ec) throw scene::LoadError(display_name(name) + ": not found");
  if (size > max_file_bytes_)
    throw scene::LoadError(display_name(name) + ": too large (" + std::to_string(size) + " bytes, limit " +
                           std::to_string(max_file_bytes_) + ")");
  return path;
}

std::vector<std::uint8_t> FolderAccess::read(std::string_view relative_path) {
  std::uintmax_t size = 0;
  const fs::path path = resolve_readable(relative_path, size);
  std::ifstream file(path, std::ios::binary);
  if (!file) throw scene::LoadError(display_name(relative_path) + ": cannot be opened");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  file.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (static_cast<std::uintmax_t>(file.gcount()) != size)
    throw scene::LoadError(display_name(relative_path) + ": read failed");
  return bytes;
}

bool FolderAccess::exists(std::string_view relative_path) {
  try {
    std::uintmax_t size = 0;
    resolve_readable(relative_path, size);
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace thumbgen::platform
