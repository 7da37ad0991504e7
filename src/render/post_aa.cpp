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

// An edge is where the luma range over a pixel and its four diagonal neighbours reaches this (FXAA's thresholds).
constexpr float kMinContrast = 0.0312f, kRelativeContrast = 0.125f;

Vec4 load4(const float* p) {
  Vec4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
Vec4 min4(Vec4 a, Vec4 b) { return b < a ? b : a; }  // std::min, lane by lane
Vec4 max4(Vec4 a, Vec4 b) { return a < b ? b : a; }  // std::max, lane by lane

// The contrast test of four neighbouring pixels (luma rows at their column: `mid`, and `up`/`down` whose
// [-1] and [+1] are the diagonals): true when none of the four is an edge.
bool low_contrast_4(const float* mid, const float* up, const float* down) {
  const Vec4 m = load4(mid), nw = load4(up - 1), ne = load4(up + 1), sw = load4(down - 1), se = load4(down + 1);
  const Vec4 lo = min4(min4(min4(m, nw), min4(ne, sw)), se);
  const Vec4 hi = max4(max4(max4(m, nw), max4(ne, sw)), se);
  const Vec4 threshold = max4(Vec4{kMinContrast, kMinContrast, kMinContrast, kMinContrast}, hi * kRelativeContrast);
  const auto low = (hi - lo) < threshold;
  return low[0] && low[1] && low[2] && low[3];
}

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
    lo = std::max(lo, 0), hi = std::min(hi, w);
    if (lo >= hi) continue;
    const int inside_begin = std::clamp(first[y], lo, hi), inside_end = std::clamp(end[y], inside_begin, hi);
    std::fill(&luma[row + lo], &luma[row + inside_begin], background_luma);
    for (int x = inside_begin; x < inside_end; ++x) luma[row + x] = luma_at(row + x);
    std::fill(&luma[row + inside_end], &luma[row + hi], background_luma);
  }

  // New colours are written after the pass: every tap reads the original image.
  std::vector<std::pair<std::size_t, std::uint32_t>> changes;
  const Sampler sampler{source, w, h};
  for (int y = 1; y < h - 1; ++y) {
    const std::size_t up = static_cast<std::size_t>(y - 1) * w, mid = up + w, down = mid + w;
    // Outside these columns the pixel and its diagonal neighbours are all background.
    const int begin = begin_x[y], end_column = end_x[y];
    for (int x = begin; x < end_column; ++x) {
      // Four pixels' contrast at once first: flat colour and gentle shading (most pixels) stop here.
      if (x % 4 == 0 && x + 4 <= end_column && low_contrast_4(&luma[mid + x], &luma[up + x], &luma[down + x])) {
        x += 3;
        continue;
      }
      const float l_m = luma[mid + x];
      const float l_nw = luma[up + x - 1], l_ne = luma[up + x + 1], l_sw = luma[down + x - 1],
                  l_se = luma[down + x + 1];
      const float l_min = std::min(std::min(std::min(l_m, l_nw), std::min(l_ne, l_sw)), l_se);
      const float l_max = std::max(std::max(std::max(l_m, l_nw), std::max(l_ne, l_sw)), l_se);
      if (l_max - l_min < std::max(kMinContrast, l_max * kRelativeContrast)) continue;

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
