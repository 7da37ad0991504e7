// The thumbnail upload pipeline of DESIGN §5 after the HTTP layer's Content-Length check and auth:
// base64 length → optional data-URL prefix → strict base64 → magic bytes → header-only dimensions → strict full
// decode → re-encode in the server's one thumbnail format (THUMBGEN_THUMBNAIL_FORMAT: baseline JPEG by default, PNG
// or WebP; re-encoding strips metadata and kills polyglots) → sha256 of the output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace thumbgen::server {

// The format every stored thumbnail is encoded in, once, on upload.
enum class ThumbnailFormat { Jpeg, Png, Webp };

std::optional<ThumbnailFormat> parse_thumbnail_format(std::string_view name);  // "jpeg" (or "jpg"), "png", "webp"
const char* thumbnail_format_name(ThumbnailFormat format);                     // "jpeg", "png", "webp"
const char* thumbnail_extension(ThumbnailFormat format);                       // "jpg", "png", "webp"
const char* thumbnail_content_type(ThumbnailFormat format);                    // "image/jpeg", ...

struct UploadLimits {
  std::size_t max_base64_chars = 22 * 1024 * 1024;
  int max_width = 2048, max_height = 2048;
  std::size_t max_decoded_pixels_bytes = 16u << 20;  // width * height * 4 (RGBA) must fit
  // The output: JPEG composites transparent pixels over black (as a browser's canvas.toDataURL("image/jpeg") does);
  // PNG and WebP keep them. Quality 1-100 applies to JPEG and WebP (lossy); PNG is lossless.
  ThumbnailFormat format = ThumbnailFormat::Jpeg;
  int quality = 85;
};

struct ValidatedThumbnail {
  std::vector<std::uint8_t> encoded;  // in `format`
  ThumbnailFormat format = ThumbnailFormat::Jpeg;
  int width = 0, height = 0;
  std::string sha256_hex;  // of encoded
};

// http_status: 400 bad base64, 413 too big (text or dimensions), 415 not JPEG/PNG, 422 corrupt or zero-sized image.
struct UploadError {
  int http_status;
  std::string detail;
};

std::variant<ValidatedThumbnail, UploadError> validate_thumbnail_upload(std::string_view thumbnail_base64,
                                                                        const UploadLimits& limits = {});

}  // namespace thumbgen::server
