#include "render/post_aa.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <utility>
#include <vector>

namespace thumbgen::render {
namespace {

// Four channels as one vector (GCC/Clang vector extensions: SSE natively, SIMD128 or scalar in WebAssembly).
using Vec4 = float __attribute__((vector_size(16)));
using Bytes4 = std::uint8_t __attribute__((vector_size(4)));

Vec4 load_pixel(const std::uint8_t* p) {
  Bytes4 bytes;
  std::memcpy(&bytes, p, 4);
  return __builtin_convertvector(bytes, Vec4);
}

// Lottes' FXAA (the compact "console" variant) written for the CPU: detect local contrast on luma, estimate the
// edge direction from the four diagonal neighbours, blend along it with bilinear taps.
struct Sampler {
  const std::uint8_t* rgba;
  int width, height;

  Vec4 bilinear(float x, float y) const {
    x = std::clamp(x, 0.0f, static_cast<float>(width - 1));
    y = std::clamp(y, 0.0f, static_cast<float>(height - 1));
    const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
    const int x1 = std::min(x0 + 1, width - 1), y1 = std::min(y0 + 1, height - 1);
    const float fx = x - static_cast<float>(x0), fy = y - static_cast<float>(y0);
    const Vec4 p00 = load_pixel(&rgba[(static_cast<std::size_t>(y0) * width + x0) * 4]);
    const Vec4 p10 = load_pixel(&rgba[(static_cast<std::size_t>(y0) * width + x1) * 4]);
    const Vec4 p01 = load_pixel(&rgba[(static_cast<std::size_t>(y1) * width + x0) * 4]);
    const Vec4 p11 = load_pixel(&rgba[(static_cast<std::size_t>(y1) * width + x1) * 4]);
    const Vec4 top = p00 + (p10 - p00) * fx;
    const Vec4 bottom = p01 + (p11 - p01) * fx;
    return top + (bottom - top) * fy;
  }
};

constexpr float kR = 0.299f / 255.0f, kG = 0.587f / 255.0f, kB = 0.114f / 255.0f, kA = 1e-5f;

float luma_of(Vec4 c) { return kR * c[0] + kG * c[1] + kB * c[2] + kA * c[3]; }

// The first and one past the last pixel of a row that differ from `background`, compared 16 pixels at a time
// against a row of background (memcmp is vectorised; most of a thumbnail is background).
std::pair<int, int> content_span(const std::uint8_t* row, const std::uint8_t* background_row, int width) {
  constexpr int kChunk = 16;
  auto differs = [&](int x) { return std::memcmp(row + x * 4, background_row, 4) != 0; };
  int lo = 0;
  while (lo + kChunk <= width && std::memcmp(row + lo * 4, background_row, kChunk * 4) == 0) lo += kChunk;
  while (lo < width && !differs(lo)) ++lo;
  if (lo == width) return {width, width};
  int hi = width;
  while (hi - kChunk > lo && std::memcmp(row + (hi - kChunk) * 4, background_row, kChunk * 4) == 0) hi -= kChunk;
  while (hi > lo && !differs(hi - 1)) --hi;
  return {lo, hi};
}

}  // namespace

void smooth_edges(scene::Image& image) {
  const int w = image.width, h = image.height;
  if (w < 3 || h < 3) return;
  const std::uint8_t* source = image.rgba.data();
  // A pixel as one 32-bit value: equal colours compare in one instruction.
  auto pixel = [&](std::size_t i) {
    std::uint32_t value;
    std::memcpy(&value, &source[i * 4], 4);
    return value;
  };
  auto luma_at = [&](std::size_t i) {
    const std::uint8_t* p = &source[i * 4];
    return kR * p[0] + kG * p[1] + kB * p[2] + kA * p[3];  // alpha too: edges against transparency count
  };

  // Thumbnails are mostly background: only the span of each row that differs from the corner pixel is looked at,
  // and luma is computed only where a neighbour's test will read it.
  const std::vector<std::uint8_t> background_row = [&] {
    std::vector<std::uint8_t> row(16 * 4);
    for (std::size_t i = 0; i < row.size(); i += 4) std::memcpy(&row[i], source, 4);
    return row;
  }();
  std::vector<int> first(static_cast<std::size_t>(h)), end(static_cast<std::size_t>(h));  // empty row: first == end
  for (int y = 0; y < h; ++y) {
    std::tie(first[y], end[y]) = content_span(source + static_cast<std::size_t>(y) * w * 4, background_row.data(), w);
  }
  // Luma of row y is read for the columns the rows y-1 .. y+1 look at, one pixel further each side.
  thread_local std::vector<float> luma;
  luma.resize(static_cast<std::size_t>(w) * h);
  const float background_luma = luma_at(0);
  std::vector<int> begin_x(static_cast<std::size_t>(h)), end_x(static_cast<std::size_t>(h));  // tested columns
  for (int y = 1; y < h - 1; ++y) {
    begin_x[y] = std::max(1, std::min({first[y - 1], first[y], first[y + 1]}) - 1);
    end_x[y] = std::min(w - 1, std::max({end[y - 1], end[y], end[y + 1]}) + 1);
  }
  for (int y = 0; y < h; ++y) {
    int lo = w, hi = 0;
    for (int r = std::max(1, y - 1); r <= std::min(h - 2, y + 1); ++r) {
      if (begin_x[r] < end_x[r]) lo = std::min(lo, begin_x[r] - 1), hi = std::max(hi, end_x[r] + 1);
    }
    const std::size_t row = static_cast<std::size_t>(y) * w;
    for (int x = std::max(lo, 0); x < std::min(hi, w); ++x) {
      luma[row + x] = x >= first[y] && x < end[y] ? luma_at(row + x) : background_luma;
    }
  }

  // New colours are written after the pass: every tap reads the original image.
  std::vector<std::pair<std::size_t, std::uint32_t>> changes;
  const Sampler sampler{source, w, h};
  for (int y = 1; y < h - 1; ++y) {
    const std::size_t up = static_cast<std::size_t>(y - 1) * w, mid = up + w, down = mid + w;
    // Outside these columns the pixel and its diagonal neighbours are all background.
    for (int x = begin_x[y]; x < end_x[y]; ++x) {
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
      const Vec4 a1 = sampler.bilinear(cx + dir_x * (1.0f / 3.0f - 0.5f), cy + dir_y * (1.0f / 3.0f - 0.5f));
      const Vec4 a2 = sampler.bilinear(cx + dir_x * (2.0f / 3.0f - 0.5f), cy + dir_y * (2.0f / 3.0f - 0.5f));
      const Vec4 b1 = sampler.bilinear(cx - dir_x * 0.5f, cy - dir_y * 0.5f);
      const Vec4 b2 = sampler.bilinear(cx + dir_x * 0.5f, cy + dir_y * 0.5f);
      const Vec4 a = 0.5f * (a1 + a2);
      const Vec4 b = 0.5f * a + 0.25f * (b1 + b2);
      const float l_b = luma_of(b);
      const Vec4 chosen = (l_b < l_min || l_b > l_max) ? a : b;
      // Values are never negative: adding a half and truncating rounds like lround, without the libm call.
      std::uint8_t out[4];
      for (int c = 0; c < 4; ++c) out[c] = static_cast<std::uint8_t>(std::clamp(chosen[c], 0.0f, 255.0f) + 0.5f);
      std::uint32_t value;
      std::memcpy(&value, out, 4);
      changes.emplace_back(mid + x, value);
    }
  }
  for (const auto& [index, value] : changes) std::memcpy(&image.rgba[index * 4], &value, 4);
}

}  // namespace thumbgen::render
