// Shared by the splat loaders (internal to src/scene): activations, colour conversion, the coordinate flip and
// a builder that drops broken splats.
#pragma once

#include <cstdint>
#include <string>

#include "scene/load.h"
#include "scene/scene.h"

namespace thumbgen::scene::splat {

inline constexpr float kShC0 = 0.28209479177387814f;  // degree-0 spherical harmonic

// How the file's axes relate to the scene's Y-up, −Z-forward convention.
enum class Axes {
  // COLMAP/OpenCV (x right, y down, z forward), what 3DGS PLY and .splat files hold. A 180° turn about X maps it
  // to x right, y up, z back — the same turn the gallery viewer applies so these scenes stand upright.
  RightDownForward,
  // SPZ's documented RUB (x right, y up, z back) is already our convention.
  RightUpBack,
};

float sigmoid(float x);
// IEEE 754 binary16 → float (SPZ v1 positions, .ksplat scales and rotations).
float half_to_float(std::uint16_t h);
// sRGB-encoded [0,1] → linear (table lookup: called per splat when splats are drawn among meshes).
float srgb_to_linear(float c);
// 3DGS degree-0 coefficients → the display colour 0.5 + C0·f_dc, clamped to [0,1].
glm::vec3 dc_to_display_rgb(const glm::vec3& f_dc);

// Throws LoadError when `count` splats exceed the limit (call before allocating).
void check_splat_count(std::uint64_t count, const LoadLimits& limits, const char* format);

class CloudBuilder {
 public:
  // `format` names the file type in errors ("SPZ", ".splat", ...).
  CloudBuilder(std::size_t expected, Axes axes, const char* format);
  // scale: linear standard deviations; rotation: (w, x, y, z), any length; colour: display RGB; opacity in [0,1].
  void add(const glm::vec3& position, const glm::vec3& scale, const glm::quat& rotation, const glm::vec3& color,
           float opacity);
  std::size_t dropped() const { return dropped_; }
  // Throws LoadError when no usable splat is left.
  SplatCloud finish();

 private:
  SplatCloud cloud_;
  Axes axes_;
  const char* format_;
  std::size_t dropped_ = 0;
};

}  // namespace thumbgen::scene::splat
