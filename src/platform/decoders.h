// Internal to texture_decoder.cpp: one decoder per codec, plus the limits they share.
#pragma once

#include <cstdint>
#include <span>

#include "scene/scene.h"

namespace thumbgen::platform::detail {

constexpr int kMaxImageSide = 16384;
constexpr std::uint64_t kMaxImagePixels = 256'000'000;  // 256 Mpixel: 1 GB as RGBA8

// Throws LoadError("image too large ...") for sizes over the limits, or zero/negative sizes.
void check_image_size(long long width, long long height);

// Each takes max_dimension >= 1 and throws LoadError("corrupt <FORMAT>: ...") on bad data.
scene::Image decode_jpeg(std::span<const std::uint8_t> bytes, int max_dimension);
scene::Image decode_png(std::span<const std::uint8_t> bytes, int max_dimension);
scene::Image decode_webp(std::span<const std::uint8_t> bytes, int max_dimension);
// BMP, TGA, GIF (first frame), PSD, HDR, PNM. `format` names the detected format for messages ("image" if unknown).
scene::Image decode_with_stb(std::span<const std::uint8_t> bytes, int max_dimension, const char* format);

}  // namespace thumbgen::platform::detail
