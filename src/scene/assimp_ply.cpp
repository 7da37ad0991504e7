#include "scene/assimp_ply.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

#include "scene/load_error.h"
#include "scene/ply_header.h"

namespace thumbgen::scene {
namespace {

// An N-byte little-endian word (the host's order: x86, wasm; big-endian files are reversed first).
template <std::size_t N>
auto load(const std::uint8_t* raw) {
  using Word = std::conditional_t<N == 2, std::uint16_t, std::conditional_t<N == 4, std::uint32_t, std::uint64_t>>;
  Word word;
  std::memcpy(&word, raw, N);
  return word;
}

template <typename Real>
Real as(const std::uint8_t* raw) {
  Real value;
  std::memcpy(&value, raw, sizeof(value));  // no std::bit_cast in the WebAssembly build's libc++
  return value;
}

// Reads PLY values one at a time from the body, in the file's format.
class PlyValueReader {
 public:
  PlyValueReader(std::span<const std::uint8_t> bytes, std::size_t offset, PlyFormat format)
      : bytes_(bytes), offset_(offset), format_(format) {}

  std::size_t offset() const { return offset_; }

  // The next value of `type` as an integer (a float is truncated).
  std::int64_t integer(std::string_view type) {
    if (format_ == PlyFormat::Ascii) {
      const std::string_view token = next_token();
      std::int64_t value = 0;
      if (std::from_chars(token.data(), token.data() + token.size(), value).ec == std::errc()) return value;
      // A float where an integer belongs (strtod: the WebAssembly build's libc++ has no from_chars for double).
      const std::string copy(token);
      char* end = nullptr;
      const double real = std::strtod(copy.c_str(), &end);
      if (end == copy.c_str() + copy.size()) return static_cast<std::int64_t>(real);
      throw LoadError("PLY: '" + std::string(token) + "' is not a number");
    }
    const std::uint64_t size = binary_size(type);
    std::uint8_t raw[8] = {};
    std::memcpy(raw, bytes_.data() + offset_, size);
    offset_ += size;
    if (format_ == PlyFormat::BinaryBigEndian) std::reverse(raw, raw + size);
    if (type == "float" || type == "float32") return static_cast<std::int64_t>(as<float>(raw));
    if (type == "double" || type == "float64") return static_cast<std::int64_t>(as<double>(raw));
    const std::uint64_t bits = size == 1 ? raw[0] : size == 2 ? load<2>(raw) : load<4>(raw);
    const bool is_signed =
        type == "char" || type == "int8" || type == "short" || type == "int16" || type == "int" || type == "int32";
    if (!is_signed) return static_cast<std::int64_t>(bits);
    const unsigned shift = 64 - 8 * static_cast<unsigned>(size);  // sign-extend from `size` bytes
    return static_cast<std::int64_t>(bits << shift) >> shift;
  }

  void skip(std::string_view type, std::uint64_t count = 1) {
    if (format_ == PlyFormat::Ascii) {
      for (std::uint64_t i = 0; i < count; ++i) next_token();
      return;
    }
    const std::uint64_t size = ply_scalar_size(type);
    if (size == 0) throw LoadError("PLY: unknown property type '" + std::string(type) + "'");
    if (count > (bytes_.size() - offset_) / size) throw cut_short();
    offset_ += count * size;
  }

  void skip_instance(const PlyElement& element) {
    for (const PlyProperty& property : element.properties) {
      if (!property.is_list()) {
        skip(property.type);
        continue;
      }
      const std::int64_t length = integer(property.count_type);
      if (length < 0) throw LoadError("PLY: negative list length in " + element.name);
      skip(property.type, static_cast<std::uint64_t>(length));
    }
  }

 private:
  static LoadError cut_short() { return LoadError("truncated PLY: the data ends before its elements do"); }

  std::uint64_t binary_size(std::string_view type) const {
    const std::uint64_t size = ply_scalar_size(type);
    if (size == 0) throw LoadError("PLY: unknown property type '" + std::string(type) + "'");
    if (size > bytes_.size() - offset_) throw cut_short();
    return size;
  }

  std::string_view next_token() {
    while (offset_ < bytes_.size() && std::isspace(bytes_[offset_])) ++offset_;
    const std::size_t start = offset_;
    while (offset_ < bytes_.size() && !std::isspace(bytes_[offset_])) ++offset_;
    if (start == offset_) throw cut_short();
    return {reinterpret_cast<const char*>(bytes_.data()) + start, offset_ - start};
  }

