#include "render/splat_projection.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <glm/gtc/quaternion.hpp>

#include "scene/splat_common.h"

namespace thumbgen::render {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

constexpr float kMinAlpha = 1.0f / 255.0f;
// Splats whose centre is further than this outside NDC are culled (their extent can still reach the screen).
constexpr float kFrustumMargin = 1.3f;
// Low-pass filter of the 3DGS reference rasteriser: every splat covers at least about a pixel.
constexpr float kPixelBlur = 0.3f;
// A splat's √2·σ axis never exceeds this fraction of the larger viewport side: huge near-camera floaters would
// otherwise wash over the whole thumbnail.
constexpr float kMaxAxisFraction = 0.25f;

std::uint16_t unorm16(float v) { return static_cast<std::uint16_t>(std::clamp(v, 0.0f, 1.0f) * 65535.0f + 0.5f); }

}  // namespace

std::vector<std::uint32_t> sort_back_to_front(std::span<const float> depth) {
  std::vector<std::uint32_t> order(depth.size());
  if (depth.empty()) return order;
  const auto [min_it, max_it] = std::minmax_element(depth.begin(), depth.end());
  const float min_depth = *min_it;
  const float range = *max_it - min_depth;
  const float to_key = range > 0.0f ? 65535.0f / range : 0.0f;
  constexpr std::size_t kBuckets = 65536;
  std::vector<std::uint32_t> start(kBuckets + 1, 0);
  std::vector<std::uint16_t> keys(depth.size());
  for (std::size_t i = 0; i < depth.size(); ++i) {
    // Far splats get small keys so the ascending counting sort emits them first.
    keys[i] = static_cast<std::uint16_t>(65535.0f - (depth[i] - min_depth) * to_key);
    ++start[keys[i] + 1];
  }
  for (std::size_t k = 1; k <= kBuckets; ++k) start[k] += start[k - 1];
  for (std::size_t i = 0; i < depth.size(); ++i) order[start[keys[i]]++] = static_cast<std::uint32_t>(i);
  return order;
}

namespace {

// A visible splat's screen ellipse, computed in input order (sequential reads) and gathered once in draw order.
struct Ellipse {
  glm::vec3 ndc;
  glm::vec2 major;  // √2·σ axes in NDC, already scaled by the quad extent
  glm::vec2 minor;
  std::int16_t corner_offset;
  std::uint16_t rgba[4];
};

}  // namespace

