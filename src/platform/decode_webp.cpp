#include <webp/decode.h>

#include <string>
#include <vector>

#include "platform/decoders.h"
#include "platform/downscale.h"
#include "scene/load_error.h"

namespace thumbgen::platform::detail {

scene::Image decode_webp(std::span<const std::uint8_t> bytes, int max_dimension) {
  WebPDecoderConfig config;
  if (!WebPInitDecoderConfig(&config)) throw scene::LoadError("WebP decoder unavailable");
  if (WebPGetFeatures(bytes.data(), bytes.size(), &config.input) != VP8_STATUS_OK)
    throw scene::LoadError("corrupt WebP: bad header");
  if (config.input.has_animation) throw scene::LoadError("unsupported texture format: animated WebP");
  check_image_size(config.input.width, config.input.height);

  // libwebp rescales while decoding (area average), so the full-size image is never held.
  const Size fitted = fit_within(config.input.width, config.input.height, max_dimension);
  if (fitted.width != config.input.width || fitted.height != config.input.height) {
    config.options.use_scaling = 1;
    config.options.scaled_width = fitted.width;
    config.options.scaled_height = fitted.height;
  }
  scene::Image image{fitted.width, fitted.height, {}};
  image.rgba.resize(static_cast<std::size_t>(fitted.width) * fitted.height * 4);
  config.output.colorspace = MODE_RGBA;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = image.rgba.data();
  config.output.u.RGBA.stride = fitted.width * 4;
  config.output.u.RGBA.size = image.rgba.size();
  const VP8StatusCode status = WebPDecode(bytes.data(), bytes.size(), &config);
  WebPFreeDecBuffer(&config.output);
  if (status != VP8_STATUS_OK) throw scene::LoadError("corrupt WebP: decoder status " + std::to_string(status));
  return image;
}

}  // namespace thumbgen::platform::detail
