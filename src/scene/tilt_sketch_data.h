// The strokes of a raw Tilt Brush / Open Brush sketch: the binary `data.sketch` inside a .tilt zip.
// Layout (little endian), as Open Brush's Assets/Scripts/Save/SketchWriter.cs writes it and the Tilt Brush toolkit's
// Python/tiltbrush/tilt.py reads it:
//   uint32 sentinel 0xc576a5cd, int32 version (5 or 6), int32 reserved, uint32 n + n bytes of extra header,
//   int32 stroke count, then per stroke:
//     int32 brush index (into metadata.json's BrushIndex), float32 x4 colour (sRGB-encoded RGBA), float32 size,
//     uint32 stroke extension mask, uint32 control point extension mask,
//     per set stroke extension bit in ascending order: 4 bytes for bits 0-15 (bit 1 = float scale), a uint32 length
//     and that many bytes for bits 16-31,
//     int32 control point count, per point: float32 x3 position, float32 x4 orientation (x, y, z, w), then 4 bytes
//     per set control point extension bit (bit 0 = float pressure, bit 1 = uint32 timestamp).
// Positions are in the sketch's canvas space, in Unity's left-handed axes (+Y up, +Z forward).
#pragma once

#include <cstdint>
#include <glm/glm.hpp>
#include <glm/gtc/quaternion.hpp>
#include <span>
#include <vector>

namespace thumbgen::scene {

struct TiltControlPoint {
  glm::vec3 position{0.0f};
  glm::quat orientation{1.0f, 0.0f, 0.0f, 0.0f};
  float pressure = 1.0f;
};

struct TiltStroke {
  int brush_index = 0;
  glm::vec4 color{1.0f};  // as stored: sRGB-encoded RGB, alpha
  float size = 0.0f;      // brush size times the stroke's scale extension
  std::vector<TiltControlPoint> points;
};

struct TiltSketchData {
  int version = 0;
  std::vector<TiltStroke> strokes;
  std::uint64_t control_points = 0;  // over all strokes
};

// Parses data.sketch. Every count and length is checked against the bytes that remain before anything is allocated,
// and the control points of all strokes together against `max_control_points`. Throws LoadError naming what is wrong
// ("truncated data.sketch: stroke 12 has 4000000 control points but only 120 bytes remain").
TiltSketchData parse_tilt_sketch_data(std::span<const std::uint8_t> bytes, std::uint64_t max_control_points);

}  // namespace thumbgen::scene
