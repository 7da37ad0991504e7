#include "scene/assimp_guards.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <string_view>

#include "scene/load_error.h"
#include "scene/ply_header.h"

namespace thumbgen::scene {

void check_ply_header(std::span<const std::uint8_t> bytes, const LoadLimits& limits) {
  const std::optional<PlyHeader> header = parse_ply_header(bytes);
  if (!header) return;
  const std::uint64_t body_size = bytes.size() - header->body_offset;
  const bool ascii = header->format == PlyFormat::Ascii;
  std::uint64_t minimum_bytes = 0;  // the least the body must hold for the declared elements
  for (const PlyElement& element : header->elements) {
    if (element.name == "vertex" && element.count > limits.max_vertices)
      throw LoadError("PLY: " + std::to_string(element.count) + " vertices exceed the limit");
    std::uint64_t instance_bytes = 0;
    for (const PlyProperty& property : element.properties) {
      // ASCII: at least one digit and a separator per value; a list holds at least its count.
      instance_bytes +=
          ascii ? 2
                : std::max<std::uint64_t>(ply_scalar_size(property.is_list() ? property.count_type : property.type), 1);
    }
    const std::uint64_t per = std::max<std::uint64_t>(instance_bytes, 1);
    if (element.count > (~std::uint64_t{0} - minimum_bytes) / per) throw LoadError("PLY: element count overflows");
    minimum_bytes += element.count * per;
  }
  if (ascii && minimum_bytes > 0) --minimum_bytes;  // the last value may lack its newline
  if (minimum_bytes > body_size) throw LoadError("truncated PLY: the header declares more data than the file holds");
}

std::size_t binary_stl_bytes(std::span<const std::uint8_t> bytes) {
  // ASCII as assimp decides it: "solid" after leading spaces, and no byte above 127 in the first 500 (binary files
  // often start their header with "solid" too).
  std::size_t first = 0;
  while (first < bytes.size() && std::isspace(bytes[first])) ++first;
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()) + first, bytes.size() - first);
  const bool ascii =
      text.starts_with("solid") && std::none_of(text.begin(), text.begin() + std::min<std::size_t>(text.size(), 500),
                                                [](char c) { return static_cast<unsigned char>(c) > 127; });
  if (ascii) return bytes.size();
  if (bytes.size() < 84)
    throw LoadError("truncated STL: " + std::to_string(bytes.size()) + " bytes, no triangle count");
  std::uint32_t triangles = 0;
  std::memcpy(&triangles, bytes.data() + 80, 4);  // little-endian, as STL is
  const std::uint64_t expected = 84 + 50 * std::uint64_t{triangles};
  if (bytes.size() < expected) {
    throw LoadError("truncated STL: the header declares " + std::to_string(triangles) + " triangles (" +
                    std::to_string(expected) + " bytes), the file has " + std::to_string(bytes.size()));
  }
  return static_cast<std::size_t>(expected);
}

}  // namespace thumbgen::scene
