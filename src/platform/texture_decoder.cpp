#include "platform/texture_decoder.h"

#include <cstring>
#include <string>

#include "platform/decoders.h"
#include "scene/load_error.h"

namespace thumbgen::platform {

namespace {

enum class Codec { Jpeg, Png, Webp, Stb };

struct Detected {
  Codec codec;
  const char* name;
};

bool starts_with(std::span<const std::uint8_t> bytes, const char* magic, std::size_t length, std::size_t at = 0) {
  return bytes.size() >= at + length && std::memcmp(bytes.data() + at, magic, length) == 0;
}

// Magic bytes only: names lie (a ".png" that holds a JPEG is common in exported models).
Detected detect(std::span<const std::uint8_t> bytes) {
  if (starts_with(bytes, "\xFF\xD8\xFF", 3)) return {Codec::Jpeg, "JPEG"};
  if (starts_with(bytes, "\x89PNG\r\n\x1A\n", 8)) return {Codec::Png, "PNG"};
  if (starts_with(bytes, "RIFF", 4) && starts_with(bytes, "WEBP", 4, 8)) return {Codec::Webp, "WebP"};
  if (starts_with(bytes, "\xABKTX 20\xBB\r\n\x1A\n", 12)) throw scene::LoadError("unsupported texture format: KTX2");
  if (starts_with(bytes, "\xABKTX 11\xBB\r\n\x1A\n", 12)) throw scene::LoadError("unsupported texture format: KTX");
  if (starts_with(bytes, "sB", 2)) throw scene::LoadError("unsupported texture format: Basis Universal");
  if (starts_with(bytes, "DDS ", 4)) throw scene::LoadError("unsupported texture format: DDS");
  if (starts_with(bytes, "II*\0", 4) || starts_with(bytes, "MM\0*", 4))
    throw scene::LoadError("unsupported texture format: TIFF");
  if (starts_with(bytes, "ftypavif", 8, 4) || starts_with(bytes, "ftypavis", 8, 4))
    throw scene::LoadError("unsupported texture format: AVIF");
  if (starts_with(bytes, "\x76\x2F\x31\x01", 4)) throw scene::LoadError("unsupported texture format: OpenEXR");
  if (starts_with(bytes, "BM", 2)) return {Codec::Stb, "BMP"};
  if (starts_with(bytes, "GIF87a", 6) || starts_with(bytes, "GIF89a", 6)) return {Codec::Stb, "GIF"};
  if (starts_with(bytes, "8BPS", 4)) return {Codec::Stb, "PSD"};
  if (starts_with(bytes, "#?RADIANCE", 10) || starts_with(bytes, "#?RGBE", 6)) return {Codec::Stb, "HDR"};
  // TGA has no magic; stb_image recognises it (and PNM) by header plausibility.
  return {Codec::Stb, nullptr};
}

}  // namespace

namespace detail {

void check_image_size(long long width, long long height) {
  if (width <= 0 || height <= 0)
    throw scene::LoadError("invalid image size " + std::to_string(width) + "x" + std::to_string(height));
  if (width > kMaxImageSide || height > kMaxImageSide ||
      static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height) > kMaxImagePixels)
    throw scene::LoadError("image too large (" + std::to_string(width) + "x" + std::to_string(height) + ", limit " +
                           std::to_string(kMaxImageSide) + " px a side and " +
                           std::to_string(kMaxImagePixels / 1'000'000) + " Mpixel)");
}

}  // namespace detail

scene::Image TextureDecoder::decode(std::span<const std::uint8_t> bytes, int max_dimension) {
  if (bytes.empty()) throw scene::LoadError("empty image file");
  if (max_dimension <= 0) max_dimension = detail::kMaxImageSide;
  const Detected format = detect(bytes);
  switch (format.codec) {
    case Codec::Jpeg:
      return detail::decode_jpeg(bytes, max_dimension);
    case Codec::Png:
      return detail::decode_png(bytes, max_dimension);
    case Codec::Webp:
      return detail::decode_webp(bytes, max_dimension);
    case Codec::Stb:
      break;
  }
  return detail::decode_with_stb(bytes, max_dimension, format.name);
}

}  // namespace thumbgen::platform
