#include "server/upload_validation.h"

#include <openssl/evp.h>
#include <spng.h>
#include <turbojpeg.h>
#include <webp/encode.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>

#include "util/base64.h"

namespace thumbgen::server {
namespace {

constexpr const char* kUnsupportedType = "Unsupported image type: only JPEG and PNG are accepted";
// Ancillary chunks (text, ICC profiles) are never needed; spng may cache at most this much of them.
constexpr std::size_t kPngChunkCacheBytes = 1u << 20;
// No chunk but IDAT may be larger than this (browsers write none bigger than a few KiB).
constexpr std::size_t kPngMaxAncillaryChunkBytes = 1u << 20;

struct TurboJpegDeleter {
  void operator()(void* handle) const { tjDestroy(handle); }
};
using TurboJpegHandle = std::unique_ptr<void, TurboJpegDeleter>;

struct SpngDeleter {
  void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};
using SpngContext = std::unique_ptr<spng_ctx, SpngDeleter>;

struct Decoded {
  std::vector<std::uint8_t> rgba;  // width * height * 4, straight alpha
  int width = 0, height = 0;
  bool opaque = true;  // every alpha is 255 (always for JPEG)
};

UploadError corrupt(std::string reason) { return {422, "Corrupt image: " + std::move(reason)}; }

UploadError too_large(int width, int height, const UploadLimits& limits) {
  return {413, "Image too large: " + std::to_string(width) + "x" + std::to_string(height) + " exceeds " +
                   std::to_string(limits.max_width) + "x" + std::to_string(limits.max_height)};
}

// Zero → 422 (not an image we can use), beyond the limits → 413.
std::optional<UploadError> check_dimensions(long long width, long long height, const UploadLimits& limits) {
  if (width <= 0 || height <= 0) return corrupt("zero image dimensions");
  if (width > limits.max_width || height > limits.max_height ||
      static_cast<unsigned long long>(width) * static_cast<unsigned long long>(height) * 4 >
          limits.max_decoded_pixels_bytes)
    return too_large(static_cast<int>(std::min<long long>(width, INT32_MAX)),
                     static_cast<int>(std::min<long long>(height, INT32_MAX)), limits);
  return std::nullopt;
}

std::variant<Decoded, UploadError> decode_jpeg(const std::vector<std::uint8_t>& bytes, const UploadLimits& limits) {
  TurboJpegHandle handle(tjInitDecompress());
  if (!handle) return UploadError{500, "JPEG decoder unavailable"};
  auto* data = const_cast<unsigned char*>(bytes.data());  // TurboJPEG 2.x takes non-const input it never writes
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(handle.get(), data, bytes.size(), &width, &height, &subsampling, &colorspace) != 0)
    return corrupt(std::string("bad JPEG header (") + tjGetErrorStr2(handle.get()) + ")");
  if (auto error = check_dimensions(width, height, limits)) return *error;
  // libjpeg cannot convert CMYK/YCCK to RGB; a browser canvas never produces them, so refuse instead of guessing
  // whether the ink values are Adobe-inverted.
  if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK) return corrupt("CMYK JPEG is not supported");

  Decoded decoded{std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height * 4), width, height};
  // Any libjpeg warning (truncation, bad Huffman data, extraneous bytes) is fatal; >500 progressive scans too.
  if (tjDecompress2(handle.get(), data, bytes.size(), decoded.rgba.data(), width, 0, height, TJPF_RGBA,
                    TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS) != 0)
    return corrupt(tjGetErrorStr2(handle.get()));
  return decoded;
}

