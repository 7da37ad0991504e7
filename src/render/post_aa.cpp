#include "render/post_aa.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace thumbgen::render {
namespace {

// Lottes' FXAA (the compact "console" variant) written for the CPU: detect local contrast on luma, estimate the
// edge direction from the four diagonal neighbours, blend along it with bilinear taps.
struct Sampler {
  const std::vector<std::uint8_t>& rgba;
  int width, height;

  void bilinear(float x, float y, float out[4]) const {
    x = std::clamp(x, 0.0f, static_cast<float>(width - 1));
    y = std::clamp(y, 0.0f, static_cast<float>(height - 1));
    const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
    const int x1 = std::min(x0 + 1, width - 1), y1 = std::min(y0 + 1, height - 1);
    const float fx = x - static_cast<float>(x0), fy = y - static_cast<float>(y0);
    const std::uint8_t* p00 = &rgba[(static_cast<std::size_t>(y0) * width + x0) * 4];
    const std::uint8_t* p10 = &rgba[(static_cast<std::size_t>(y0) * width + x1) * 4];
    const std::uint8_t* p01 = &rgba[(static_cast<std::size_t>(y1) * width + x0) * 4];
    const std::uint8_t* p11 = &rgba[(static_cast<std::size_t>(y1) * width + x1) * 4];
    for (int c = 0; c < 4; ++c) {
      const float top = p00[c] + (p10[c] - p00[c]) * fx;
      const float bottom = p01[c] + (p11[c] - p01[c]) * fx;
      out[c] = top + (bottom - top) * fy;
    }
  }
};

float luma_of(const float c[4]) {
  return (0.299f / 255.0f) * c[0] + (0.587f / 255.0f) * c[1] + (0.114f / 255.0f) * c[2] + 1e-5f * c[3];
}

}  // namespace

void smooth_edges(scene::Image& image) {
  const int w = image.width, h = image.height;
  if (w < 3 || h < 3) return;
  const std::vector<std::uint8_t> source = image.rgba;
  const std::size_t count = static_cast<std::size_t>(w) * h;
  // A pixel as one 32-bit value: equal colours compare in one instruction.
  auto pixel = [&](std::size_t i) {
    std::uint32_t value;
    std::memcpy(&value, &source[i * 4], 4);
    return value;
  };
  // Thumbnails are mostly background: luma is computed only between the first and last pixel of each row that
  // differs from the corner pixel; the rest is the background's luma, and the scan below skips it.
  constexpr float kR = 0.299f / 255.0f, kG = 0.587f / 255.0f, kB = 0.114f / 255.0f, kA = 1e-5f;
  auto luma_at = [&](std::size_t i) {
    const std::uint8_t* p = &source[i * 4];
    return kR * p[0] + kG * p[1] + kB * p[2] + kA * p[3];  // alpha too: edges against transparency count
  };
  const std::uint32_t background = pixel(0);
  std::vector<float> luma(count, luma_at(0));
  std::vector<int> first(static_cast<std::size_t>(h)), last(static_cast<std::size_t>(h));  // empty row: first > last
  for (int y = 0; y < h; ++y) {
    const std::size_t row = static_cast<std::size_t>(y) * w;
    int lo = 0, hi = w - 1;
    while (lo < w && pixel(row + lo) == background) ++lo;
    while (hi >= lo && pixel(row + hi) == background) --hi;
    first[y] = lo;
    last[y] = hi;
    for (int x = lo; x <= hi; ++x) luma[row + x] = luma_at(row + x);
  }
  const Sampler sampler{source, w, h};
  for (int y = 1; y < h - 1; ++y) {
    const std::size_t up = static_cast<std::size_t>(y - 1) * w, mid = up + w, down = mid + w;
    // Outside these columns the pixel and its diagonal neighbours are all background.
    const int begin = std::max(1, std::min({first[y - 1], first[y], first[y + 1]}) - 1);
    const int end = std::min(w - 2, std::max({last[y - 1], last[y], last[y + 1]}) + 1);
    for (int x = begin; x <= end; ++x) {
      // Background and flat colours: the pixel equals its four diagonal neighbours (the cheap test first).
      const std::uint32_t p = pixel(mid + x);
      if (pixel(up + x - 1) == p && pixel(up + x + 1) == p && pixel(down + x - 1) == p && pixel(down + x + 1) == p) {
        continue;
      }
      const float l_m = luma[mid + x];
      const float l_nw = luma[up + x - 1], l_ne = luma[up + x + 1], l_sw = luma[down + x - 1],
                  l_se = luma[down + x + 1];
      const float l_min = std::min(std::min(std::min(l_m, l_nw), std::min(l_ne, l_sw)), l_se);
      const float l_max = std::max(std::max(std::max(l_m, l_nw), std::max(l_ne, l_sw)), l_se);
      if (l_max - l_min < std::max(0.0312f, l_max * 0.125f)) continue;  // low contrast: most pixels stop here

      float dir_x = -((l_nw + l_ne) - (l_sw + l_se));
      float dir_y = (l_nw + l_sw) - (l_ne + l_se);
      const float reduce = std::max((l_nw + l_ne + l_sw + l_se) * 0.03125f, 1.0f / 128.0f);
      const float scale = 1.0f / (std::min(std::abs(dir_x), std::abs(dir_y)) + reduce);
      dir_x = std::clamp(dir_x * scale, -8.0f, 8.0f);
      dir_y = std::clamp(dir_y * scale, -8.0f, 8.0f);

      const float cx = static_cast<float>(x), cy = static_cast<float>(y);
      float a1[4], a2[4], b1[4], b2[4];
      sampler.bilinear(cx + dir_x * (1.0f / 3.0f - 0.5f), cy + dir_y * (1.0f / 3.0f - 0.5f), a1);
      sampler.bilinear(cx + dir_x * (2.0f / 3.0f - 0.5f), cy + dir_y * (2.0f / 3.0f - 0.5f), a2);
      sampler.bilinear(cx - dir_x * 0.5f, cy - dir_y * 0.5f, b1);
      sampler.bilinear(cx + dir_x * 0.5f, cy + dir_y * 0.5f, b2);
      float a[4], b[4];
      for (int c = 0; c < 4; ++c) {
        a[c] = 0.5f * (a1[c] + a2[c]);
        b[c] = 0.5f * a[c] + 0.25f * (b1[c] + b2[c]);
      }
      const float l_b = luma_of(b);
      const float* chosen = (l_b < l_min || l_b > l_max) ? a : b;
      std::uint8_t* out = &image.rgba[(mid + x) * 4];
      // Values are never negative: adding a half and truncating rounds like lround, without the libm call.
      for (int c = 0; c < 4; ++c) out[c] = static_cast<std::uint8_t>(std::clamp(chosen[c], 0.0f, 255.0f) + 0.5f);
    }
  }
}

}  // namespace thumbgen::render
