// Native ImageDecoder: JPEG (libjpeg-turbo), PNG (libspng), WebP (libwebp), BMP/TGA/GIF/PSD/HDR/PNM (stb_image).
#pragma once

#include "scene/image_decoder.h"

namespace thumbgen::platform {

// Detects the format by its magic bytes (never by name) and decodes to RGBA8 no larger than max_dimension
// (max_dimension <= 0: no downscaling). JPEGs are decoded at 1/2, 1/4 or 1/8 scale when that is enough.
// Refuses images over 16384 px a side or 256 Mpixel before allocating; KTX2/Basis/DDS are unsupported.
class TextureDecoder final : public scene::ImageDecoder {
 public:
  scene::Image decode(std::span<const std::uint8_t> bytes, int max_dimension) override;
};

}  // namespace thumbgen::platform
