// antimatter15 .splat: headerless 32-byte records — position (3 × f32), linear scale (3 × f32), RGBA (4 × u8,
// display colour and opacity) and rotation (4 × u8, w x y z, each (v − 128) / 128). Written straight from 3DGS PLY
// data, so it shares the PLY's Y-down axes.
#include <cstring>
#include <string>

#include "scene/load_error.h"
#include "scene/splat_common.h"
#include "scene/splat_loader.h"

namespace thumbgen::scene {
namespace {

constexpr std::size_t kRecordBytes = 32;

glm::vec3 read_vec3(const std::uint8_t* p) {
  float v[3];
  std::memcpy(v, p, sizeof v);  // little-endian like every machine we build for
  return {v[0], v[1], v[2]};
}

}  // namespace

SplatCloud load_dot_splat(std::span<const std::uint8_t> bytes, const LoadLimits& limits) {
  if (bytes.size() % kRecordBytes != 0) {
    throw LoadError("truncated .splat: " + std::to_string(bytes.size()) + " bytes is not a multiple of the " +
                    std::to_string(kRecordBytes) + "-byte record");
  }
  const std::size_t count = bytes.size() / kRecordBytes;
  splat::check_splat_count(count, limits, ".splat");
  splat::CloudBuilder builder(count, splat::Axes::RightDownForward, ".splat");
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* record = bytes.data() + i * kRecordBytes;
    const std::uint8_t* rgba = record + 24;
    const std::uint8_t* rot = record + 28;
    const auto unit = [](std::uint8_t v) { return (static_cast<float>(v) - 128.0f) / 128.0f; };
    const glm::vec3 color(rgba[0] / 255.0f, rgba[1] / 255.0f, rgba[2] / 255.0f);
    builder.add(read_vec3(record), read_vec3(record + 12),
                glm::quat(unit(rot[0]), unit(rot[1]), unit(rot[2]), unit(rot[3])), color, rgba[3] / 255.0f);
  }
  return builder.finish();
}

}  // namespace thumbgen::scene
