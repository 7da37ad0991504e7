#include "browser_image_decoder.h"

#include <algorithm>
#include <climits>
#include <memory>
#include <string>

#include <webp/decode.h>

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

struct WebPFreer {
  void operator()(std::uint8_t* pixels) const { WebPFree(pixels); }
};

void check_dimensions(int width, int height) {
  if (width <= 0 || height <= 0 || static_cast<long long>(width) * height > BrowserImageDecoder::kMaxPixels) {
    throw scene::LoadError("image: " + std::to_string(width) + "x" + std::to_string(height) + " is too large");
  }
}

// Decoded RGBA → an Image no larger than max_dimension on either side, keeping the aspect ratio.
scene::Image to_image(const std::uint8_t* pixels, int width, int height, int max_dimension) {
  scene::Image image;
  const int limit = std::max(max_dimension, 1);
  if (width <= limit && height <= limit) {
    image.width = width;
    image.height = height;
    image.rgba.assign(pixels, pixels + static_cast<std::size_t>(width) * height * 4);
    return image;
  }
  // A plain average: the decoder does not know sRGB from linear data.
  const double scale = static_cast<double>(limit) / std::max(width, height);
  image.width = std::clamp(static_cast<int>(width * scale + 0.5), 1, limit);
  image.height = std::clamp(static_cast<int>(height * scale + 0.5), 1, limit);
  image.rgba.resize(static_cast<std::size_t>(image.width) * image.height * 4);
  if (!stbir_resize_uint8(pixels, width, height, 0, image.rgba.data(), image.width, image.height, 0, 4)) {
    throw scene::LoadError("image: downscaling failed");
  }
  return image;
}

// libwebp (built from Debian's source by web/deps): exact, unpremultiplied RGBA, as SOG splats' lossless planes need.
scene::Image decode_webp(std::span<const std::uint8_t> bytes, int max_dimension) {
  int width = 0, height = 0;
  if (!WebPGetInfo(bytes.data(), bytes.size(), &width, &height)) throw scene::LoadError("image: corrupt WebP header");
  check_dimensions(width, height);
  std::unique_ptr<std::uint8_t, WebPFreer> pixels(WebPDecodeRGBA(bytes.data(), bytes.size(), &width, &height));
  if (!pixels) throw scene::LoadError("image: corrupt WebP data");
  return to_image(pixels.get(), width, height, max_dimension);
}

}  // namespace

scene::Image BrowserImageDecoder::decode(std::span<const std::uint8_t> bytes, int max_dimension) {
  if (bytes.empty() || bytes.size() > INT_MAX) throw scene::LoadError("image: empty or too large");
  if (bytes.size() >= 12 && std::equal(bytes.begin(), bytes.begin() + 4, "RIFF") &&
      std::equal(bytes.begin() + 8, bytes.begin() + 12, "WEBP")) {
    return decode_webp(bytes, max_dimension);
  }
  const auto length = static_cast<int>(bytes.size());
  int width = 0, height = 0, channels = 0;
  // The header first: refuse huge images before allocating for them.
  if (!stbi_info_from_memory(bytes.data(), length, &width, &height, &channels)) {
    throw scene::LoadError(std::string("image: ") + stbi_failure_reason());
  }
  check_dimensions(width, height);
  std::unique_ptr<stbi_uc, StbFree> pixels(stbi_load_from_memory(bytes.data(), length, &width, &height, &channels, 4));
  if (!pixels) throw scene::LoadError(std::string("image: ") + stbi_failure_reason());
  return to_image(pixels.get(), width, height, max_dimension);
}

}  // namespace thumbgen::web
