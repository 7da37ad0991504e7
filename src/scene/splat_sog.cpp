// PlayCanvas SOG ("spatially ordered Gaussians", npm @playcanvas/splat-transform writes and reads it): meta.json plus
// lossless WebP planes, zipped as a .sog or side by side in a folder. Splat i is pixel i (row-major) of every plane:
//   means_l/means_u  low/high bytes of 16-bit x, y, z between means.mins/maxs of sign(v)·ln(|v|+1)
//   quats            three components scaled by √2 into bytes + alpha 252..255 naming the largest (w, x, y, z order)
//   scales           log scales: version 2 indexes a 256-entry codebook, version 1 (no "version") lerps mins/maxs
//   sh0              f_dc colour (codebook / lerp as scales) + opacity: sigmoid byte (v2) or logit lerp (v1)
// Higher-order SH (shN) are not needed for a thumbnail. Values are in the PLY's axes (the writer converts to them).
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "scene/bounded_json.h"
#include "scene/load_error.h"
#include "scene/splat_common.h"
#include "scene/splat_loader.h"
#include "scene/zip_archive.h"
#include "util/ascii.h"

namespace thumbgen::scene {
namespace {

using nlohmann::json;

constexpr std::uint64_t kMaxMetaBytes = 16 << 20;  // codebooks are 256 numbers each: real files have a few KB
constexpr int kMaxMetaDepth = 32;                  // real meta.json nests three levels
constexpr int kFullSize = 16384;                   // larger than any WebP (16383): never downscaled
// Pixels a plane may have beyond twice the splat count: writers round the plane up to a multiple of 4 each way
// (splat-transform: width ⌈√n / 4⌉·4, height ⌈n / width / 4⌉·4), a few rows more at most.
constexpr std::uint64_t kSlackPixels = 1 << 20;

struct PlaneSize {
  std::uint32_t width = 0, height = 0;
};

// The canvas size a WebP's header declares (lossless "VP8L", lossy "VP8 ", extended "VP8X"), read before decoding:
// a lossless WebP of one colour is a few hundred bytes at any size up to 16383². nullopt: not a WebP header.
std::optional<PlaneSize> webp_canvas_size(std::span<const std::uint8_t> b) {
  if (b.size() < 30 || std::memcmp(b.data(), "RIFF", 4) != 0 || std::memcmp(b.data() + 8, "WEBP", 4) != 0)
    return std::nullopt;
  const std::uint8_t* chunk = b.data() + 12;  // fourcc, uint32 size, payload
  const std::uint8_t* p = chunk + 8;
  if (std::memcmp(chunk, "VP8L", 4) == 0 && p[0] == 0x2f) {
    const std::uint32_t bits = p[1] | p[2] << 8 | p[3] << 16 | std::uint32_t(p[4]) << 24;
    return PlaneSize{(bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1};
  }
  if (std::memcmp(chunk, "VP8X", 4) == 0)
    return PlaneSize{1 + (p[4] | p[5] << 8 | std::uint32_t(p[6]) << 16),
                     1 + (p[7] | p[8] << 8 | std::uint32_t(p[9]) << 16)};
  if (std::memcmp(chunk, "VP8 ", 4) == 0 && p[3] == 0x9d && p[4] == 0x01 && p[5] == 0x2a)
    return PlaneSize{std::uint32_t(p[6] | p[7] << 8) & 0x3fff, std::uint32_t(p[8] | p[9] << 8) & 0x3fff};
  return std::nullopt;
}

bool contains(std::span<const std::uint8_t> bytes, std::string_view text) {
  return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()).find(text) !=
         std::string_view::npos;
}

// The planes of one SOG, from its zip or from the folder its meta.json sits in.
class Source {
 public:
  Source(const std::string& main_file, std::span<const std::uint8_t> bytes, FileAccess& files, ImageDecoder& images,
         const LoadLimits& limits)
      : files_(files), images_(images), limits_(limits) {
    std::vector<std::uint8_t> meta_bytes;
    if (bytes.size() >= 4 && contains(bytes.first(4), "PK\x03\x04")) {
      zip_.emplace(bytes, main_file);
      meta_bytes = zip_->read("meta.json", kMaxMetaBytes);
    } else {
      if (bytes.size() > kMaxMetaBytes) throw LoadError("SOG: meta.json is larger than 16 MiB");
      meta_bytes.assign(bytes.begin(), bytes.end());
    }
    BoundedJson parsed =
        parse_bounded_json({reinterpret_cast<const char*>(meta_bytes.data()), meta_bytes.size()}, kMaxMetaDepth);
    if (parsed.too_deep)
      throw LoadError("SOG: meta.json nests deeper than " + std::to_string(kMaxMetaDepth) + " levels");
    meta_ = std::move(parsed.document);
    if (meta_.is_discarded() || !meta_.is_object()) throw LoadError("SOG: meta.json is not a JSON object");
  }

