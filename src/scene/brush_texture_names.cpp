#include "scene/brush_texture_names.h"

#include <cctype>

#include "scene/file_names.h"
#include "util/ascii.h"
#include "util/percent_encoding.h"

namespace thumbgen::scene {
namespace {

constexpr std::size_t kGuidLength = 36;
constexpr std::size_t kMaxSegmentLength = 128;
constexpr std::string_view kBrushesFolder = "/shaders/brushes/";

bool is_guid_at(std::string_view text, std::size_t start) {
  if (start + kGuidLength > text.size()) return false;
  for (std::size_t i = 0; i < kGuidLength; ++i) {
    const char c = text[start + i];
    const bool ok =
        (i == 8 || i == 13 || i == 18 || i == 23) ? c == '-' : std::isxdigit(static_cast<unsigned char>(c)) != 0;
    if (!ok) return false;
  }
  return true;
}

bool safe_segment(std::string_view segment) {
  if (segment.empty() || segment.size() > kMaxSegmentLength || segment.front() == '.') return false;
  for (const char c : segment) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '-' || c == '_' || c == '.' ||
                    c == '(' || c == ')';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::optional<BrushTextureFile> parse_brush_texture_file(std::string_view file_name) {
  for (std::size_t dash = file_name.find('-'); dash != std::string_view::npos; dash = file_name.find('-', dash + 1)) {
    if (dash == 0 || !is_guid_at(file_name, dash + 1)) continue;
    BrushTextureFile file;
    file.brush = std::string(file_name.substr(0, dash));
    file.guid = util::to_lower_ascii(file_name.substr(dash + 1, kGuidLength));
    std::string_view rest = file_name.substr(dash + 1 + kGuidLength);  // "-v10.0-MainTex.png"
    if (const std::size_t dot = rest.rfind('.'); dot != std::string_view::npos) rest = rest.substr(0, dot);
    const std::string kind = util::to_lower_ascii(rest.substr(rest.rfind('-') + 1));
    file.kind = kind == "maintex"   ? BrushTextureKind::MainTex
                : kind == "bumpmap" ? BrushTextureKind::BumpMap
                                    : BrushTextureKind::Other;
    return file;
  }
  return std::nullopt;
}

bool is_safe_brush_texture_path(std::string_view path) {
  const std::size_t slash = path.find('/');
  if (slash == std::string_view::npos) return safe_segment(path);
  return safe_segment(path.substr(0, slash)) && safe_segment(path.substr(slash + 1));
}

std::optional<std::string> brush_texture_path(std::string_view url) {
  if (!is_web_url(url)) return std::nullopt;
  url = url.substr(0, url.find_first_of("?#"));
  const std::size_t at = util::to_lower_ascii(url).find(kBrushesFolder);
  if (at == std::string::npos) return std::nullopt;
  const std::optional<std::string> path = util::percent_decode(url.substr(at + kBrushesFolder.size()));
  if (!path || !is_safe_brush_texture_path(*path)) return std::nullopt;
  return path;
}

BrushTextureKind toolkit_texture_kind(std::string_view file_name) {
  const std::string name = util::to_lower_ascii(file_name);
  if (name.find("normal") != std::string::npos || name.find("bump") != std::string::npos)
    return BrushTextureKind::BumpMap;
  if (name.find("gradient") != std::string::npos) return BrushTextureKind::Other;
  return BrushTextureKind::MainTex;
}

}  // namespace thumbgen::scene
