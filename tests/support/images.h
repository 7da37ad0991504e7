// Encoded image fixtures for the upload tests and benchmarks: JPEGs from TurboJPEG, PNGs written by hand so that
// every field, chunk and checksum can be broken. No GoogleTest inside (bench/ links it too): failures throw.
#pragma once

#include <turbojpeg.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/bytes.h"

namespace thumbgen::test {

// ---- JPEG ----

struct JpegSpec {
  int subsampling = TJSAMP_420;
  int flags = 0;  // TJFLAG_PROGRESSIVE, ...
  int pixel_format = TJPF_RGB;
  int quality = 90;
};

// A width×height JPEG of a busy pattern (neighbouring pixels differ), baseline unless spec.flags say otherwise.
Bytes make_jpeg(int width, int height, const JpegSpec& spec = {});
// Offset of the first SOFn marker segment (FF C0..C2); throws when there is none.
std::size_t find_sof(const Bytes& jpeg);
// The JPEG with other dimensions written into its SOF (the entropy-coded data is left as it is).
Bytes with_jpeg_dimensions(Bytes jpeg, int width, int height);

// ---- PNG ----

void put_be32(Bytes& out, std::uint32_t value);
// Appends a chunk: length, type, data and CRC-32 (flipped when corrupt_crc).
void append_png_chunk(Bytes& png, std::string_view type, const Bytes& data, bool corrupt_crc = false);
// zlib stream (compress2, level 9).
Bytes zlib_compress(const Bytes& raw);

struct PngSpec {
  std::uint32_t width = 8, height = 8;
  int bit_depth = 8, color_type = 2;  // 2 = RGB, 6 = RGBA, 0 = gray, 3 = palette, 4 = gray + alpha
  bool interlaced = false;
  std::vector<std::pair<std::string, Bytes>> extra_chunks = {};  // written before IDAT
  bool bad_ihdr_crc = false, bad_idat_crc = false, omit_iend = false;
  std::function<std::uint16_t(std::uint32_t x, std::uint32_t y, int channel)> sample =
      [](std::uint32_t x, std::uint32_t y, int channel) {
        return static_cast<std::uint16_t>(x * 31 + y * 17 + channel * 5);
      };
};

// The filtered (filter type 0) scanlines of the image `spec` describes, Adam7 passes when interlaced.
Bytes png_raw_image_data(const PngSpec& spec);
// Signature, IHDR, spec.extra_chunks, one IDAT chunk holding `idat` as it is, IEND.
Bytes make_png_with_idat(const PngSpec& spec, const Bytes& idat);
// A valid PNG of `spec` (unless spec asks for a broken CRC or a missing IEND).
Bytes make_png(const PngSpec& spec);

}  // namespace thumbgen::test
