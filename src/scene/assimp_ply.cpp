#include "scene/assimp_ply.h"

#include <algorithm>
#include <sstream>
#include <string>
#include <string_view>

namespace thumbgen::scene {

std::vector<std::uint8_t> with_plain_ply_colour_names(std::span<const std::uint8_t> bytes) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), std::min<size_t>(bytes.size(), 1 << 16));
  if (!text.starts_with("ply")) return {};
  const size_t end = text.find("end_header");
  if (end == std::string_view::npos) return {};

  // Rewrite the header line by line; only properties of the vertex element change.
  std::istringstream lines{std::string(text.substr(0, end))};
  std::string header, line;
  bool in_vertex = false, has_plain = false, renamed = false;
  std::string vertex_block;
  while (std::getline(lines, line)) {
    std::string keyword;
    std::istringstream(line) >> keyword;
    if (keyword == "element") in_vertex = line.starts_with("element vertex ");
    if (in_vertex && keyword == "property") {
      for (const char* plain : {" red", " green", " blue", " alpha"}) {
        if (line.ends_with(plain)) has_plain = true;  // " diffuse_red" does not end in " red"
      }
      const size_t at = line.rfind(" diffuse_");
      if (at != std::string::npos) {
        const std::string channel = line.substr(at + 9);
        if (channel == "red" || channel == "green" || channel == "blue" || channel == "alpha") {
          line = line.substr(0, at + 1) + channel;
          renamed = true;
        }
      }
    }
    header += line;
    header += '\n';
  }
  if (!renamed || has_plain) return {};
  std::vector<std::uint8_t> patched(header.begin(), header.end());
  patched.insert(patched.end(), bytes.begin() + static_cast<std::ptrdiff_t>(end), bytes.end());
  return patched;
}

}  // namespace thumbgen::scene
