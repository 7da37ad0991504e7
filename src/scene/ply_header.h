// The header of a PLY file (format, elements, properties), read once for the PLY checks and repairs that run
// before assimp sees the file.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace thumbgen::scene {

enum class PlyFormat { Ascii, BinaryLittleEndian, BinaryBigEndian };

struct PlyProperty {
  std::string name;
  std::string type;        // the value type ("float", "int", ...); for a list, the type of its items
  std::string count_type;  // empty for a scalar; for a list, the type of its length
  bool is_list() const { return !count_type.empty(); }
};

struct PlyElement {
  std::string name;
  std::uint64_t count = 0;
  std::vector<PlyProperty> properties;
  std::size_t header_begin = 0, header_end = 0;  // its "element" and "property" lines, as a byte range of the file
};

struct PlyHeader {
  PlyFormat format = PlyFormat::Ascii;
  std::vector<PlyElement> elements;
  std::size_t body_offset = 0;  // the first byte after the "end_header" line
};

// nullopt when the bytes are not a PLY. Throws LoadError for a header that has no end_header ("truncated PLY: ...",
// or none within the first 64 KiB) or an element count that is not a number.
std::optional<PlyHeader> parse_ply_header(std::span<const std::uint8_t> bytes);

// Bytes of one binary PLY scalar of `type`, 0 when the type is unknown.
std::uint64_t ply_scalar_size(std::string_view type);

}  // namespace thumbgen::scene
