// The thumbnail upload decoder (base64 → magic → header dimensions → strict JPEG/PNG decode → re-encode). The first
// byte picks the mode: 0 feeds the rest as the base64 text itself; otherwise the rest is the image, base64-encoded here
// (after a data-URL prefix for odd modes) so that mutations reach the image decoders, and re-encoded in the format
// mode % 3 names.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "server/upload_validation.h"
#include "util/base64.h"

using namespace thumbgen;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t mode = data[0];
  const std::span<const std::uint8_t> rest(data + 1, size - 1);
  server::UploadLimits limits;
  limits.max_width = limits.max_height = 512;  // the checks are the same; smaller images keep executions fast
  limits.max_decoded_pixels_bytes = 512 * 512 * 4;
  limits.max_base64_chars = 4 << 20;
  static constexpr std::array<server::ThumbnailFormat, 3> kFormats = {
      server::ThumbnailFormat::Jpeg, server::ThumbnailFormat::Png, server::ThumbnailFormat::Webp};
  limits.format = kFormats[mode % kFormats.size()];
  if (mode == 0) {
    server::validate_thumbnail_upload({reinterpret_cast<const char*>(rest.data()), rest.size()}, limits);
    return 0;
  }
  const std::string prefix = mode % 2 ? "data:image/png;base64," : "";
  server::validate_thumbnail_upload(prefix + util::encode_base64(rest), limits);
  return 0;
}
