#include "scene/assimp_guards.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <sstream>
#include <string>
#include <string_view>

#include "scene/load_error.h"

namespace thumbgen::scene {
namespace {

// Bytes of one binary PLY scalar, 0 if unknown.
std::uint64_t scalar_size(std::string_view type) {
  if (type == "char" || type == "uchar" || type == "int8" || type == "uint8") return 1;
  if (type == "short" || type == "ushort" || type == "int16" || type == "uint16") return 2;
  if (type == "int" || type == "uint" || type == "float" || type == "int32" || type == "uint32" || type == "float32")
    return 4;
  if (type == "double" || type == "float64") return 8;
  return 0;
}

}  // namespace

void check_ply_header(std::span<const std::uint8_t> bytes, const LoadLimits& limits) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), std::min<size_t>(bytes.size(), 1 << 16));
  if (!text.starts_with("ply")) return;
  const size_t end = text.find("end_header");
  if (end == std::string_view::npos) {
    if (text.size() == bytes.size()) throw LoadError("truncated PLY: header has no end_header");
    throw LoadError("PLY: no end_header in the first 64 KiB");
  }
  const size_t body_start = text.find('\n', end);
  const std::uint64_t body_size = body_start == std::string_view::npos ? 0 : bytes.size() - body_start - 1;

  std::istringstream header{std::string(text.substr(0, end))};
  bool ascii = false;
  std::uint64_t minimum_bytes = 0;  // the least the body must hold for the declared elements
  std::uint64_t count = 0, instance_bytes = 0;
  std::string line;
  auto close_element = [&] {
    const std::uint64_t per = std::max<std::uint64_t>(instance_bytes, 1);
    if (count > (~std::uint64_t{0} - minimum_bytes) / per) throw LoadError("PLY: element count overflows");
    minimum_bytes += count * per;
    count = instance_bytes = 0;
  };
  while (std::getline(header, line)) {
    std::istringstream words(line);
    std::string keyword;
    words >> keyword;
    if (keyword == "format") {
      std::string format;
      words >> format;
      ascii = format == "ascii";
    } else if (keyword == "element") {
      close_element();
      std::string name, number;
      words >> name >> number;
      const auto [ptr, error] = std::from_chars(number.data(), number.data() + number.size(), count);
      if (error != std::errc()) throw LoadError("PLY: bad element count for " + name);
      if (name == "vertex" && count > limits.max_vertices)
        throw LoadError("PLY: " + number + " vertices exceed the limit");
    } else if (keyword == "property") {
      std::string type, count_type;
      words >> type;
      if (type == "list") words >> count_type;  // a list holds at least its count
      // ASCII: at least one digit and a separator per value.
      instance_bytes += ascii ? 2 : std::max<std::uint64_t>(scalar_size(type == "list" ? count_type : type), 1);
    }
  }
  close_element();
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
