#include "platform/downscale.h"

#include <algorithm>
#include <cstring>

namespace thumbgen::platform::detail {

namespace {
constexpr int kSums = 8;
}

Size fit_within(int width, int height, int max_dimension) {
  const int longest = std::max(width, height);
  if (longest <= max_dimension) return {width, height};
  auto scale = [&](int side) {
    return static_cast<int>(
        std::max<long long>(1, (static_cast<long long>(side) * max_dimension + longest / 2) / longest));
  };
  return {scale(width), scale(height)};
}

RowDownscaler::RowDownscaler(int src_width, int src_height, Size dst) : src_width_(src_width), src_height_(src_height) {
  out_.width = dst.width;
  out_.height = dst.height;
  out_.rgba.resize(static_cast<std::size_t>(dst.width) * dst.height * 4);
  halving_ = src_width == 2 * dst.width && src_height == 2 * dst.height;
  if (halving_) {
    even_row_.resize(static_cast<std::size_t>(src_width) * 4);
    return;
  }
  // Source column x lands in destination column x * dst / src: each destination column takes a run of
  // consecutive source columns, [column_begin_[dx], column_begin_[dx + 1]).
  column_begin_.resize(static_cast<std::size_t>(dst.width) + 1);
  for (int dx = 0; dx <= dst.width; ++dx) {
    column_begin_[static_cast<std::size_t>(dx)] =
        static_cast<int>((static_cast<long long>(dx) * src_width + dst.width - 1) / dst.width);
  }
  sums_.assign(static_cast<std::size_t>(dst.width) * kSums, 0);
}

// Power-of-two textures halved (2048 → 1024) are the common case: 2×2 blocks straight from two rows, the
// same alpha-weighted rounding as the general path, and no division at all for opaque blocks.
void RowDownscaler::add_halved_row(const std::uint8_t* rgba) {
  if (next_src_row_ % 2 == 0) {
    std::memcpy(even_row_.data(), rgba, even_row_.size());
    return;
  }
  const std::uint8_t* top = even_row_.data();
  const std::uint8_t* bottom = rgba;
  std::uint8_t* out = &out_.rgba[static_cast<std::size_t>(next_src_row_ / 2) * out_.width * 4];
  for (int x = 0; x < out_.width; ++x, top += 8, bottom += 8, out += 4) {
    const std::uint32_t a0 = top[3], a1 = top[7], a2 = bottom[3], a3 = bottom[7];
    const std::uint32_t alpha = a0 + a1 + a2 + a3;
    if (alpha == 4 * 255 || alpha == 0) {  // equal weights: the plain mean
      for (int c = 0; c < 3; ++c)
        out[c] = static_cast<std::uint8_t>((top[c] + top[4 + c] + bottom[c] + bottom[4 + c] + 2) / 4);
    } else {
      for (int c = 0; c < 3; ++c) {
        const std::uint32_t weighted = top[c] * a0 + top[4 + c] * a1 + bottom[c] * a2 + bottom[4 + c] * a3;
        out[c] = static_cast<std::uint8_t>((weighted + alpha / 2) / alpha);
      }
    }
    out[3] = static_cast<std::uint8_t>((alpha + 2) / 4);
  }
}

void RowDownscaler::add_row(const std::uint8_t* rgba) {
  if (next_src_row_ >= src_height_) return;
  if (halving_) {
    add_halved_row(rgba);
    ++next_src_row_;
    return;
  }
  const int dst_row = static_cast<int>(static_cast<long long>(next_src_row_) * out_.height / src_height_);
  if (dst_row != current_dst_row_) {
    flush_row();
    current_dst_row_ = dst_row;
  }
  ++next_src_row_;
  // A run is at most kMaxImageSide pixels: its sums fit 32 bits (16384 * 255 * 255 < 2^32), added to the
  // 64-bit totals once per run instead of once per pixel.
  std::uint64_t* s = sums_.data();
  for (int dx = 0; dx < out_.width; ++dx, s += kSums) {
    const std::uint8_t* p = rgba + static_cast<std::size_t>(column_begin_[static_cast<std::size_t>(dx)]) * 4;
    const std::uint8_t* end = rgba + static_cast<std::size_t>(column_begin_[static_cast<std::size_t>(dx) + 1]) * 4;
    std::uint32_t weighted_r = 0, weighted_g = 0, weighted_b = 0, alpha = 0, r = 0, g = 0, b = 0;
    const auto count = static_cast<std::uint32_t>((end - p) / 4);
    for (; p < end; p += 4) {
      const std::uint32_t a = p[3];
      weighted_r += p[0] * a;
      weighted_g += p[1] * a;
      weighted_b += p[2] * a;
      alpha += a;
      r += p[0];
      g += p[1];
      b += p[2];
    }
    s[0] += weighted_r;
    s[1] += weighted_g;
    s[2] += weighted_b;
    s[3] += alpha;
    s[4] += r;
    s[5] += g;
    s[6] += b;
    s[7] += count;
  }
}

namespace {

// round(sum / count), several times faster than a 64-bit integer division and still exact: sum and count are
// exact doubles (below 2^53), and the quotient is below 256, where a double's rounding error (2^-44) is far
// smaller than the 1/count that separates a fractional quotient from the next integer.
std::uint8_t rounded_mean(std::uint64_t sum, std::uint64_t count) {
  return static_cast<std::uint8_t>(static_cast<double>(sum + count / 2) / static_cast<double>(count));
}

}  // namespace

void RowDownscaler::flush_row() {
  std::uint8_t* out = &out_.rgba[static_cast<std::size_t>(current_dst_row_) * out_.width * 4];
  for (int x = 0; x < out_.width; ++x, out += 4) {
    std::uint64_t* s = &sums_[static_cast<std::size_t>(x) * kSums];
    const std::uint64_t n = std::max<std::uint64_t>(s[7], 1);
    if (s[3] > 0) {
      for (int c = 0; c < 3; ++c) out[c] = rounded_mean(s[c], s[3]);
    } else {
      for (int c = 0; c < 3; ++c) out[c] = rounded_mean(s[4 + c], n);
    }
    out[3] = rounded_mean(s[3], n);
    std::fill(s, s + kSums, 0);
  }
}

scene::Image RowDownscaler::finish() {
  if (next_src_row_ > 0 && !halving_) flush_row();
  return std::move(out_);
}

scene::Image downscale_to_fit(const std::uint8_t* rgba, int width, int height, int max_dimension) {
  const Size dst = fit_within(width, height, max_dimension);
  if (dst.width == width && dst.height == height) {
    scene::Image copy{width, height, {}};
    copy.rgba.assign(rgba, rgba + static_cast<std::size_t>(width) * height * 4);
    return copy;
  }
  RowDownscaler scaler(width, height, dst);
  for (int y = 0; y < height; ++y) scaler.add_row(rgba + static_cast<std::size_t>(y) * width * 4);
  return scaler.finish();
}

}  // namespace thumbgen::platform::detail
