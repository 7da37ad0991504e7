// RGBA → JPEG / PNG / WebP bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scene/scene.h"

namespace thumbgen::render {

enum class ImageFormat { Jpeg, Png, Webp };

ImageFormat parse_image_format(const std::string& name);  // "jpg"|"jpeg"|"png"|"webp"; throws std::invalid_argument
const char* file_extension(ImageFormat format);           // "jpg", "png", "webp"

// JPEG has no alpha: transparent pixels are composited over black. Throws std::runtime_error on failure.
std::vector<std::uint8_t> encode_image(const scene::Image& image, ImageFormat format, int quality);

}  // namespace thumbgen::render