  const json& meta() const { return meta_; }

  // The plane named by `section`.files[index], decoded to exact RGBA with at least `count` pixels.
  Image plane(const char* section, std::size_t index, std::size_t count) {
    const std::string name = file_name(section, index);
    std::vector<std::uint8_t> encoded;
    Image image;
    try {
      encoded = zip_ ? zip_->read(name, limits_.max_file_bytes) : files_.read(name);
      const std::optional<PlaneSize> size = webp_canvas_size(encoded);
      if (!size) throw LoadError("not a WebP image");
      if (std::uint64_t(size->width) * size->height > 2 * std::uint64_t(count) + kSlackPixels) {
        throw LoadError(std::to_string(size->width) + "x" + std::to_string(size->height) + " pixels, far more than " +
                        std::to_string(count) + " splats need");
      }
      image = images_.decode(encoded, kFullSize);
    } catch (const LoadError& e) {
      throw LoadError("SOG: " + name + ": " + e.what());
    }
    if (static_cast<std::uint64_t>(image.width) * static_cast<std::uint64_t>(image.height) < count) {
      throw LoadError("SOG: " + name + " is " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                      ", too small for " + std::to_string(count) + " splats");
    }
    return image;
  }

 private:
  std::string file_name(const char* section, std::size_t index) const {
    const auto found = meta_.find(section);
    if (found != meta_.end() && found->is_object()) {
      const auto files = found->find("files");
      if (files != found->end() && files->is_array() && files->size() > index && (*files)[index].is_string()) {
        return (*files)[index].get<std::string>();
      }
    }
    throw LoadError(std::string("SOG: meta.json names no ") + section + " file " + std::to_string(index));
  }

  FileAccess& files_;
  ImageDecoder& images_;
  const LoadLimits& limits_;
  std::optional<ZipArchive> zip_;
  json meta_;
};

const json& member(const json& object, const char* key, const char* where) {
  const auto found = object.find(key);
  if (found == object.end()) throw LoadError(std::string("SOG: meta.json has no ") + where + "." + key);
  return *found;
}

// `section`.`key` as exactly `n` numbers (n = 0: any non-zero count).
std::vector<float> numbers(const json& meta, const char* section, const char* key, std::size_t n) {
  const json& array = member(member(meta, section, "meta"), key, section);
  if (!array.is_array() || (n ? array.size() != n : array.empty())) {
    throw LoadError(std::string("SOG: ") + section + "." + key + " is not an array of " +
                    (n ? std::to_string(n) + " numbers" : std::string("numbers")));
  }
  std::vector<float> values;
  for (const json& v : array) {
    if (!v.is_number()) throw LoadError(std::string("SOG: ") + section + "." + key + " holds a non-number");
    values.push_back(v.get<float>());
  }
  return values;
}

std::uint64_t splat_count(const json& meta, int version) {
  const json& count =
      version == 2 ? member(meta, "count", "meta") : member(member(meta, "means", "meta"), "shape", "means");
  const json& value = version == 2 ? count : (count.is_array() && !count.empty() ? count[0] : count);
  if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
    throw LoadError("SOG: the splat count in meta.json is not a non-negative integer");
  }
  return value.get<std::uint64_t>();
}

// Inverse of the writer's sign(v)·ln(|v| + 1).
float inverse_log(float v) {
  const float e = std::exp(std::fabs(v)) - 1.0f;
  return v < 0.0f ? -e : e;
}

glm::quat unpack_quat(const std::uint8_t* p) {
  const int largest = p[3] - 252;
  if (largest < 0 || largest > 3) return glm::quat(1.0f, 0.0f, 0.0f, 0.0f);  // as the reference reader
  float q[4];                                                                // w, x, y, z
  float sum = 0.0f;
  for (int i = 0, k = 0; i < 4; ++i) {
    if (i == largest) continue;
    q[i] = (p[k++] / 255.0f * 2.0f - 1.0f) / std::sqrt(2.0f);
    sum += q[i] * q[i];
  }
  q[largest] = std::sqrt(std::max(0.0f, 1.0f - sum));
  return glm::quat(q[0], q[1], q[2], q[3]);
}

// A byte → value table: version 2's codebook (missing entries NaN: those splats are dropped), version 1's lerp.
using Table = std::array<float, 256>;
Table codebook_table(const std::vector<float>& codebook) {
  Table t;
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = i < codebook.size() ? codebook[i] : NAN;
  return t;
}
Table lerp_table(float lo, float hi) {
  Table t;
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = lo + (hi - lo) * static_cast<float>(i) / 255.0f;
  return t;
}

}  // namespace

