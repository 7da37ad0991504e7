// The sRGB transfer function (IEC 61966-2-1), both ways, for values in [0, 1]. One definition for the loaders
// (material colours), the renderer (background, straight alpha) and the CPU mipmaps; float or double as called.
#pragma once

#include <cmath>
#include <concepts>

namespace thumbgen::scene {

template <std::floating_point T>
T srgb_to_linear(T c) {
  return c <= T(0.04045) ? c / T(12.92) : std::pow((c + T(0.055)) / T(1.055), T(2.4));
}

template <std::floating_point T>
T linear_to_srgb(T linear) {
  return linear <= T(0.0031308) ? linear * T(12.92) : T(1.055) * std::pow(linear, T(1) / T(2.4)) - T(0.055);
}

}  // namespace thumbgen::scene