// Walks every chunk checking its CRC, size and name, up to IEND. Hand-written because libspng 0.7.3 was measured
// to accept a PNG whose IDAT CRC is wrong (it stops reading once the image data is complete).
std::optional<UploadError> check_png_chunks(const std::vector<std::uint8_t>& bytes) {
  std::size_t at = 8;
  while (true) {
    if (bytes.size() - at < 12) return corrupt("truncated PNG");
    const std::uint32_t length =
        (std::uint32_t{bytes[at]} << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
    if (length > bytes.size() - at - 12) return corrupt("truncated PNG");
    const std::uint8_t* type = bytes.data() + at + 4;
    for (int i = 0; i < 4; ++i)
      if (!((type[i] >= 'A' && type[i] <= 'Z') || (type[i] >= 'a' && type[i] <= 'z'))) return corrupt("bad PNG chunk");
    const bool is_idat = std::memcmp(type, "IDAT", 4) == 0;
    if (!is_idat && length > kPngMaxAncillaryChunkBytes) return corrupt("PNG chunk too large");
    const std::uint8_t* crc_at = type + 4 + length;
    const std::uint32_t stored = (std::uint32_t{crc_at[0]} << 24) | (crc_at[1] << 16) | (crc_at[2] << 8) | crc_at[3];
    if (crc32(0, type, 4 + length) != stored) return corrupt("PNG CRC mismatch");
    at += 12 + std::size_t{length};
    if (std::memcmp(type, "IEND", 4) == 0) return std::nullopt;
  }
}

std::variant<Decoded, UploadError> decode_png(const std::vector<std::uint8_t>& bytes, const UploadLimits& limits) {
  if (auto error = check_png_chunks(bytes)) return *error;
  SpngContext ctx(spng_ctx_new(0));
  if (!ctx) return UploadError{500, "PNG decoder unavailable"};
  spng_set_crc_action(ctx.get(), SPNG_CRC_ERROR, SPNG_CRC_ERROR);
  spng_set_chunk_limits(ctx.get(), bytes.size(), kPngChunkCacheBytes);
  spng_set_image_limits(ctx.get(), static_cast<std::uint32_t>(limits.max_width),
                        static_cast<std::uint32_t>(limits.max_height));
  if (spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size()) != 0) return corrupt("unreadable PNG");

  spng_ihdr ihdr{};
  if (const int rc = spng_get_ihdr(ctx.get(), &ihdr); rc != 0) {
    // spng reports our own limits as EUSER_*; read the declared size from the IHDR bytes for the message.
    if (rc == SPNG_EUSER_WIDTH || rc == SPNG_EUSER_HEIGHT) {
      auto be32 = [&](std::size_t at) {
        return (static_cast<long long>(bytes[at]) << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
      };
      return too_large(static_cast<int>(std::min<long long>(be32(16), INT32_MAX)),
                       static_cast<int>(std::min<long long>(be32(20), INT32_MAX)), limits);
    }
    if (rc == SPNG_EWIDTH || rc == SPNG_EHEIGHT) return corrupt("invalid PNG dimensions");
    return corrupt(std::string("bad PNG header (") + spng_strerror(rc) + ")");
  }
  if (auto error = check_dimensions(ihdr.width, ihdr.height, limits)) return *error;

  std::size_t rgba_size = 0;
  if (const int rc = spng_decoded_image_size(ctx.get(), SPNG_FMT_RGBA8, &rgba_size); rc != 0)
    return corrupt(spng_strerror(rc));
  if (rgba_size > limits.max_decoded_pixels_bytes) return too_large(ihdr.width, ihdr.height, limits);
  std::vector<std::uint8_t> rgba(rgba_size);
  if (const int rc = spng_decode_image(ctx.get(), rgba.data(), rgba.size(), SPNG_FMT_RGBA8, SPNG_DECODE_TRNS); rc != 0)
    return corrupt(spng_strerror(rc));

  Decoded decoded{std::move(rgba), static_cast<int>(ihdr.width), static_cast<int>(ihdr.height)};
  for (std::size_t at = 3; at < decoded.rgba.size() && decoded.opaque; at += 4)
    decoded.opaque = decoded.rgba[at] == 255;
  return decoded;
}

// Composite over black, as a browser's canvas.toDataURL("image/jpeg") does with transparent pixels (in place: the
// alpha bytes are then ignored as RGBX padding).
void composite_over_black(Decoded& image) {
  for (std::size_t at = 0; at < image.rgba.size(); at += 4) {
    const unsigned alpha = image.rgba[at + 3];
    for (int channel = 0; channel < 3; ++channel)
      image.rgba[at + channel] = static_cast<std::uint8_t>((image.rgba[at + channel] * alpha + 127) / 255);
  }
}

std::variant<std::vector<std::uint8_t>, UploadError> encode_jpeg(Decoded& image, int quality) {
  if (!image.opaque) composite_over_black(image);
  TurboJpegHandle handle(tjInitCompress());
  if (!handle) return UploadError{500, "JPEG encoder unavailable"};
  unsigned char* output = nullptr;
  unsigned long output_size = 0;
  // Baseline (no TJFLAG_PROGRESSIVE), 4:2:0, no metadata: nothing of the upload but its pixels survives.
  const int rc = tjCompress2(handle.get(), image.rgba.data(), image.width, 0, image.height, TJPF_RGBX, &output,
                             &output_size, TJSAMP_420, quality, 0);
  std::unique_ptr<unsigned char, decltype(&tjFree)> owned(output, &tjFree);
  if (rc != 0) return UploadError{500, std::string("JPEG encoding failed: ") + tjGetErrorStr2(handle.get())};
  return std::vector<std::uint8_t>(output, output + output_size);
}

// 8-bit RGBA, or RGB when every pixel is opaque; no ancillary chunk at all.
std::variant<std::vector<std::uint8_t>, UploadError> encode_png(const Decoded& image) {
  SpngContext ctx(spng_ctx_new(SPNG_CTX_ENCODER));
  if (!ctx) return UploadError{500, "PNG encoder unavailable"};
  spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1);
  spng_ihdr ihdr{};
  ihdr.width = static_cast<std::uint32_t>(image.width);
  ihdr.height = static_cast<std::uint32_t>(image.height);
  ihdr.bit_depth = 8;
  ihdr.color_type = image.opaque ? SPNG_COLOR_TYPE_TRUECOLOR : SPNG_COLOR_TYPE_TRUECOLOR_ALPHA;
  std::vector<std::uint8_t> rgb;
  const std::vector<std::uint8_t>* pixels = &image.rgba;
  if (image.opaque) {
    rgb.reserve(image.rgba.size() / 4 * 3);
    for (std::size_t at = 0; at < image.rgba.size(); at += 4)
      rgb.insert(rgb.end(), &image.rgba[at], &image.rgba[at + 3]);
    pixels = &rgb;
  }
  int rc = spng_set_ihdr(ctx.get(), &ihdr);
  if (rc == 0) rc = spng_encode_image(ctx.get(), pixels->data(), pixels->size(), SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
  if (rc != 0) return UploadError{500, std::string("PNG encoding failed: ") + spng_strerror(rc)};
  std::size_t size = 0;
  void* output = spng_get_png_buffer(ctx.get(), &size, &rc);
  std::unique_ptr<void, decltype(&std::free)> owned(output, &std::free);
  if (!output || rc != 0) return UploadError{500, std::string("PNG encoding failed: ") + spng_strerror(rc)};
  auto* bytes = static_cast<const std::uint8_t*>(output);
  return std::vector<std::uint8_t>(bytes, bytes + size);
}

// Lossy WebP at `quality`; the alpha channel is kept only when some pixel is not opaque (libwebp drops it then).
std::variant<std::vector<std::uint8_t>, UploadError> encode_webp(const Decoded& image, int quality) {
  std::uint8_t* output = nullptr;
  const std::size_t size = WebPEncodeRGBA(image.rgba.data(), image.width, image.height, image.width * 4,
                                          static_cast<float>(quality), &output);
  std::unique_ptr<std::uint8_t, decltype(&WebPFree)> owned(output, &WebPFree);
  if (size == 0 || !output) return UploadError{500, "WebP encoding failed"};
  return std::vector<std::uint8_t>(output, output + size);
}

std::string sha256_hex(const std::vector<std::uint8_t>& bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

bool starts_with_bytes(const std::vector<std::uint8_t>& bytes, std::initializer_list<std::uint8_t> prefix) {
  return bytes.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

}  // namespace

std::optional<ThumbnailFormat> parse_thumbnail_format(std::string_view name) {
  if (name == "jpeg" || name == "jpg") return ThumbnailFormat::Jpeg;
  if (name == "png") return ThumbnailFormat::Png;
  if (name == "webp") return ThumbnailFormat::Webp;
  return std::nullopt;
}

const char* thumbnail_format_name(ThumbnailFormat format) {
  switch (format) {
    case ThumbnailFormat::Png:
      return "png";
    case ThumbnailFormat::Webp:
      return "webp";
    case ThumbnailFormat::Jpeg:
      break;
  }
  return "jpeg";
}

const char* thumbnail_extension(ThumbnailFormat format) {
  return format == ThumbnailFormat::Jpeg ? "jpg" : thumbnail_format_name(format);
}

const char* thumbnail_content_type(ThumbnailFormat format) {
  switch (format) {
    case ThumbnailFormat::Png:
      return "image/png";
    case ThumbnailFormat::Webp:
      return "image/webp";
    case ThumbnailFormat::Jpeg:
      break;
  }
  return "image/jpeg";
}

std::variant<ValidatedThumbnail, UploadError> validate_thumbnail_upload(std::string_view text,
                                                                        const UploadLimits& limits) {
  if (text.size() > limits.max_base64_chars) return UploadError{413, "Thumbnail too large"};

  // The original clients send canvas data URLs; only the two accepted types may be named there.
  if (text.starts_with("data:")) {
    const std::size_t comma = text.find(',');
    if (comma == std::string_view::npos) return UploadError{400, "Invalid base64 data"};
    const std::string_view media = text.substr(0, comma + 1);
    if (media != "data:image/jpeg;base64," && media != "data:image/jpg;base64," && media != "data:image/png;base64,") {
      if (!media.ends_with(";base64,")) return UploadError{400, "Invalid base64 data"};
      return UploadError{415, kUnsupportedType};
    }
    text.remove_prefix(comma + 1);
  }
  if (text.empty()) return UploadError{400, "Invalid base64 data: empty"};

  std::vector<std::uint8_t> bytes;
  if (!util::decode_base64_strict(text, bytes)) return UploadError{400, "Invalid base64 data"};

  std::variant<Decoded, UploadError> decoded = UploadError{415, kUnsupportedType};
  if (starts_with_bytes(bytes, {0xFF, 0xD8, 0xFF})) {
    decoded = decode_jpeg(bytes, limits);
  } else if (starts_with_bytes(bytes, {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})) {
    decoded = decode_png(bytes, limits);
  }
  if (auto* error = std::get_if<UploadError>(&decoded)) return std::move(*error);
  bytes = {};  // release the upload before encoding

  auto& image = std::get<Decoded>(decoded);
  const int quality = std::clamp(limits.quality, 1, 100);
  std::variant<std::vector<std::uint8_t>, UploadError> encoded = UploadError{500, "unknown thumbnail format"};
  switch (limits.format) {
    case ThumbnailFormat::Jpeg:
      encoded = encode_jpeg(image, quality);
      break;
    case ThumbnailFormat::Png:
      encoded = encode_png(image);
      break;
    case ThumbnailFormat::Webp:
      encoded = encode_webp(image, quality);
      break;
  }
  if (auto* error = std::get_if<UploadError>(&encoded)) return std::move(*error);
  ValidatedThumbnail result;
  result.encoded = std::move(std::get<std::vector<std::uint8_t>>(encoded));
  result.format = limits.format;
  result.width = image.width;
  result.height = image.height;
  result.sha256_hex = sha256_hex(result.encoded);
  return result;
}

}  // namespace thumbgen::server