bool is_sog_zip_head(std::span<const std::uint8_t> head) {
  for (const char* name : {"means_l.webp", "means_u.webp", "quats.webp", "scales.webp", "sh0.webp"}) {
    if (contains(head, name)) return true;
  }
  return false;
}

bool is_sog_meta(std::string_view file_name, std::span<const std::uint8_t> head) {
  const std::string lower = util::to_lower_ascii(file_name.substr(file_name.find_last_of("/\\") + 1));
  if (lower != "meta.json") return false;  // not lod-meta.json (streamed LOD sets): another layout
  return contains(head, "\"means\"");
}

SplatCloud load_sog(const std::string& main_file, std::span<const std::uint8_t> bytes, FileAccess& files,
                    ImageDecoder& images, const LoadLimits& limits) {
  Source source(main_file, bytes, files, images, limits);
  const json& meta = source.meta();
  int version = 1;
  if (const auto v = meta.find("version"); v != meta.end()) {
    if (!v->is_number_integer() || v->get<int>() != 2)
      throw LoadError("SOG: unsupported meta.json version " + v->dump());
    version = 2;
  }
  const std::uint64_t count = splat_count(meta, version);
  splat::check_splat_count(count, limits, "SOG");
  if (count == 0) throw LoadError("SOG: file contains no splats");
  const auto n = static_cast<std::size_t>(count);

  const std::vector<float> mins = numbers(meta, "means", "mins", 3);
  const std::vector<float> maxs = numbers(meta, "means", "maxs", 3);
  Table scale_x, scale_y, scale_z, color_r, color_g, color_b, opacity;
  if (version == 2) {
    scale_x = scale_y = scale_z = codebook_table(numbers(meta, "scales", "codebook", 0));
    color_r = color_g = color_b = codebook_table(numbers(meta, "sh0", "codebook", 0));
    for (std::size_t i = 0; i < opacity.size(); ++i) opacity[i] = static_cast<float>(i) / 255.0f;
  } else {
    const auto s_min = numbers(meta, "scales", "mins", 3), s_max = numbers(meta, "scales", "maxs", 3);
    const auto c_min = numbers(meta, "sh0", "mins", 4), c_max = numbers(meta, "sh0", "maxs", 4);
    scale_x = lerp_table(s_min[0], s_max[0]);
    scale_y = lerp_table(s_min[1], s_max[1]);
    scale_z = lerp_table(s_min[2], s_max[2]);
    color_r = lerp_table(c_min[0], c_max[0]);
    color_g = lerp_table(c_min[1], c_max[1]);
    color_b = lerp_table(c_min[2], c_max[2]);
    opacity = lerp_table(c_min[3], c_max[3]);
    for (float& o : opacity) o = splat::sigmoid(o);  // version 1 stores the logit
  }

  const Image means_l = source.plane("means", 0, n);
  const Image means_u = source.plane("means", 1, n);
  const Image quats = source.plane("quats", 0, n);
  const Image scales = source.plane("scales", 0, n);
  const Image sh0 = source.plane("sh0", 0, n);

  splat::CloudBuilder builder(n, splat::Axes::RightDownForward, "SOG");
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* lo = &means_l.rgba[i * 4];
    const std::uint8_t* hi = &means_u.rgba[i * 4];
    glm::vec3 position;
    for (int k = 0; k < 3; ++k) {
      const float range = maxs[k] - mins[k] != 0.0f ? maxs[k] - mins[k] : 1.0f;  // as the reference reader
      const float t = static_cast<float>(lo[k] | (hi[k] << 8)) / 65535.0f;
      position[k] = inverse_log(mins[k] + range * t);
    }
    const std::uint8_t* s = &scales.rgba[i * 4];
    const glm::vec3 scale = glm::exp(glm::vec3(scale_x[s[0]], scale_y[s[1]], scale_z[s[2]]));
    const std::uint8_t* c = &sh0.rgba[i * 4];
    const glm::vec3 f_dc(color_r[c[0]], color_g[c[1]], color_b[c[2]]);
    builder.add(position, scale, unpack_quat(&quats.rgba[i * 4]), splat::dc_to_display_rgb(f_dc), opacity[c[3]]);
  }
  return builder.finish();
}

}  // namespace thumbgen::scene
