// Raw Tilt Brush sketches for fixtures: data.sketch bytes in the layout scene/tilt_sketch_data.h describes, and the
// .tilt zip around them (optionally after the older 16-byte "tilT" header).
#pragma once

#include <glm/glm.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/bytes.h"

namespace thumbgen::test {

// Brush GUIDs the fixtures use.
inline constexpr const char* kLightGuid = "2241cd32-8ba2-48a5-9ee7-2caef7e9ed62";  // ribbon, additive
inline constexpr const char* kInkGuid = "f5c336cf-5108-4b40-ade9-c687504385ab";    // ribbon, cutout
inline constexpr const char* kIcingGuid = "2f212815-f4d3-c1a4-681a-feeaf9c6dc37";  // tube
inline constexpr const char* kDotsGuid = "6a1cf9f9-032c-45ec-9b1d-a6680bee30f7";   // particles
inline constexpr const char* kStandardEnvironment = "ab080599-e465-4a6d-8587-43bf495af68b";

struct TiltPoint {
  glm::vec3 position{0.0f};
  glm::vec4 orientation{0.0f, 0.0f, 0.0f, 1.0f};  // x, y, z, w as stored
  float pressure = 1.0f;
};

struct TiltStrokeSpec {
  int brush_index = 0;
  glm::vec4 color{1.0f};
  float size = 0.1f;
  std::optional<float> scale;  // the stroke's scale extension (bit 1), written when set
  std::vector<TiltPoint> points;
};

// data.sketch: version 5, flags (+ scale) stroke extensions, pressure + timestamp per control point.
Bytes tilt_sketch_data(const std::vector<TiltStrokeSpec>& strokes);

// Points along +X from the origin, one unit apart, identity orientation.
std::vector<TiltPoint> points_along_x(int count);

// metadata.json naming `brush_guids` (BrushIndex) and the Standard environment, plus `extra` members (JSON text
// without braces, e.g. "\"SceneTransformInRoomSpace\": [[0,0,0],[0,0,0,1],2]").
std::string tilt_metadata(const std::vector<std::string>& brush_guids, const std::string& extra = "");

// The .tilt: a stored zip of data.sketch and, when given, metadata.json; `header` puts the 16-byte "tilT" header first.
Bytes tilt_file(const Bytes& sketch, const std::optional<std::string>& metadata, bool header = false);

}  // namespace thumbgen::test
