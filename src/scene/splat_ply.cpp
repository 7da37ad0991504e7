// 3DGS PLY (the INRIA layout: x y z f_dc_* opacity scale_* rot_*, any f_rest_* ignored) and the PlayCanvas /
// SuperSplat compressed PLY (chunks of 256 splats quantised against per-chunk bounds). Hand-written because no
// Debian PLY reader gives typed access to arbitrary properties without copying everything (assimp drops them);
// only binary_little_endian is accepted, as every splat tool writes.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scene/load_error.h"
#include "scene/splat_common.h"
#include "scene/splat_loader.h"

namespace thumbgen::scene {
namespace {

constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
constexpr std::uint64_t kCompressedChunkSize = 256;

enum class Type : std::uint8_t { I8, U8, I16, U16, I32, U32, F32, F64 };

struct Property {
  std::string name;
  Type type = Type::F32;
  std::size_t offset = 0;
};

struct Element {
  std::string name;
  std::uint64_t count = 0;
  std::vector<Property> properties;
  std::size_t stride = 0;
  bool has_list = false;
  const Property* find(std::string_view property) const {
    for (const Property& p : properties) {
      if (p.name == property) return &p;
    }
    return nullptr;
  }
};

struct Header {
  bool binary_little_endian = false;
  std::string format;
  std::vector<Element> elements;
  std::size_t data_offset = 0;  // first byte after end_header
  const Element* find(std::string_view name) const {
    for (const Element& e : elements) {
      if (e.name == name) return &e;
    }
    return nullptr;
  }
};

std::optional<Type> parse_type(std::string_view t) {
  if (t == "char" || t == "int8") return Type::I8;
  if (t == "uchar" || t == "uint8") return Type::U8;
  if (t == "short" || t == "int16") return Type::I16;
  if (t == "ushort" || t == "uint16") return Type::U16;
  if (t == "int" || t == "int32") return Type::I32;
  if (t == "uint" || t == "uint32") return Type::U32;
  if (t == "float" || t == "float32") return Type::F32;
  if (t == "double" || t == "float64") return Type::F64;
  return std::nullopt;
}

std::size_t type_size(Type t) {
  switch (t) {
    case Type::I8:
    case Type::U8:
      return 1;
    case Type::I16:
    case Type::U16:
      return 2;
    case Type::I32:
    case Type::U32:
    case Type::F32:
      return 4;
    case Type::F64:
      return 8;
  }
  return 4;
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

// Parses as much of the header as `bytes` holds. `complete` says whether end_header was seen.
Header parse_header(std::span<const std::uint8_t> bytes, bool& complete) {
  Header header;
  complete = false;
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), std::min(bytes.size(), kMaxHeaderBytes));
  if (text.substr(0, 3) != "ply") throw LoadError("not a PLY file");
  std::size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    const std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) break;  // header cut off
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    const auto words = split_words(line);
    if (first) {
      first = false;
      if (words.size() != 1 || words[0] != "ply") throw LoadError("not a PLY file");
      continue;
    }
    if (words.empty() || words[0] == "comment" || words[0] == "obj_info") continue;
    if (words[0] == "end_header") {
      header.data_offset = pos;
      complete = true;
      return header;
    }
    if (words[0] == "format" && words.size() >= 2) {
      header.format = std::string(words[1]);
      header.binary_little_endian = words[1] == "binary_little_endian";
    } else if (words[0] == "element" && words.size() == 3) {
      Element element;
      element.name = std::string(words[1]);
      const auto [ptr, ec] = std::from_chars(words[2].data(), words[2].data() + words[2].size(), element.count);
      if (ec != std::errc() || ptr != words[2].data() + words[2].size()) {
        throw LoadError("bad PLY header: element count '" + std::string(words[2]) + "'");
      }
      header.elements.push_back(std::move(element));
    } else if (words[0] == "property" && words.size() >= 3) {
      if (header.elements.empty()) throw LoadError("bad PLY header: property before any element");
      Element& element = header.elements.back();
      if (words[1] == "list") {
        element.has_list = true;
        continue;
      }
      const auto type = parse_type(words[1]);
      if (!type) throw LoadError("bad PLY header: unknown property type '" + std::string(words[1]) + "'");
      element.properties.push_back({std::string(words[2]), *type, element.stride});
      element.stride += type_size(*type);
    } else {
      throw LoadError("bad PLY header: unexpected line '" + std::string(line.substr(0, 40)) + "'");
    }
  }
  if (bytes.size() >= kMaxHeaderBytes) throw LoadError("bad PLY header: no end_header in the first 64 KB");
  return header;
}

bool has_properties(const Element* e, std::initializer_list<const char*> names) {
  if (!e) return false;
  return std::all_of(names.begin(), names.end(), [&](const char* n) { return e->find(n) != nullptr; });
}

bool is_3dgs(const Header& h) {
  return has_properties(h.find("vertex"), {"x", "y", "z", "f_dc_0", "f_dc_1", "f_dc_2", "opacity", "scale_0", "scale_1",
                                           "scale_2", "rot_0", "rot_1", "rot_2", "rot_3"});
}