  std::span<const std::uint8_t> bytes_;
  std::size_t offset_;
  PlyFormat format_;
};

// Appends the triangles of one strip list (-1 restarts). Odd triangles of a strip swap their first two corners so
// that every triangle keeps the strip's winding; degenerate ones (stitches between strips) are dropped.
void add_strip_triangles(const std::vector<std::int64_t>& strip, std::vector<std::uint32_t>& triangles) {
  std::size_t begin = 0;
  while (begin < strip.size()) {
    std::size_t end = begin;
    while (end < strip.size() && strip[end] >= 0) ++end;
    for (std::size_t i = begin; i + 2 < end; ++i) {
      std::int64_t a = strip[i], b = strip[i + 1];
      const std::int64_t c = strip[i + 2];
      if ((i - begin) % 2 == 1) std::swap(a, b);
      if (a == b || b == c || a == c || c > UINT32_MAX || a > UINT32_MAX || b > UINT32_MAX) continue;
      triangles.insert(triangles.end(),
                       {static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(c)});
    }
    begin = end + 1;  // past the -1 (any negative index ends a strip)
  }
}

// The list of a face-like element that holds its corners: "vertex_indices" (or "vertex_index"), else its only list.
std::vector<PlyProperty>::const_iterator corner_list(const PlyElement& element) {
  const auto& properties = element.properties;
  auto list = std::find_if(properties.begin(), properties.end(),
                           [](const PlyProperty& p) { return p.is_list() && p.name.starts_with("vertex_ind"); });
  if (list != properties.end()) return list;
  return std::find_if(properties.begin(), properties.end(), [](const PlyProperty& p) { return p.is_list(); });
}

// Appends one value of `type` in the file's format (ASCII: a token and a space).
void append_value(std::int64_t value, std::string_view type, PlyFormat format, std::vector<std::uint8_t>& out) {
  if (format == PlyFormat::Ascii) {
    const std::string text = std::to_string(value) + ' ';
    out.insert(out.end(), text.begin(), text.end());
    return;
  }
  const std::uint64_t size = ply_scalar_size(type);
  std::uint8_t raw[8] = {};
  if (type == "float" || type == "float32") {
    const auto real = static_cast<float>(value);
    std::memcpy(raw, &real, 4);
  } else if (type == "double" || type == "float64") {
    const auto real = static_cast<double>(value);
    std::memcpy(raw, &real, 8);
  } else {
    const bool is_signed =
        type == "char" || type == "int8" || type == "short" || type == "int16" || type == "int" || type == "int32";
    const std::int64_t low = is_signed ? -(std::int64_t{1} << (8 * size - 1)) : 0;
    const std::int64_t high = is_signed ? (std::int64_t{1} << (8 * size - 1)) - 1 : (std::int64_t{1} << (8 * size)) - 1;
    if (value < low || value > high)
      throw LoadError("PLY: strip index " + std::to_string(value) + " does not fit the faces' " + std::string(type));
    const auto bits = static_cast<std::uint64_t>(value);
    std::memcpy(raw, &bits, size);  // little-endian host: the low bytes
  }
  if (format == PlyFormat::BinaryBigEndian) std::reverse(raw, raw + size);
  out.insert(out.end(), raw, raw + size);
}

// Appends `triangles` as instances of the face element `face`: its corner list holds them, any other property is
// zero (an empty list).
void append_faces(const std::vector<std::uint32_t>& triangles, const PlyElement& face, PlyFormat format,
                  std::vector<std::uint8_t>& out) {
  if (format == PlyFormat::Ascii && !out.empty() && !std::isspace(out.back())) out.push_back('\n');
  const auto corners = corner_list(face);
  for (std::size_t t = 0; t < triangles.size(); t += 3) {
    for (auto property = face.properties.begin(); property != face.properties.end(); ++property) {
      if (property == corners) {
        append_value(3, property->count_type, format, out);
        for (std::size_t k = 0; k < 3; ++k) append_value(triangles[t + k], property->type, format, out);
      } else {
        append_value(0, property->is_list() ? property->count_type : property->type, format, out);
      }
    }
    if (format == PlyFormat::Ascii) out.back() = '\n';
  }
}

}  // namespace

std::vector<std::uint8_t> ply_for_assimp(std::span<const std::uint8_t> bytes) {
  std::vector<std::uint8_t> faces = with_ply_strips_as_faces(bytes);
  std::vector<std::uint8_t> renamed = with_plain_ply_colour_names(faces.empty() ? bytes : faces);
  return renamed.empty() ? faces : renamed;
}

std::vector<std::uint8_t> with_ply_strips_as_faces(std::span<const std::uint8_t> bytes) {
  const std::optional<PlyHeader> header = parse_ply_header(bytes);
  if (!header) return {};
  const auto& elements = header->elements;
  const auto named = [&](std::string_view name) {
    return std::find_if(elements.begin(), elements.end(), [&](const PlyElement& e) { return e.name == name; });
  };
  const auto strips = named("tristrips");
  if (strips == elements.end()) return {};
  const auto faces = named("face");  // scans may hold both: the strips join the faces then
  const bool has_faces = faces != elements.end();
  if (has_faces && corner_list(*faces) == faces->properties.end()) return {};  // faces without corners: left alone
  // Without faces the strips become them, where they stood.
  const PlyElement made{"face", 0, {{"vertex_indices", "int", "uchar"}}, 0, 0};
  const PlyElement& face = has_faces ? *faces : made;

  // Each element's data, as a byte range of the body; the strips read as triangles on the way.
  PlyValueReader reader(bytes, header->body_offset, header->format);
  const std::size_t last = static_cast<std::size_t>(std::max(strips, has_faces ? faces : strips) - elements.begin());
  std::vector<std::pair<std::size_t, std::size_t>> data(last + 1);
  std::vector<std::uint32_t> triangles;
  std::vector<std::int64_t> strip;
  const auto list = corner_list(*strips);
  for (std::size_t e = 0; e <= last; ++e) {
    const PlyElement& element = elements[e];
    data[e].first = reader.offset();
    for (std::uint64_t i = 0; i < element.count; ++i) {
      if (&element != &*strips) {
        reader.skip_instance(element);
        continue;
      }
      for (auto property = element.properties.begin(); property != element.properties.end(); ++property) {
        if (property != list) {
          reader.skip_instance(PlyElement{element.name, 1, {*property}, 0, 0});
          continue;
        }
        const std::int64_t length = reader.integer(property->count_type);
        if (length < 0 || static_cast<std::uint64_t>(length) > bytes.size()) throw LoadError("PLY: bad strip length");
        strip.resize(static_cast<std::size_t>(length));
        for (std::int64_t& index : strip) index = reader.integer(property->type);
        add_strip_triangles(strip, triangles);
      }
    }
    data[e].second = reader.offset();
  }

  const auto copy = [&](std::vector<std::uint8_t>& out, std::size_t from, std::size_t to) {
    out.insert(out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(from),
               bytes.begin() + static_cast<std::ptrdiff_t>(to));
  };
  const std::uint64_t face_count = (has_faces ? face.count : 0) + triangles.size() / 3;
  const std::string face_line = "element face " + std::to_string(face_count) + "\n";
  const std::string made_properties = "property list uchar int vertex_indices\n";

  // The header: the face element's count grows (or a face element takes the strips' place); the strips go.
  std::vector<std::uint8_t> out;
  std::size_t at = 0;
  for (std::size_t e = 0; e <= last; ++e) {
    const PlyElement& element = elements[e];
    copy(out, at, element.header_begin);  // comments and anything else between elements
    at = element.header_end;
    const bool is_strips = &element == &*strips, is_faces = has_faces && &element == &*faces;
    if (is_faces) {
      out.insert(out.end(), face_line.begin(), face_line.end());
      const std::string_view text(reinterpret_cast<const char*>(bytes.data()), element.header_end);
      const std::size_t properties = std::min(text.find('\n', element.header_begin) + 1, element.header_end);
      copy(out, properties, element.header_end);
    } else if (is_strips && !has_faces) {
      out.insert(out.end(), face_line.begin(), face_line.end());
      out.insert(out.end(), made_properties.begin(), made_properties.end());
    } else if (!is_strips) {
      copy(out, element.header_begin, element.header_end);
    }
  }
  copy(out, at, header->body_offset);

  // The body, in the same order: the strips' triangles follow the faces' own (or stand where the strips stood).
  for (std::size_t e = 0; e <= last; ++e) {
    const bool is_strips = &elements[e] == &*strips, is_faces = has_faces && &elements[e] == &*faces;
    if (!is_strips) copy(out, data[e].first, data[e].second);
    if (is_faces || (is_strips && !has_faces)) append_faces(triangles, face, header->format, out);
  }
  copy(out, data[last].second, bytes.size());
  return out;
}

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
