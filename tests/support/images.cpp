#include "support/images.h"

#include <zlib.h>

#include <stdexcept>

namespace thumbgen::test {
namespace {

int channels_of(int color_type) {
  switch (color_type) {
    case 0:
    case 3:
      return 1;
    case 2:
      return 3;
    case 4:
      return 2;
    default:
      return 4;
  }
}

// Filter-0 scanlines for a (sub)image whose pixel (i, j) is image pixel (x0 + i*dx, y0 + j*dy).
void append_scanlines(Bytes& raw, const PngSpec& spec, std::uint32_t x0, std::uint32_t y0, std::uint32_t dx,
                      std::uint32_t dy) {
  const int channels = channels_of(spec.color_type);
  for (std::uint32_t y = y0; y < spec.height; y += dy) {
    if (x0 >= spec.width) return;
    raw.push_back(0);
    for (std::uint32_t x = x0; x < spec.width; x += dx)
      for (int c = 0; c < channels; ++c) {
        const std::uint16_t value = spec.sample(x, y, c);
        if (spec.bit_depth == 16) raw.push_back(static_cast<std::uint8_t>(value >> 8));
        raw.push_back(static_cast<std::uint8_t>(value));
      }
  }
}

}  // namespace

Bytes make_jpeg(int width, int height, const JpegSpec& spec) {
  Bytes pixels(static_cast<std::size_t>(width) * height * tjPixelSize[spec.pixel_format]);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>((i * 7) ^ (i / 13));
  tjhandle handle = tjInitCompress();
  unsigned char* out = nullptr;
  unsigned long size = 0;
  const int rc = tjCompress2(handle, pixels.data(), width, 0, height, spec.pixel_format, &out, &size, spec.subsampling,
                             spec.quality, spec.flags);
  const std::string error = rc == 0 ? "" : tjGetErrorStr2(handle);
  Bytes jpeg(out, out + (rc == 0 ? size : 0));
  tjFree(out);
  tjDestroy(handle);
  if (rc != 0) throw std::runtime_error("make_jpeg: " + error);
  return jpeg;
}

std::size_t find_sof(const Bytes& jpeg) {
  for (std::size_t i = 2; i + 9 < jpeg.size(); ++i)
    if (jpeg[i] == 0xFF && (jpeg[i + 1] == 0xC0 || jpeg[i + 1] == 0xC1 || jpeg[i + 1] == 0xC2)) return i;
  throw std::runtime_error("find_sof: no SOF marker");
}

Bytes with_jpeg_dimensions(Bytes jpeg, int width, int height) {
  const std::size_t sof = find_sof(jpeg);
  jpeg[sof + 5] = static_cast<std::uint8_t>(height >> 8);
  jpeg[sof + 6] = static_cast<std::uint8_t>(height);
  jpeg[sof + 7] = static_cast<std::uint8_t>(width >> 8);
  jpeg[sof + 8] = static_cast<std::uint8_t>(width);
  return jpeg;
}

void put_be32(Bytes& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(value >> shift));
}

void append_png_chunk(Bytes& png, std::string_view type, const Bytes& data, bool corrupt_crc) {
  put_be32(png, static_cast<std::uint32_t>(data.size()));
  const std::size_t type_at = png.size();
  png.insert(png.end(), type.begin(), type.end());
  png.insert(png.end(), data.begin(), data.end());
  std::uint32_t crc = static_cast<std::uint32_t>(crc32(0, png.data() + type_at, static_cast<uInt>(4 + data.size())));
  if (corrupt_crc) crc ^= 1;
  put_be32(png, crc);
}

Bytes zlib_compress(const Bytes& raw) {
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  Bytes out(size);
  if (compress2(out.data(), &size, raw.data(), static_cast<uLong>(raw.size()), 9) != Z_OK)
    throw std::runtime_error("zlib_compress failed");
  out.resize(size);
  return out;
}

Bytes png_raw_image_data(const PngSpec& spec) {
  Bytes raw;
  if (!spec.interlaced) {
    append_scanlines(raw, spec, 0, 0, 1, 1);
  } else {  // Adam7 passes
    constexpr std::uint32_t kPass[7][4] = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4},
                                           {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};
    for (const auto& pass : kPass) append_scanlines(raw, spec, pass[0], pass[1], pass[2], pass[3]);
  }
  return raw;
}

Bytes make_png_with_idat(const PngSpec& spec, const Bytes& idat) {
  Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  Bytes ihdr;
  put_be32(ihdr, spec.width);
  put_be32(ihdr, spec.height);
  ihdr.insert(ihdr.end(), {static_cast<std::uint8_t>(spec.bit_depth), static_cast<std::uint8_t>(spec.color_type), 0, 0,
                           static_cast<std::uint8_t>(spec.interlaced ? 1 : 0)});
  append_png_chunk(png, "IHDR", ihdr, spec.bad_ihdr_crc);
  for (const auto& [type, data] : spec.extra_chunks) append_png_chunk(png, type, data);
  append_png_chunk(png, "IDAT", idat, spec.bad_idat_crc);
  if (!spec.omit_iend) append_png_chunk(png, "IEND", {});
  return png;
}

Bytes make_png(const PngSpec& spec) { return make_png_with_idat(spec, zlib_compress(png_raw_image_data(spec))); }

}  // namespace thumbgen::test
