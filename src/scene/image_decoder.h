// Texture decoding behind an interface: native builds use libjpeg-turbo/libspng, the browser build its own.
#pragma once

#include <cstdint>
#include <span>

#include "scene/scene.h"

namespace thumbgen::scene {

class ImageDecoder {
 public:
  virtual ~ImageDecoder() = default;
  // Decodes an encoded image (JPEG, PNG, ...) to RGBA8. The result's larger side is at most max_dimension
  // (decoders downscale: a 1280×720 thumbnail never needs a 4096² texture). Throws LoadError on failure.
  virtual Image decode(std::span<const std::uint8_t> bytes, int max_dimension) = 0;
};

}  // namespace thumbgen::scene
