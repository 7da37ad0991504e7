#include "render/post_aa.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
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

float luma_of(const float c[4]) { return (0.299f * c[0] + 0.587f * c[1] + 0.114f * c[2]) / 255.0f + c[3] * 1e-5f; }

}  // namespace

void smooth_edges(scene::Image& image) {
  const int w = image.width, h = image.height;
  if (w < 3 || h < 3) return;
  const std::vector<std::uint8_t> source = image.rgba;
  std::vector<float> luma(static_cast<std::size_t>(w) * h);
  for (std::size_t i = 0; i < luma.size(); ++i) {
    const std::uint8_t* p = &source[i * 4];
    // Alpha takes part so edges against a transparent background are found too.
    luma[i] = (0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]) / 255.0f + p[3] * 1e-5f;
  }
  const Sampler sampler{source, w, h};
  for (int y = 1; y < h - 1; ++y) {
    const float* row_up = &luma[static_cast<std::size_t>(y - 1) * w];
    const float* row = &luma[static_cast<std::size_t>(y) * w];
    const float* row_down = &luma[static_cast<std::size_t>(y + 1) * w];
    for (int x = 1; x < w - 1; ++x) {
      const float l_m = row[x];
      const float l_nw = row_up[x - 1], l_ne = row_up[x + 1], l_sw = row_down[x - 1], l_se = row_down[x + 1];
      const float l_min = std::min({l_m, l_nw, l_ne, l_sw, l_se});
      const float l_max = std::max({l_m, l_nw, l_ne, l_sw, l_se});
      if (l_max - l_min < std::max(0.0312f, l_max * 0.125f)) continue;  // flat: most pixels stop here

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
      std::uint8_t* out = &image.rgba[(static_cast<std::size_t>(y) * w + x) * 4];
      for (int c = 0; c < 4; ++c) out[c] = static_cast<std::uint8_t>(std::lround(std::clamp(chosen[c], 0.0f, 255.0f)));
    }
  }
}

}  // namespace thumbgen::render
