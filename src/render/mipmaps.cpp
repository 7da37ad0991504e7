#include "render/mipmaps.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include "scene/srgb.h"

namespace thumbgen::render {
namespace {

constexpr int kLinearBits = 12;  // linear light in 1/4096 steps: finer than one sRGB code value everywhere

struct SrgbTables {
  std::array<std::uint16_t, 256> to_linear;                // sRGB code → linear, 0..4095
  std::array<std::uint8_t, 1 << kLinearBits> from_linear;  // linear 0..4095 → nearest sRGB code
};

const SrgbTables& srgb_tables() {
  static const SrgbTables tables = [] {
    SrgbTables t{};
    constexpr double kMax = (1 << kLinearBits) - 1;
    for (int i = 0; i < 256; ++i) {
      const double c = i / 255.0;
      const double linear = scene::srgb_to_linear(c);
      t.to_linear[static_cast<std::size_t>(i)] = static_cast<std::uint16_t>(std::lround(linear * kMax));
    }
    for (int i = 0; i < (1 << kLinearBits); ++i) {
      const double linear = i / kMax;
      const double c = scene::linear_to_srgb(linear);
      t.from_linear[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(std::lround(c * 255.0));
    }
    return t;
  }();
  return tables;
}

}  // namespace

scene::Image next_mip_level(const scene::Image& level, bool srgb) {
  scene::Image next;
  next.width = std::max(1, level.width / 2);
  next.height = std::max(1, level.height / 2);
  next.rgba.resize(static_cast<std::size_t>(next.width) * next.height * 4);
  const SrgbTables& tables = srgb_tables();
  const std::size_t stride = static_cast<std::size_t>(level.width) * 4;
  for (int y = 0; y < next.height; ++y) {
    const std::uint8_t* top = level.rgba.data() + static_cast<std::size_t>(std::min(2 * y, level.height - 1)) * stride;
    const std::uint8_t* bottom =
        level.rgba.data() + static_cast<std::size_t>(std::min(2 * y + 1, level.height - 1)) * stride;
    std::uint8_t* out = next.rgba.data() + static_cast<std::size_t>(y) * next.width * 4;
    for (int x = 0; x < next.width; ++x, out += 4) {
      const std::size_t left = static_cast<std::size_t>(std::min(2 * x, level.width - 1)) * 4;
      const std::size_t right = static_cast<std::size_t>(std::min(2 * x + 1, level.width - 1)) * 4;
      for (int c = 0; c < 3; ++c) {
        if (srgb) {
          const unsigned sum = tables.to_linear[top[left + c]] + tables.to_linear[top[right + c]] +
                               tables.to_linear[bottom[left + c]] + tables.to_linear[bottom[right + c]];
          out[c] = tables.from_linear[(sum + 2) / 4];
        } else {
          out[c] = static_cast<std::uint8_t>(
              (top[left + c] + top[right + c] + bottom[left + c] + bottom[right + c] + 2) / 4);
        }
      }
      out[3] =
          static_cast<std::uint8_t>((top[left + 3] + top[right + 3] + bottom[left + 3] + bottom[right + 3] + 2) / 4);
    }
  }
  return next;
}

}  // namespace thumbgen::render
