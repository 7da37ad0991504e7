// The thumbnail upload pipeline of DESIGN §5 after the HTTP layer's Content-Length check and auth:
// base64 length → optional data-URL prefix → strict base64 → magic bytes → header-only dimensions → strict full
// decode → re-encode as baseline JPEG (strips metadata, kills polyglots) → sha256 of the output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace thumbgen::server {

struct UploadLimits {
  std::size_t max_base64_chars = 22 * 1024 * 1024;
  int max_width = 2048, max_height = 2048;
  std::size_t max_decoded_pixels_bytes = 16u << 20;  // width * height * 4 (RGBA) must fit
  int jpeg_quality = 85;
};

struct ValidatedThumbnail {
  std::vector<std::uint8_t> jpeg;
  int width = 0, height = 0;
  std::string sha256_hex;  // of jpeg
};

// http_status: 400 bad base64, 413 too big (text or dimensions), 415 not JPEG/PNG, 422 corrupt or zero-sized image.
struct UploadError {
  int http_status;
  std::string detail;
};

std::variant<ValidatedThumbnail, UploadError> validate_thumbnail_upload(std::string_view thumbnail_base64,
                                                                        const UploadLimits& limits = {});

}  // namespace thumbgen::server
