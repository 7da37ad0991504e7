// The CPU half of splat rendering (no GL, so it also runs in WebAssembly and in tests): cull, sort back to
// front and turn each 3D Gaussian into the screen ellipse the vertex shader stretches a quad over.
#pragma once

#include <cstdint>
#include <glm/glm.hpp>
#include <span>
#include <vector>

#include "render/splat_renderer.h"
#include "scene/scene.h"

namespace thumbgen::render {

// One corner of a splat's quad (4 per splat, in draw order 0..3 = (−,−), (+,−), (−,+), (+,+)): 24 bytes.
// Plain vertices rather than instancing, because llvmpipe pays microseconds per instance.
struct SplatVertex {
  float position[3];       // NDC
  std::int16_t offset[2];  // corner in units of the ellipse axes (each √2·σ long), normalised: value/32767 × 2
  std::uint16_t color[4];  // RGB (display or linear) + opacity, normalised
};
static_assert(sizeof(SplatVertex) == 24);
inline constexpr float kSplatOffsetScale = 2.0f;  // offset ±32767 ↔ ±2 axes

// Indices of `depth` ordered from the largest depth to the smallest (a 16-bit counting sort: two linear passes,
// ~65k buckets; ties within 1/65536 of the depth range keep their input order).
std::vector<std::uint32_t> sort_back_to_front(std::span<const float> depth);

// Quads of the visible splats, farthest first. Splats behind the camera, outside the frustum (with a margin for
// their extent), nearly transparent or degenerate on screen are dropped. Colours stay display colours, or are
// made linear (`linear_colour`, for an sRGB target). `stats` receives counts and timings.
std::vector<SplatVertex> project_splats(const scene::SplatCloud& cloud, const glm::mat4& view,
                                        const glm::mat4& projection, int viewport_width, int viewport_height,
                                        bool linear_colour, SplatDrawStats& stats);

}  // namespace thumbgen::render