bool is_compressed(const Header& h) {
  return has_properties(h.find("chunk"), {"min_x", "min_y", "min_z", "max_x", "max_y", "max_z", "min_scale_x",
                                          "min_scale_y", "min_scale_z", "max_scale_x", "max_scale_y", "max_scale_z"}) &&
         has_properties(h.find("vertex"), {"packed_position", "packed_rotation", "packed_scale", "packed_color"});
}

float read_as_float(const std::uint8_t* p, Type type) {
  switch (type) {
    case Type::I8:
      return static_cast<float>(static_cast<std::int8_t>(*p));
    case Type::U8:
      return static_cast<float>(*p);
    case Type::I16: {
      std::int16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case Type::U16: {
      std::uint16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case Type::I32: {
      std::int32_t v;
      std::memcpy(&v, p, 4);
      return static_cast<float>(v);
    }
    case Type::U32: {
      std::uint32_t v;
      std::memcpy(&v, p, 4);
      return static_cast<float>(v);
    }
    case Type::F32: {
      float v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case Type::F64: {
      double v;
      std::memcpy(&v, p, 8);
      return static_cast<float>(v);
    }
  }
  return 0.0f;
}

// Where each element's rows start; throws when the file is shorter than the header promises.
std::vector<const std::uint8_t*> locate_elements(const Header& header, std::span<const std::uint8_t> bytes) {
  std::vector<const std::uint8_t*> starts;
  std::uint64_t offset = header.data_offset;
  for (const Element& element : header.elements) {
    if (element.has_list) {
      throw LoadError("unsupported splat PLY: element '" + element.name + "' has a list property");
    }
    // Division, not multiplication: a header claiming 2^60 rows must not overflow the size computation.
    const std::uint64_t available = bytes.size() - offset;
    if (element.stride > 0 && element.count > available / element.stride) {
      throw LoadError("truncated PLY: element '" + element.name + "' has " + std::to_string(element.count) +
                      " rows of " + std::to_string(element.stride) + " bytes but only " + std::to_string(available) +
                      " bytes follow");
    }
    const std::uint64_t size = element.count * element.stride;
    starts.push_back(bytes.data() + offset);
    offset += size;
  }
  return starts;
}

// Reads named properties of one element row by row as floats.
class RowReader {
 public:
  RowReader(const Element& element, const std::uint8_t* data, std::initializer_list<const char*> names)
      : element_(element), data_(data) {
    for (const char* name : names) properties_.push_back(element.find(name));
  }
  // Fills `out` (one value per requested name) for row `row`.
  template <std::size_t N>
  void read(std::uint64_t row, std::array<float, N>& out) const {
    const std::uint8_t* base = data_ + row * element_.stride;
    for (std::size_t i = 0; i < N; ++i) out[i] = read_as_float(base + properties_[i]->offset, properties_[i]->type);
  }
  std::uint32_t read_u32(std::uint64_t row, std::size_t i) const {
    const Property* p = properties_[i];
    std::uint32_t v;
    std::memcpy(&v, data_ + row * element_.stride + p->offset, 4);
    return v;
  }

 private:
  const Element& element_;
  const std::uint8_t* data_;
  std::vector<const Property*> properties_;
};

SplatCloud load_3dgs(const Header& header, const std::vector<const std::uint8_t*>& starts, std::size_t vertex_index) {
  const Element& vertex = header.elements[vertex_index];
  const RowReader reader(vertex, starts[vertex_index],
                         {"x", "y", "z", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3", "f_dc_0",
                          "f_dc_1", "f_dc_2", "opacity"});
  splat::CloudBuilder builder(vertex.count, splat::Axes::RightDownForward, "3DGS PLY");
  std::array<float, 14> v{};
  for (std::uint64_t i = 0; i < vertex.count; ++i) {
    reader.read(i, v);
    builder.add({v[0], v[1], v[2]}, glm::exp(glm::vec3(v[3], v[4], v[5])), glm::quat(v[6], v[7], v[8], v[9]),
                splat::dc_to_display_rgb({v[10], v[11], v[12]}), splat::sigmoid(v[13]));
  }
  return builder.finish();
}

float unorm(std::uint32_t value, int bits) {
  const std::uint32_t max = (1u << bits) - 1u;
  return static_cast<float>(value & max) / static_cast<float>(max);
}

glm::vec3 unpack_11_10_11(std::uint32_t v) { return {unorm(v >> 21, 11), unorm(v >> 11, 10), unorm(v, 11)}; }

// 2 bits: which of (w, x, y, z) was largest and dropped; three 10-bit values for the others in order.
glm::quat unpack_rotation(std::uint32_t v) {
  const float norm = std::sqrt(2.0f);  // components lie in ±1/√2
  const float a = (unorm(v >> 20, 10) - 0.5f) * norm;
  const float b = (unorm(v >> 10, 10) - 0.5f) * norm;
  const float c = (unorm(v, 10) - 0.5f) * norm;
  const float m = std::sqrt(std::max(0.0f, 1.0f - (a * a + b * b + c * c)));
  switch (v >> 30) {
    case 0:
      return glm::quat(m, a, b, c);
    case 1:
      return glm::quat(a, m, b, c);
    case 2:
      return glm::quat(a, b, m, c);
    default:
      return glm::quat(a, b, c, m);
  }
}

SplatCloud load_compressed(const Header& header, const std::vector<const std::uint8_t*>& starts) {
  std::size_t chunk_index = 0, vertex_index = 0;
  for (std::size_t i = 0; i < header.elements.size(); ++i) {
    if (header.elements[i].name == "chunk") chunk_index = i;
    if (header.elements[i].name == "vertex") vertex_index = i;
  }
  const Element& chunk = header.elements[chunk_index];
  const Element& vertex = header.elements[vertex_index];
  for (const char* name : {"packed_position", "packed_rotation", "packed_scale", "packed_color"}) {
    if (vertex.find(name)->type != Type::U32 && vertex.find(name)->type != Type::I32) {
      throw LoadError(std::string("compressed PLY: ") + name + " is not a 32-bit integer");
    }
  }
  if (chunk.count != (vertex.count + kCompressedChunkSize - 1) / kCompressedChunkSize) {
    throw LoadError("compressed PLY: " + std::to_string(chunk.count) + " chunks do not cover " +
                    std::to_string(vertex.count) + " splats");
  }
  const RowReader chunks(chunk, starts[chunk_index],
                         {"min_x", "min_y", "min_z", "max_x", "max_y", "max_z", "min_scale_x", "min_scale_y",
                          "min_scale_z", "max_scale_x", "max_scale_y", "max_scale_z"});
  // Newer files quantise colour against per-chunk ranges; older ones store it directly.
  const bool chunk_colors = has_properties(&chunk, {"min_r", "min_g", "min_b", "max_r", "max_g", "max_b"});
  const RowReader chunk_color_reader(
      chunk, starts[chunk_index],
      chunk_colors ? std::initializer_list<const char*>{"min_r", "min_g", "min_b", "max_r", "max_g", "max_b"}
                   : std::initializer_list<const char*>{});
  const RowReader packed(vertex, starts[vertex_index],
                         {"packed_position", "packed_rotation", "packed_scale", "packed_color"});

  splat::CloudBuilder builder(vertex.count, splat::Axes::RightDownForward, "compressed PLY");
  std::array<float, 12> bounds{};
  std::array<float, 6> color_range{0, 0, 0, 1, 1, 1};
  for (std::uint64_t i = 0; i < vertex.count; ++i) {
    if (i % kCompressedChunkSize == 0) {
      chunks.read(i / kCompressedChunkSize, bounds);
      if (chunk_colors) chunk_color_reader.read(i / kCompressedChunkSize, color_range);
    }
    const glm::vec3 p = unpack_11_10_11(packed.read_u32(i, 0));
    const glm::vec3 s = unpack_11_10_11(packed.read_u32(i, 2));
    const std::uint32_t c = packed.read_u32(i, 3);
    const glm::vec3 position =
        glm::mix(glm::vec3(bounds[0], bounds[1], bounds[2]), glm::vec3(bounds[3], bounds[4], bounds[5]), p);
    const glm::vec3 log_scale =
        glm::mix(glm::vec3(bounds[6], bounds[7], bounds[8]), glm::vec3(bounds[9], bounds[10], bounds[11]), s);
    const glm::vec3 display = glm::mix(glm::vec3(color_range[0], color_range[1], color_range[2]),
                                       glm::vec3(color_range[3], color_range[4], color_range[5]),
                                       glm::vec3(unorm(c >> 24, 8), unorm(c >> 16, 8), unorm(c >> 8, 8)));
    builder.add(position, glm::exp(log_scale), unpack_rotation(packed.read_u32(i, 1)),
                glm::clamp(display, glm::vec3(0.0f), glm::vec3(1.0f)), unorm(c, 8));
  }
  return builder.finish();
}

}  // namespace

bool is_splat_ply(std::span<const std::uint8_t> head) {
  try {
    bool complete = false;
    const Header header = parse_header(head, complete);
    return is_3dgs(header) || is_compressed(header);
  } catch (const LoadError&) {
    return false;
  }
}

SplatCloud load_splat_ply(std::span<const std::uint8_t> bytes, const LoadLimits& limits) {
  bool complete = false;
  const Header header = parse_header(bytes, complete);
  if (!complete) throw LoadError("truncated PLY: header has no end_header");
  const bool compressed = is_compressed(header);
  if (!compressed && !is_3dgs(header)) throw LoadError("PLY has no Gaussian splat properties");
  if (!header.binary_little_endian) throw LoadError("unsupported splat PLY format '" + header.format + "'");
  const Element* vertex = header.find("vertex");
  splat::check_splat_count(vertex->count, limits, compressed ? "compressed PLY" : "3DGS PLY");
  const auto starts = locate_elements(header, bytes);
  if (compressed) return load_compressed(header, starts);
  return load_3dgs(header, starts, static_cast<std::size_t>(vertex - header.elements.data()));
}

}  // namespace thumbgen::scene