std::vector<SplatVertex> project_splats(const scene::SplatCloud& cloud, const glm::mat4& view,
                                        const glm::mat4& projection, int viewport_width, int viewport_height,
                                        bool linear_colour, SplatDrawStats& stats) {
  stats = {};
  stats.input = cloud.size();
  const std::size_t count =
      std::min({cloud.positions.size(), cloud.scales.size(), cloud.rotations.size(), cloud.colors.size()});
  if (count == 0 || viewport_width <= 0 || viewport_height <= 0) return {};

  // Pass 1, in input order: culling, view depth and the EWA projection of each covariance R·S·Sᵀ·Rᵀ to pixels.
  auto start = Clock::now();
  const glm::vec2 half_viewport(0.5f * viewport_width, 0.5f * viewport_height);
  const float max_axis = kMaxAxisFraction * static_cast<float>(std::max(viewport_width, viewport_height));
  const glm::mat3 view_rotation_t = glm::transpose(glm::mat3(view));
  // Rows of the projection matrix (glm is column-major: projection[column][row]).
  const glm::vec3 px(projection[0][0], projection[1][0], projection[2][0]);
  const glm::vec3 py(projection[0][1], projection[1][1], projection[2][1]);
  const glm::vec3 pw(projection[0][3], projection[1][3], projection[2][3]);
  const glm::mat3 view_rotation(view);
  const glm::vec3 view_translation(view[3]);
  const glm::vec4 projection_translation(projection[3]);
  const glm::vec3 pz(projection[0][2], projection[1][2], projection[2][2]);
  std::vector<Ellipse> ellipses;
  std::vector<float> depth;
  ellipses.reserve(count);  // bounded by the cloud already in memory; avoids regrowth copies
  depth.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const glm::vec4& color = cloud.colors[i];
    if (!(color.a >= kMinAlpha)) continue;
    const glm::vec3 eye = view_rotation * cloud.positions[i] + view_translation;
    const glm::vec4 clip =
        glm::vec4(glm::dot(px, eye), glm::dot(py, eye), glm::dot(pz, eye), glm::dot(pw, eye)) + projection_translation;
    if (!(clip.w > 1e-6f)) continue;  // behind the eye (or NaN)
    const float bound = kFrustumMargin * clip.w;
    if (clip.x < -bound || clip.x > bound || clip.y < -bound || clip.y > bound || clip.z < -clip.w || clip.z > clip.w) {
      continue;
    }
    const glm::vec3 ndc = glm::vec3(clip) / clip.w;
    // Jacobian of NDC·half_viewport with respect to the eye-space point: d(u/w) = (∂u − (u/w)·∂w) / w. Clamping
    // the NDC used here keeps splats near the frustum edge from exploding, like the reference rasteriser.
    const float nx = std::clamp(ndc.x, -kFrustumMargin, kFrustumMargin);
    const float ny = std::clamp(ndc.y, -kFrustumMargin, kFrustumMargin);
    const glm::vec3 jx = (px - nx * pw) * (half_viewport.x / clip.w);
    const glm::vec3 jy = (py - ny * pw) * (half_viewport.y / clip.w);
    // Σ₂ = J·W·R·S·Sᵀ·Rᵀ·Wᵀ·Jᵀ: with m = S·Rᵀ·Wᵀ·j for each Jacobian row j, entries are dot products of the m's.
    const glm::mat3 rotation_t = glm::transpose(glm::mat3_cast(cloud.rotations[i]));
    const glm::vec3 scale = cloud.scales[i];
    const glm::vec3 mx = scale * (rotation_t * (view_rotation_t * jx));
    const glm::vec3 my = scale * (rotation_t * (view_rotation_t * jy));
    const float a = glm::dot(mx, mx) + kPixelBlur;
    const float b = glm::dot(mx, my);
    const float c = glm::dot(my, my) + kPixelBlur;
    // Eigen-decomposition of the symmetric 2×2 [[a b][b c]].
    const float mid = 0.5f * (a + c);
    const float radius = std::sqrt(0.25f * (a - c) * (a - c) + b * b);
    const float lambda1 = mid + radius;
    const float lambda2 = mid - radius;
    if (!(lambda2 > 0.0f) || !std::isfinite(lambda1)) continue;
    const glm::vec2 major = std::abs(b) > 1e-12f * mid ? glm::normalize(glm::vec2(b, lambda1 - a))
                                                       : (a >= c ? glm::vec2(1, 0) : glm::vec2(0, 1));
    const glm::vec2 minor(-major.y, major.x);
    // The quad ends where opacity·exp(−r²) falls below 1/255 (at most r = 2, i.e. 2.8σ): faint splats get
    // smaller quads, which saves fill on a software rasteriser.
    const float extent = std::sqrt(std::min(4.0f, std::log(255.0f * color.a)));
    const glm::vec3 rgb = linear_colour
                              ? glm::vec3(scene::splat::srgb_to_linear(color.r), scene::splat::srgb_to_linear(color.g),
                                          scene::splat::srgb_to_linear(color.b))
                              : glm::vec3(color);
    ellipses.push_back({ndc,
                        extent * std::min(std::sqrt(2.0f * lambda1), max_axis) * major / half_viewport,
                        extent * std::min(std::sqrt(2.0f * lambda2), max_axis) * minor / half_viewport,
                        static_cast<std::int16_t>(std::lround(extent / kSplatOffsetScale * 32767.0f)),
                        {unorm16(rgb.r), unorm16(rgb.g), unorm16(rgb.b), unorm16(color.a)}});
    depth.push_back(-eye.z);
  }
  stats.project_ms = ms_since(start);

  start = Clock::now();
  const std::vector<std::uint32_t> order = sort_back_to_front(depth);
  stats.sort_ms = ms_since(start);

  // Pass 2, in draw order: four corners per splat.
  start = Clock::now();
  std::vector<SplatVertex> vertices;
  vertices.reserve(order.size() * 4);
  for (const std::uint32_t index : order) {
    const Ellipse& e = ellipses[index];
    for (int corner = 0; corner < 4; ++corner) {
      const bool right = corner & 1;
      const bool top = corner & 2;
      const glm::vec2 p = glm::vec2(e.ndc) + (right ? e.major : -e.major) + (top ? e.minor : -e.minor);
      vertices.push_back({{p.x, p.y, e.ndc.z},
                          {static_cast<std::int16_t>(right ? e.corner_offset : -e.corner_offset),
                           static_cast<std::int16_t>(top ? e.corner_offset : -e.corner_offset)},
                          {e.rgba[0], e.rgba[1], e.rgba[2], e.rgba[3]}});
    }
  }
  stats.ellipse_ms = ms_since(start);
  stats.drawn = order.size();
  return vertices;
}

}  // namespace thumbgen::render
