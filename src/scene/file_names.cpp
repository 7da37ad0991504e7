#include "scene/file_names.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "util/ascii.h"
#include "util/percent_encoding.h"

namespace thumbgen::scene {
namespace {

// The name as shown in error messages (a NUL byte would cut the message short).
std::string display_name(std::string_view name) {
  std::string out;
  for (char c : name) out += c == '\0' ? std::string("\\0") : std::string(1, c);
  return out;
}

// Non-empty '/'-separated components, as written.
std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0; start <= path.size();) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// Resolves "." and ".." lexically; false when ".." climbs above the start (a rooted path stays at its root).
bool normalise_components(std::string_view path, bool rooted, std::vector<std::string_view>& parts) {
  for (const std::string_view part : components(path)) {
    if (part == ".") continue;
    if (part != "..") {
      parts.push_back(part);
    } else if (!parts.empty()) {
      parts.pop_back();
    } else if (!rooted) {
      return false;
    }
  }
  return true;
}

std::string join(std::span<const std::string_view> parts) {
  std::string out;
  for (const std::string_view part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

// How many trailing components `candidate` shares with `wanted` (both lower-case).
std::size_t common_suffix(const std::vector<std::string>& wanted, const std::vector<std::string>& candidate) {
  std::size_t n = 0;
  while (n < wanted.size() && n < candidate.size() &&
         wanted[wanted.size() - 1 - n] == candidate[candidate.size() - 1 - n])
    ++n;
  return n;
}

}  // namespace

bool has_url_scheme(std::string_view name) {
  const auto colon = name.find(':');
  if (colon == std::string_view::npos || colon < 2 || !std::isalpha(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
}

bool is_web_url(std::string_view name) {
  return util::iequals_ascii(name.substr(0, 8), "https://") || util::iequals_ascii(name.substr(0, 7), "http://");
}

std::string url_file_name(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  const std::size_t authority = url.find("://");
  if (authority != std::string_view::npos) url.remove_prefix(authority + 3);
  const std::size_t slash = url.rfind('/');
  if (slash == std::string_view::npos) return {};  // only a host
  return std::string(url.substr(slash + 1));
}

std::string uri_to_file_name(std::string_view uri) { return util::percent_decode(uri).value_or(std::string(uri)); }

std::string_view file_name_of(std::string_view path) {
  const std::size_t slash = path.find_last_of("/\\");
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string with_forward_slashes(std::string_view name) {
  std::string slashed(name);
  std::replace(slashed.begin(), slashed.end(), '\\', '/');
  return slashed;
}

bool is_foreign_absolute(std::string_view slashed) {
  const bool drive = slashed.size() >= 2 && std::isalpha(static_cast<unsigned char>(slashed[0])) && slashed[1] == ':' &&
                     (slashed.size() == 2 || slashed[2] == '/');
  return drive || slashed.starts_with("//");
}

std::string file_error(std::string_view name, FileProblem problem) {
  switch (problem) {
    case FileProblem::EmptyName:
      return "(empty file name): not found";
    case FileProblem::NulByte:
      return display_name(name) + ": invalid file name (NUL byte)";
    case FileProblem::Url:
      return display_name(name) + ": URLs are not allowed, only files in the model folder";
    case FileProblem::UrlNotServed:
      return display_name(name) + ": not found (URLs are served from the brush texture folder by file name)";
    case FileProblem::Outside:
      return display_name(name) + ": outside the model folder";
    case FileProblem::NotFound:
      break;
  }
  return display_name(name) + ": not found";
}

std::string file_too_large_error(std::string_view name, std::uint64_t size, std::uint64_t limit) {
  return display_name(name) + ": too large (" + std::to_string(size) + " bytes, limit " + std::to_string(limit) + ")";
}

std::optional<FileProblem> name_problem(std::string_view name) {
  if (name.empty()) return FileProblem::EmptyName;
  if (name.find('\0') != std::string_view::npos) return FileProblem::NulByte;
  if (has_url_scheme(name)) return FileProblem::Url;
  return std::nullopt;
}

ModelPath locate_in_model_folder(std::string_view name, std::string_view folder) {
  const std::string slashed = with_forward_slashes(name);
  if (is_foreign_absolute(slashed)) return {ModelPath::Place::Foreign, slashed};
  std::vector<std::string_view> parts;
  if (!slashed.starts_with('/')) {
    if (!normalise_components(slashed, false, parts)) return {ModelPath::Place::Outside, slashed};
    return {ModelPath::Place::Inside, join(parts)};
  }
  // An absolute name is inside only when it lies under an absolute folder.
  const std::string slashed_folder = with_forward_slashes(folder);
  std::vector<std::string_view> folder_parts;
  if (!slashed_folder.starts_with('/') || !normalise_components(slashed_folder, true, folder_parts) ||
      !normalise_components(slashed, true, parts) || parts.size() < folder_parts.size() ||
      !std::equal(folder_parts.begin(), folder_parts.end(), parts.begin())) {
    return {ModelPath::Place::Outside, slashed};
  }
  return {ModelPath::Place::Inside, join(std::span(parts).subspan(folder_parts.size()))};
}

std::optional<std::size_t> best_by_file_name(std::string_view wanted, std::span<const std::string> candidates) {
  std::vector<std::string> wanted_parts;
  for (const std::string_view part : components(wanted)) wanted_parts.push_back(util::to_lower_ascii(part));
  if (wanted_parts.empty() || wanted_parts.back() == "." || wanted_parts.back() == "..") return std::nullopt;

  struct Rank {
    std::size_t shared = 0;
    std::vector<std::string_view> parts;  // as written, for the last tie-break
  };
  std::optional<std::size_t> best;
  Rank best_rank;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    Rank rank{0, components(candidates[i])};
    if (rank.parts.empty()) continue;
    std::vector<std::string> lowered;
    for (const std::string_view part : rank.parts) lowered.push_back(util::to_lower_ascii(part));
    if (lowered.back() != wanted_parts.back()) continue;
    rank.shared = common_suffix(wanted_parts, lowered);
    const bool better = !best || rank.shared > best_rank.shared ||
                        (rank.shared == best_rank.shared &&
                         (rank.parts.size() < best_rank.parts.size() ||
                          (rank.parts.size() == best_rank.parts.size() &&
                           std::lexicographical_compare(rank.parts.begin(), rank.parts.end(), best_rank.parts.begin(),
                                                        best_rank.parts.end()))));
    if (better) {
      best = i;
      best_rank = std::move(rank);
    }
  }
  return best;
}

}  // namespace thumbgen::scene
