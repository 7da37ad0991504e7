#include <spng.h>

#include <memory>
#include <string>
#include <vector>

#include "platform/decoders.h"
#include "platform/downscale.h"
#include "scene/load_error.h"

namespace thumbgen::platform::detail {

namespace {

struct SpngFree {
  void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};

constexpr std::size_t kChunkCacheLimit = 16u << 20;  // ancillary chunks kept in memory (text, ICC, ...)
constexpr int kDecodeFlags = SPNG_DECODE_TRNS;       // tRNS → alpha; no gamma (textures are used as stored)

void check(int error) {
  if (error == SPNG_EUSER_WIDTH || error == SPNG_EUSER_HEIGHT)
    throw scene::LoadError("image too large (over " + std::to_string(kMaxImageSide) + " px a side)");
  if (error != 0) throw scene::LoadError(std::string("corrupt PNG: ") + spng_strerror(error));
}

}  // namespace

scene::Image decode_png(std::span<const std::uint8_t> bytes, int max_dimension) {
  // Chunk CRCs are still checked; the zlib stream's Adler-32 is not (as browsers do): it cost 6 % of decoding a
  // large texture and guards against nothing the CRCs and inflate's own checks do not already catch.
  std::unique_ptr<spng_ctx, SpngFree> ctx(spng_ctx_new(SPNG_CTX_IGNORE_ADLER32));
  if (!ctx) throw scene::LoadError("PNG decoder unavailable");
  check(spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size()));
  check(spng_set_image_limits(ctx.get(), kMaxImageSide, kMaxImageSide));
  // No chunk can be larger than the file; the cache bound stops compressed text/ICC bombs.
  check(spng_set_chunk_limits(ctx.get(), bytes.size(), kChunkCacheLimit));

  spng_ihdr ihdr{};
  check(spng_get_ihdr(ctx.get(), &ihdr));
  const int width = static_cast<int>(ihdr.width), height = static_cast<int>(ihdr.height);
  check_image_size(ihdr.width, ihdr.height);
  const Size fitted = fit_within(width, height, max_dimension);
  const std::size_t row_bytes = static_cast<std::size_t>(width) * 4;

  // Interlaced rows arrive pass by pass, so those are decoded whole; others stream row by row into the
  // downscaler and never hold the full-size image.
  if ((fitted.width == width && fitted.height == height) || ihdr.interlace_method != 0) {
    std::size_t size = 0;
    check(spng_decoded_image_size(ctx.get(), SPNG_FMT_RGBA8, &size));
    if (size != row_bytes * height) throw scene::LoadError("corrupt PNG: unexpected decoded size");
    std::vector<std::uint8_t> pixels(size);
    check(spng_decode_image(ctx.get(), pixels.data(), size, SPNG_FMT_RGBA8, kDecodeFlags));
    if (fitted.width == width && fitted.height == height) return scene::Image{width, height, std::move(pixels)};
    return downscale_to_fit(pixels.data(), width, height, max_dimension);
  }

  check(spng_decode_image(ctx.get(), nullptr, 0, SPNG_FMT_RGBA8, kDecodeFlags | SPNG_DECODE_PROGRESSIVE));
  RowDownscaler scaler(width, height, fitted);
  std::vector<std::uint8_t> row(row_bytes);
  for (int y = 0; y < height; ++y) {
    const int error = spng_decode_row(ctx.get(), row.data(), row.size());
    if (error != 0 && !(error == SPNG_EOI && y == height - 1)) check(error);
    scaler.add_row(row.data());
  }
  return scaler.finish();
}

}  // namespace thumbgen::platform::detail
