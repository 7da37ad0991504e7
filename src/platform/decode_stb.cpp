// Debian's libstb provides the stb_image implementation (linked as -lstb), so no STB_IMAGE_IMPLEMENTATION here.
#include <stb/stb_image.h>

#include <climits>
#include <memory>
#include <string>

#include "platform/decoders.h"
#include "platform/downscale.h"
#include "scene/load_error.h"

namespace thumbgen::platform::detail {

scene::Image decode_with_stb(std::span<const std::uint8_t> bytes, int max_dimension, const char* format) {
  if (bytes.size() > INT_MAX) throw scene::LoadError("image file too large");
  const auto length = static_cast<int>(bytes.size());
  int width = 0, height = 0, channels = 0;
  // The header first, so the size limits hold before stb allocates anything.
  if (!stbi_info_from_memory(bytes.data(), length, &width, &height, &channels)) {
    if (!format) throw scene::LoadError("unsupported texture format");
    throw scene::LoadError(std::string("corrupt ") + format + ": " + stbi_failure_reason());
  }
  check_image_size(width, height);
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(bytes.data(), length, &width, &height, &channels, 4), stbi_image_free);
  if (!pixels)
    throw scene::LoadError(std::string("corrupt ") + (format ? format : "image") + ": " + stbi_failure_reason());
  return downscale_to_fit(pixels.get(), width, height, max_dimension);
}

}  // namespace thumbgen::platform::detail
