#include "scene/ply_header.h"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "scene/load_error.h"

namespace thumbgen::scene {

std::uint64_t ply_scalar_size(std::string_view type) {
  if (type == "char" || type == "uchar" || type == "int8" || type == "uint8") return 1;
  if (type == "short" || type == "ushort" || type == "int16" || type == "uint16") return 2;
  if (type == "int" || type == "uint" || type == "float" || type == "int32" || type == "uint32" || type == "float32")
    return 4;
  if (type == "double" || type == "float64") return 8;
  return 0;
}

std::optional<PlyHeader> parse_ply_header(std::span<const std::uint8_t> bytes) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), std::min<size_t>(bytes.size(), 1 << 16));
  if (!text.starts_with("ply")) return std::nullopt;
  const size_t end = text.find("end_header");
  if (end == std::string_view::npos) {
    if (text.size() == bytes.size()) throw LoadError("truncated PLY: header has no end_header");
    throw LoadError("PLY: no end_header in the first 64 KiB");
  }
  PlyHeader header;
  const size_t newline = text.find('\n', end);
  header.body_offset = newline == std::string_view::npos ? bytes.size() : newline + 1;

  for (size_t start = 0; start < end;) {
    const size_t stop = std::min(text.find('\n', start), end);
    std::istringstream words{std::string(text.substr(start, stop - start))};
    std::string keyword;
    words >> keyword;
    if (keyword == "format") {
      std::string format;
      words >> format;
      header.format = format == "binary_little_endian" ? PlyFormat::BinaryLittleEndian
                      : format == "binary_big_endian"  ? PlyFormat::BinaryBigEndian
                                                       : PlyFormat::Ascii;
    } else if (keyword == "element") {
      PlyElement element;
      std::string number;
      words >> element.name >> number;
      const auto [ptr, error] = std::from_chars(number.data(), number.data() + number.size(), element.count);
      if (error != std::errc()) throw LoadError("PLY: bad element count for " + element.name);
      element.header_begin = start;
      header.elements.push_back(std::move(element));
    } else if (keyword == "property" && !header.elements.empty()) {
      PlyProperty property;
      words >> property.type;
      if (property.type == "list") words >> property.count_type >> property.type;
      words >> property.name;
      header.elements.back().properties.push_back(std::move(property));
    }
    if (!header.elements.empty() && (keyword == "element" || keyword == "property"))
      header.elements.back().header_end = std::min(stop + 1, end);
    start = stop + 1;
  }
  return header;
}

}  // namespace thumbgen::scene
