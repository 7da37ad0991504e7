#include "scene/splat_common.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "scene/load_error.h"

namespace thumbgen::scene::splat {
namespace {

constexpr int kSrgbTableSize = 4096;

const std::array<float, kSrgbTableSize + 1>& srgb_table() {
  static const auto table = [] {
    std::array<float, kSrgbTableSize + 1> t{};
    for (int i = 0; i <= kSrgbTableSize; ++i) {
      const double c = static_cast<double>(i) / kSrgbTableSize;
      t[static_cast<std::size_t>(i)] =
          static_cast<float>(c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4));
    }
    return t;
  }();
  return table;
}

bool finite(const glm::vec3& v) { return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z); }

}  // namespace

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

float half_to_float(std::uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  float value;
  if (exponent == 0) {
    value = std::ldexp(static_cast<float>(mantissa), -24);
  } else if (exponent == 31) {
    value = mantissa ? NAN : INFINITY;
  } else {
    value = std::ldexp(static_cast<float>(mantissa | 0x400), exponent - 25);
  }
  return (h & 0x8000) ? -value : value;
}

float srgb_to_linear(float c) {
  const float clamped = std::clamp(c, 0.0f, 1.0f);  // NaN-safe enough: NaN splats are dropped by the builder
  const auto index = static_cast<std::size_t>(clamped * kSrgbTableSize + 0.5f);
  return srgb_table()[std::min<std::size_t>(index, kSrgbTableSize)];
}

glm::vec3 dc_to_display_rgb(const glm::vec3& f_dc) {
  return glm::clamp(glm::vec3(0.5f) + kShC0 * f_dc, glm::vec3(0.0f), glm::vec3(1.0f));
}

void check_splat_count(std::uint64_t count, const LoadLimits& limits, const char* format) {
  if (count > limits.max_splats) {
    throw LoadError(std::string(format) + ": " + std::to_string(count) + " splats exceed the limit of " +
                    std::to_string(limits.max_splats));
  }
}

CloudBuilder::CloudBuilder(std::size_t expected, Axes axes, const char* format) : axes_(axes), format_(format) {
  cloud_.positions.reserve(expected);
  cloud_.scales.reserve(expected);
  cloud_.rotations.reserve(expected);
  cloud_.colors.reserve(expected);
}

void CloudBuilder::add(const glm::vec3& position, const glm::vec3& scale, const glm::quat& rotation,
                       const glm::vec3& color, float opacity) {
  const float length = std::sqrt(glm::dot(rotation, rotation));
  if (!finite(position) || !finite(scale) || !finite(color) || !std::isfinite(opacity) || !std::isfinite(length) ||
      length < 1e-8f) {
    ++dropped_;
    return;
  }
  glm::quat q = rotation / length;
  glm::vec3 p = position;
  if (axes_ == Axes::RightDownForward) {
    // 180° about X: (x, y, z) → (x, −y, −z); the rotation becomes Rx(180°)·q.
    p = {p.x, -p.y, -p.z};
    q = glm::quat(0.0f, 1.0f, 0.0f, 0.0f) * q;
  }
  cloud_.positions.push_back(p);
  cloud_.scales.push_back(glm::abs(scale));
  cloud_.rotations.push_back(q);
  cloud_.colors.emplace_back(glm::clamp(color, 0.0f, 1.0f), std::clamp(opacity, 0.0f, 1.0f));
}

SplatCloud CloudBuilder::finish() {
  if (cloud_.positions.empty()) {
    throw LoadError(std::string(format_) + (dropped_
                                                ? ": all " + std::to_string(dropped_) + " splats have non-finite values"
                                                : std::string(": file contains no splats")));
  }
  return std::move(cloud_);
}

}  // namespace thumbgen::scene::splat
