// scene::ImageDecoder for the browser build: stb_image (Debian's libstb-dev header) compiled into the wasm.
// Emscripten's -sUSE_LIBJPEG/-sUSE_LIBPNG ports need the network, and the browser's own decoders are async
// (createImageBitmap), which the synchronous loader cannot wait for.
#pragma once

#include "scene/image_decoder.h"

namespace thumbgen::web {

class BrowserImageDecoder final : public scene::ImageDecoder {
 public:
  // Images with more pixels than this are refused before decoding (wasm memory is at most 4 GiB).
  static constexpr long long kMaxPixels = 64ll << 20;

  scene::Image decode(std::span<const std::uint8_t> bytes, int max_dimension) override;
};

}  // namespace thumbgen::web
