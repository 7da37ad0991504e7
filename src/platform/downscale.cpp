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

RowDownscaler::RowDownscaler(int src_width, int src_height, Size dst)
    : src_width_(src_width), src_height_(src_height), dst_x_(static_cast<std::size_t>(src_width)) {
  out_.width = dst.width;
  out_.height = dst.height;
  out_.rgba.resize(static_cast<std::size_t>(dst.width) * dst.height * 4);
  for (int x = 0; x < src_width; ++x) dst_x_[x] = static_cast<int>(static_cast<long long>(x) * dst.width / src_width);
  sums_.assign(static_cast<std::size_t>(dst.width) * kSums, 0);
}

void RowDownscaler::add_row(const std::uint8_t* rgba) {
  if (next_src_row_ >= src_height_) return;
  const int dst_row = static_cast<int>(static_cast<long long>(next_src_row_) * out_.height / src_height_);
  if (dst_row != current_dst_row_) {
    flush_row();
    current_dst_row_ = dst_row;
  }
  ++next_src_row_;
  for (int x = 0; x < src_width_; ++x, rgba += 4) {
    std::uint64_t* s = &sums_[static_cast<std::size_t>(dst_x_[x]) * kSums];
    const std::uint32_t a = rgba[3];
    s[0] += rgba[0] * a;
    s[1] += rgba[1] * a;
    s[2] += rgba[2] * a;
    s[3] += a;
    s[4] += rgba[0];
    s[5] += rgba[1];
    s[6] += rgba[2];
    s[7] += 1;
  }
}

void RowDownscaler::flush_row() {
  std::uint8_t* out = &out_.rgba[static_cast<std::size_t>(current_dst_row_) * out_.width * 4];
  for (int x = 0; x < out_.width; ++x, out += 4) {
    std::uint64_t* s = &sums_[static_cast<std::size_t>(x) * kSums];
    const std::uint64_t n = std::max<std::uint64_t>(s[7], 1);
    if (s[3] > 0) {
      for (int c = 0; c < 3; ++c) out[c] = static_cast<std::uint8_t>((s[c] + s[3] / 2) / s[3]);
    } else {
      for (int c = 0; c < 3; ++c) out[c] = static_cast<std::uint8_t>((s[4 + c] + n / 2) / n);
    }
    out[3] = static_cast<std::uint8_t>((s[3] + n / 2) / n);
    std::fill(s, s + kSums, 0);
  }
}

scene::Image RowDownscaler::finish() {
  if (next_src_row_ > 0) flush_row();
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
