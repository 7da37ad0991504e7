#include "scene/tilt_sketch_data.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <string>

#include "scene/load_error.h"

namespace thumbgen::scene {
namespace {

constexpr std::uint32_t kSentinel = 0xc576a5cdu;
constexpr std::uint32_t kSingleWordStrokeExtensions = 0xffffu;  // bits 16-31 are length-prefixed blobs
constexpr std::uint32_t kStrokeScaleBit = 1u << 1;
constexpr std::uint32_t kPressureBit = 1u << 0;
constexpr std::size_t kPointFloats = 3 + 4;  // position, orientation

float float_of(std::uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));  // no std::bit_cast in the WebAssembly build's libc++
  return value;
}

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  std::size_t remaining() const { return bytes_.size() - offset_; }

  std::uint32_t u32(const std::string& what) {
    need(4, what);
    const std::uint8_t* p = bytes_.data() + offset_;
    offset_ += 4;
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
  }
  std::int32_t i32(const std::string& what) { return static_cast<std::int32_t>(u32(what)); }
  float f32(const std::string& what) { return float_of(u32(what)); }

  void skip(std::uint64_t count, const std::string& what) {
    need(count, what);
    offset_ += static_cast<std::size_t>(count);
  }

 private:
  void need(std::uint64_t count, const std::string& what) const {
    if (count > remaining()) {
      throw LoadError("truncated data.sketch: " + what + " needs " + std::to_string(count) + " bytes but only " +
                      std::to_string(remaining()) + " remain");
    }
  }

  std::span<const std::uint8_t> bytes_;
  std::size_t offset_ = 0;
};

float finite_or(float value, float fallback) { return std::isfinite(value) ? value : fallback; }

// The stroke extension fields: the scale (bit 1) is kept, the rest skipped.
float read_stroke_extensions(Reader& in, std::uint32_t mask, const std::string& stroke) {
  float scale = 1.0f;
  for (int bit = 0; bit < 32; ++bit) {
    const std::uint32_t flag = 1u << bit;
    if ((mask & flag) == 0) continue;
    const std::string what = stroke + " extension " + std::to_string(bit);
    if (flag & kSingleWordStrokeExtensions) {
      const std::uint32_t word = in.u32(what);
      if (flag == kStrokeScaleBit) scale = finite_or(float_of(word), 1.0f);
    } else {
      in.skip(in.u32(what + " length"), what);
    }
  }
  return scale;
}

TiltStroke read_stroke(Reader& in, std::size_t index, TiltSketchData& sketch, std::uint64_t max_control_points) {
  const std::string name = "stroke " + std::to_string(index);
  TiltStroke stroke;
  stroke.brush_index = in.i32(name);
  for (int c = 0; c < 4; ++c) stroke.color[c] = finite_or(in.f32(name + " colour"), 1.0f);
  const float size = finite_or(in.f32(name + " size"), 0.0f);
  const std::uint32_t stroke_mask = in.u32(name + " extension mask");
  const std::uint32_t point_mask = in.u32(name + " control point mask");
  stroke.size = std::abs(size * read_stroke_extensions(in, stroke_mask, name));

  const std::int32_t count = in.i32(name + " control point count");
  if (count < 0) throw LoadError("corrupt data.sketch: " + name + " has " + std::to_string(count) + " control points");
  const std::uint64_t point_bytes = 4 * (kPointFloats + static_cast<std::uint64_t>(std::popcount(point_mask)));
  const std::uint64_t wanted = point_bytes * static_cast<std::uint64_t>(count);
  if (wanted > in.remaining()) {
    throw LoadError("truncated data.sketch: " + name + " has " + std::to_string(count) + " control points (" +
                    std::to_string(wanted) + " bytes) but only " + std::to_string(in.remaining()) + " bytes remain");
  }
  sketch.control_points += static_cast<std::uint64_t>(count);
  if (sketch.control_points > max_control_points) {
    throw LoadError("data.sketch has more than " + std::to_string(max_control_points) + " control points (limit)");
  }

  stroke.points.resize(static_cast<std::size_t>(count));
  for (TiltControlPoint& point : stroke.points) {
    float v[kPointFloats];
    for (float& f : v) f = in.f32(name);
    point.position = {finite_or(v[0], 0.0f), finite_or(v[1], 0.0f), finite_or(v[2], 0.0f)};
    const glm::quat q(v[6], v[3], v[4], v[5]);  // stored x, y, z, w
    const float length = glm::length(q);
    point.orientation = std::isfinite(length) && length > 1e-6f ? q / length : glm::quat(1.0f, 0.0f, 0.0f, 0.0f);
    for (int bit = 0; bit < 32; ++bit) {
      if ((point_mask & (1u << bit)) == 0) continue;
      const std::uint32_t word = in.u32(name);
      if ((1u << bit) == kPressureBit) point.pressure = finite_or(float_of(word), 1.0f);
    }
  }
  return stroke;
}

}  // namespace

TiltSketchData parse_tilt_sketch_data(std::span<const std::uint8_t> bytes, std::uint64_t max_control_points) {
  Reader in(bytes);
  const std::uint32_t sentinel = in.u32("header");
  if (sentinel != kSentinel) throw LoadError("corrupt data.sketch: no Tilt Brush sentinel (pre-2016 sketch?)");
  TiltSketchData sketch;
  sketch.version = in.i32("header");
  in.u32("header");                                      // reserved
  in.skip(in.u32("header extra size"), "extra header");  // additional header bytes
  const std::int32_t count = in.i32("stroke count");
  // Every stroke takes at least 36 bytes (index, colour, size, two masks, point count).
  constexpr std::uint64_t kMinStrokeBytes = 4 * 9;
  if (count < 0 || static_cast<std::uint64_t>(count) * kMinStrokeBytes > in.remaining()) {
    throw LoadError("truncated data.sketch: " + std::to_string(count) + " strokes cannot fit in the " +
                    std::to_string(in.remaining()) + " bytes that remain");
  }
  sketch.strokes.reserve(static_cast<std::size_t>(count));
  for (std::int32_t i = 0; i < count; ++i) {
    sketch.strokes.push_back(read_stroke(in, static_cast<std::size_t>(i), sketch, max_control_points));
  }
  return sketch;
}

}  // namespace thumbgen::scene
