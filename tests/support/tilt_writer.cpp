#include "support/tilt_writer.h"

#include <bit>
#include <cstdint>

#include "support/zip_writer.h"

namespace thumbgen::test {
namespace {

void u32(Bytes& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}
void f32(Bytes& out, float value) { u32(out, std::bit_cast<std::uint32_t>(value)); }

}  // namespace

Bytes tilt_sketch_data(const std::vector<TiltStrokeSpec>& strokes) {
  Bytes out;
  u32(out, 0xc576a5cdu);  // sentinel
  u32(out, 5);            // version
  u32(out, 0);            // reserved
  u32(out, 0);            // no additional header
  u32(out, static_cast<std::uint32_t>(strokes.size()));
  for (const TiltStrokeSpec& stroke : strokes) {
    u32(out, static_cast<std::uint32_t>(stroke.brush_index));
    for (int c = 0; c < 4; ++c) f32(out, stroke.color[c]);
    f32(out, stroke.size);
    u32(out, stroke.scale ? 0x3u : 0x1u);  // flags (+ scale)
    u32(out, 0x3u);                        // pressure + timestamp
    u32(out, 0);                           // flags
    if (stroke.scale) f32(out, *stroke.scale);
    u32(out, static_cast<std::uint32_t>(stroke.points.size()));
    std::uint32_t timestamp = 0;
    for (const TiltPoint& point : stroke.points) {
      for (int c = 0; c < 3; ++c) f32(out, point.position[c]);
      for (int c = 0; c < 4; ++c) f32(out, point.orientation[c]);
      f32(out, point.pressure);
      u32(out, timestamp += 10);
    }
  }
  return out;
}

std::vector<TiltPoint> points_along_x(int count) {
  std::vector<TiltPoint> points;
  for (int i = 0; i < count; ++i) points.push_back({{static_cast<float>(i), 0.0f, 0.0f}});
  return points;
}

std::string tilt_metadata(const std::vector<std::string>& brush_guids, const std::string& extra) {
  std::string brushes;
  for (const std::string& guid : brush_guids) brushes += (brushes.empty() ? "\"" : ", \"") + guid + "\"";
  return "{\"EnvironmentPreset\": \"" + std::string(kStandardEnvironment) + "\", \"BrushIndex\": [" + brushes + "]" +
         (extra.empty() ? "" : ", " + extra) + "}";
}

Bytes tilt_file(const Bytes& sketch, const std::optional<std::string>& metadata, bool header) {
  std::vector<ZipEntry> entries{{"data.sketch", sketch}};
  if (metadata) entries.push_back({"metadata.json", text_bytes(*metadata)});
  const Bytes zip = make_zip(entries, false);
  Bytes out;
  if (header) {
    out = text_bytes("tilT");
    for (std::uint8_t b : {0x10, 0x00, 0x01, 0x00}) out.push_back(b);  // header size 16, version 1
    out.resize(16, 0);
  }
  out.insert(out.end(), zip.begin(), zip.end());
  return out;
}

}  // namespace thumbgen::test
