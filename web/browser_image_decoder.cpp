#include "browser_image_decoder.h"

#include <algorithm>
#include <climits>
#include <memory>
#include <string>

#include "scene/load_error.h"

// Static so these copies can never clash with another stb in the same link.
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS 16384
#include <stb_image.h>

#define STB_IMAGE_RESIZE_STATIC
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb_image_resize.h>

namespace thumbgen::web {
namespace {

struct StbFree {
  void operator()(stbi_uc* pixels) const { stbi_image_free(pixels); }
};

}  // namespace

scene::Image BrowserImageDecoder::decode(std::span<const std::uint8_t> bytes, int max_dimension) {
  if (bytes.empty() || bytes.size() > INT_MAX) throw scene::LoadError("image: empty or too large");
  // stb_image reads no WebP; say so instead of stb's "unknown image type" (SOG splats need WebP: they fail clearly).
  if (bytes.size() >= 12 && std::equal(bytes.begin() + 8, bytes.begin() + 12, "WEBP")) {
    throw scene::LoadError("image: WebP is not decodable in the browser build");
  }
  const auto length = static_cast<int>(bytes.size());
  int width = 0, height = 0, channels = 0;
  // The header first: refuse huge images before allocating for them.
  if (!stbi_info_from_memory(bytes.data(), length, &width, &height, &channels)) {
    throw scene::LoadError(std::string("image: ") + stbi_failure_reason());
  }
  if (width <= 0 || height <= 0 || static_cast<long long>(width) * height > kMaxPixels) {
    throw scene::LoadError("image: " + std::to_string(width) + "x" + std::to_string(height) + " is too large");
  }
  std::unique_ptr<stbi_uc, StbFree> pixels(stbi_load_from_memory(bytes.data(), length, &width, &height, &channels, 4));
  if (!pixels) throw scene::LoadError(std::string("image: ") + stbi_failure_reason());

  scene::Image image;
  const int limit = std::max(max_dimension, 1);
  if (width <= limit && height <= limit) {
    image.width = width;
    image.height = height;
    image.rgba.assign(pixels.get(), pixels.get() + static_cast<std::size_t>(width) * height * 4);
    return image;
  }
  // Downscale keeping the aspect ratio (a plain average: the decoder does not know sRGB from linear data).
  const double scale = static_cast<double>(limit) / std::max(width, height);
  image.width = std::clamp(static_cast<int>(width * scale + 0.5), 1, limit);
  image.height = std::clamp(static_cast<int>(height * scale + 0.5), 1, limit);
  image.rgba.resize(static_cast<std::size_t>(image.width) * image.height * 4);
  if (!stbir_resize_uint8(pixels.get(), width, height, 0, image.rgba.data(), image.width, image.height, 0, 4)) {
    throw scene::LoadError("image: downscaling failed");
  }
  return image;
}

}  // namespace thumbgen::web
