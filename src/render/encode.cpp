#include "render/encode.h"

#include <spng.h>
#include <turbojpeg.h>
#include <webp/encode.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "util/ascii.h"

namespace thumbgen::render {

namespace {

// Measured at 1280×720 (2-core machine): libspng's default (adaptive choice of all filters, zlib level 6) took
// 110–170 ms; the UP filter with run-length deflate 23–26 ms, for files 10–30 % larger. Thumbnails favour speed.
constexpr int kPngFilters = SPNG_FILTER_CHOICE_UP;
constexpr int kPngStrategy = Z_RLE;
constexpr int kPngLevel = 6;
// libwebp method 2 took 42 ms against 93 ms for the default method 4, for files 4–9 % larger.
constexpr int kWebpMethod = 2;

void check_image(const scene::Image& image) {
  if (image.empty() || image.rgba.size() != static_cast<std::size_t>(image.width) * image.height * 4)
    throw std::runtime_error("encode: invalid image");
}

bool fully_opaque(const scene::Image& image) {
  for (std::size_t i = 3; i < image.rgba.size(); i += 4)
    if (image.rgba[i] != 255) return false;
  return true;
}

// RGB with every pixel composited over black (= premultiplied by alpha).
std::vector<std::uint8_t> over_black(const scene::Image& image) {
  std::vector<std::uint8_t> rgb(image.rgba.size() / 4 * 3);
  for (std::size_t i = 0, o = 0; i < image.rgba.size(); i += 4, o += 3) {
    const unsigned a = image.rgba[i + 3];
    for (int c = 0; c < 3; ++c) rgb[o + c] = static_cast<std::uint8_t>((image.rgba[i + c] * a + 127) / 255);
  }
  return rgb;
}

std::vector<std::uint8_t> encode_jpeg(const scene::Image& image, int quality) {
  std::unique_ptr<void, int (*)(tjhandle)> handle(tjInitCompress(), tjDestroy);
  if (!handle) throw std::runtime_error("JPEG encoder unavailable");
  std::vector<std::uint8_t> rgb;
  const bool opaque = fully_opaque(image);
  if (!opaque) rgb = over_black(image);
  unsigned char* out = nullptr;
  unsigned long out_size = 0;
  const int error = tjCompress2(handle.get(), opaque ? image.rgba.data() : rgb.data(), image.width, 0, image.height,
                                opaque ? TJPF_RGBA : TJPF_RGB, &out, &out_size, TJSAMP_420, quality, 0);
  std::unique_ptr<unsigned char, void (*)(unsigned char*)> owned(out, tjFree);
  if (error != 0) throw std::runtime_error(std::string("JPEG encoding failed: ") + tjGetErrorStr2(handle.get()));
  return {out, out + out_size};
}

std::vector<std::uint8_t> encode_png(const scene::Image& image) {
  std::unique_ptr<spng_ctx, void (*)(spng_ctx*)> ctx(spng_ctx_new(SPNG_CTX_ENCODER), spng_ctx_free);
  if (!ctx) throw std::runtime_error("PNG encoder unavailable");
  // Opaque renders are written as RGB: a quarter less data to filter and deflate.
  const bool opaque = fully_opaque(image);
  std::vector<std::uint8_t> rgb;
  if (opaque) rgb = over_black(image);
  spng_ihdr ihdr{};
  ihdr.width = static_cast<std::uint32_t>(image.width);
  ihdr.height = static_cast<std::uint32_t>(image.height);
  ihdr.bit_depth = 8;
  ihdr.color_type = opaque ? SPNG_COLOR_TYPE_TRUECOLOR : SPNG_COLOR_TYPE_TRUECOLOR_ALPHA;
  const std::vector<std::uint8_t>& pixels = opaque ? rgb : image.rgba;
  int error = spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1);
  if (!error) error = spng_set_option(ctx.get(), SPNG_IMG_COMPRESSION_LEVEL, kPngLevel);
  if (!error) error = spng_set_option(ctx.get(), SPNG_IMG_COMPRESSION_STRATEGY, kPngStrategy);
  if (!error) error = spng_set_option(ctx.get(), SPNG_FILTER_CHOICE, kPngFilters);
  if (!error) error = spng_set_ihdr(ctx.get(), &ihdr);
  if (!error) error = spng_encode_image(ctx.get(), pixels.data(), pixels.size(), SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
  if (error) throw std::runtime_error(std::string("PNG encoding failed: ") + spng_strerror(error));
  std::size_t size = 0;
  std::unique_ptr<void, void (*)(void*)> buffer(spng_get_png_buffer(ctx.get(), &size, &error), std::free);
  if (!buffer || error) throw std::runtime_error(std::string("PNG encoding failed: ") + spng_strerror(error));
  const auto* bytes = static_cast<const std::uint8_t*>(buffer.get());
  return {bytes, bytes + size};
}

std::vector<std::uint8_t> encode_webp(const scene::Image& image, int quality) {
  WebPConfig config;
  WebPPicture picture;
  if (!WebPConfigInit(&config) || !WebPPictureInit(&picture)) throw std::runtime_error("WebP encoder unavailable");
  config.quality = static_cast<float>(quality);
  config.method = kWebpMethod;
  picture.width = image.width;
  picture.height = image.height;
  WebPMemoryWriter writer;
  WebPMemoryWriterInit(&writer);
  picture.writer = WebPMemoryWrite;
  picture.custom_ptr = &writer;
  const bool ok = WebPPictureImportRGBA(&picture, image.rgba.data(), image.width * 4) && WebPEncode(&config, &picture);
  const int error = picture.error_code;
  WebPPictureFree(&picture);
  std::vector<std::uint8_t> bytes;
  if (ok) bytes.assign(writer.mem, writer.mem + writer.size);
  WebPMemoryWriterClear(&writer);
  if (!ok) throw std::runtime_error("WebP encoding failed (error " + std::to_string(error) + ")");
  return bytes;
}

}  // namespace

ImageFormat parse_image_format(const std::string& name) {
  const std::string lower = util::to_lower_ascii(name);
  if (lower == "jpg" || lower == "jpeg") return ImageFormat::Jpeg;
  if (lower == "png") return ImageFormat::Png;
  if (lower == "webp") return ImageFormat::Webp;
  throw std::invalid_argument("unknown image format \"" + name + "\" (expected jpg, png or webp)");
}

const char* file_extension(ImageFormat format) {
  switch (format) {
    case ImageFormat::Jpeg:
      return "jpg";
    case ImageFormat::Png:
      return "png";
    case ImageFormat::Webp:
      return "webp";
  }
  return "jpg";
}

std::vector<std::uint8_t> encode_image(const scene::Image& image, ImageFormat format, int quality) {
  check_image(image);
  quality = std::clamp(quality, 1, 100);
  switch (format) {
    case ImageFormat::Jpeg:
      return encode_jpeg(image, quality);
    case ImageFormat::Png:
      return encode_png(image);
    case ImageFormat::Webp:
      return encode_webp(image, quality);
  }
  throw std::runtime_error("encode: unknown format");
}

}  // namespace thumbgen::render
