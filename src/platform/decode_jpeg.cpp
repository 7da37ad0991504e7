#include <turbojpeg.h>

#include <memory>
#include <string>
#include <vector>

#include "platform/decoders.h"
#include "platform/downscale.h"
#include "scene/load_error.h"

namespace thumbgen::platform::detail {

namespace {

struct TjDestroy {
  void operator()(void* handle) const { tjDestroy(handle); }
};

[[noreturn]] void fail(tjhandle handle) {
  throw scene::LoadError(std::string("corrupt JPEG: ") + tjGetErrorStr2(handle));
}

// The smallest DCT scaling factor (1/8 ... 1/1) whose output still has a longest side >= target.
tjscalingfactor choose_scale(int longest, int target) {
  tjscalingfactor best{1, 1};
  int count = 0;
  const tjscalingfactor* factors = tjGetScalingFactors(&count);
  for (int i = 0; factors && i < count; ++i) {
    const tjscalingfactor f = factors[i];
    if (f.num > f.denom || TJSCALED(longest, f) < target) continue;
    if (static_cast<long long>(f.num) * best.denom < static_cast<long long>(best.num) * f.denom) best = f;
  }
  return best;
}

// Adobe CMYK JPEGs store inverted ink values, so the colour is simply C·K, M·K, Y·K.
void cmyk_to_rgba(std::vector<std::uint8_t>& pixels) {
  for (std::size_t i = 0; i + 3 < pixels.size(); i += 4) {
    const unsigned k = pixels[i + 3];
    for (int c = 0; c < 3; ++c) pixels[i + c] = static_cast<std::uint8_t>((pixels[i + c] * k + 127) / 255);
    pixels[i + 3] = 255;
  }
}

}  // namespace

scene::Image decode_jpeg(std::span<const std::uint8_t> bytes, int max_dimension) {
  std::unique_ptr<void, TjDestroy> handle(tjInitDecompress());
  if (!handle) throw scene::LoadError("JPEG decoder unavailable");
  if (bytes.size() > 0xFFFFFFFFul) throw scene::LoadError("corrupt JPEG: file too large");
  const auto size = static_cast<unsigned long>(bytes.size());
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(handle.get(), bytes.data(), size, &width, &height, &subsampling, &colorspace) != 0)
    fail(handle.get());
  if (width <= 0 || height <= 0) throw scene::LoadError("corrupt JPEG: no image size");
  check_image_size(width, height);

  const int longest = std::max(width, height);
  const tjscalingfactor scale = choose_scale(longest, std::min(max_dimension, longest));
  const int scaled_width = TJSCALED(width, scale), scaled_height = TJSCALED(height, scale);
  const bool cmyk = colorspace == TJCS_CMYK || colorspace == TJCS_YCCK;  // libjpeg cannot convert these to RGB
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(scaled_width) * scaled_height * 4);
  // LIMITSCANS stops progressive JPEGs crafted with thousands of scans; warnings (truncated data) are errors,
  // as the missing part would decode as flat grey.
  if (tjDecompress2(handle.get(), bytes.data(), size, pixels.data(), scaled_width, 0, scaled_height,
                    cmyk ? TJPF_CMYK : TJPF_RGBA, TJFLAG_LIMITSCANS) != 0)
    fail(handle.get());
  if (cmyk) cmyk_to_rgba(pixels);

  const Size fitted = fit_within(scaled_width, scaled_height, max_dimension);
  if (fitted.width == scaled_width && fitted.height == scaled_height)
    return scene::Image{scaled_width, scaled_height, std::move(pixels)};
  return downscale_to_fit(pixels.data(), scaled_width, scaled_height, max_dimension);
}

}  // namespace thumbgen::platform::detail
