#include "platform/texture_decoder.h"

#include <gtest/gtest.h>
#include <spng.h>
#include <stb/stb_image_write.h>
#include <turbojpeg.h>
#include <webp/encode.h>
#include <zlib.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "scene/load_error.h"

using thumbgen::platform::TextureDecoder;
using thumbgen::scene::Image;
using thumbgen::scene::LoadError;
using Bytes = std::vector<std::uint8_t>;
using Rgba = std::array<int, 4>;

namespace {

// An image whose left half is `left` and right half `right` (blocks align with JPEG's 16-pixel MCUs).
Image two_halves(int width, int height, Rgba left, Rgba right) {
  Image image{width, height, Bytes(static_cast<std::size_t>(width) * height * 4)};
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 4; ++c)
        image.rgba[(y * width + x) * 4 + c] = static_cast<std::uint8_t>((x < width / 2 ? left : right)[c]);
  return image;
}

Bytes encode_jpeg(const std::uint8_t* pixels, int width, int height, int pixel_format, int subsampling) {
  tjhandle handle = tjInitCompress();
  unsigned char* out = nullptr;
  unsigned long size = 0;
  EXPECT_EQ(tjCompress2(handle, pixels, width, 0, height, pixel_format, &out, &size, subsampling, 95, 0), 0);
  Bytes bytes(out, out + size);
  tjFree(out);
  tjDestroy(handle);
  return bytes;
}

Bytes encode_jpeg(const Image& image) {
  return encode_jpeg(image.rgba.data(), image.width, image.height, TJPF_RGBA, TJSAMP_444);
}

// Encodes raw PNG rows (already in the colour type's layout) with libspng.
Bytes encode_png(int width, int height, int color_type, int bit_depth, const Bytes& raw,
                 const std::function<void(spng_ctx*)>& extra = nullptr, int interlace = 0) {
  spng_ctx* ctx = spng_ctx_new(SPNG_CTX_ENCODER);
  spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
  spng_ihdr ihdr{};
  ihdr.width = static_cast<std::uint32_t>(width);
  ihdr.height = static_cast<std::uint32_t>(height);
  ihdr.color_type = static_cast<std::uint8_t>(color_type);
  ihdr.bit_depth = static_cast<std::uint8_t>(bit_depth);
  ihdr.interlace_method = static_cast<std::uint8_t>(interlace);
  EXPECT_EQ(spng_set_ihdr(ctx, &ihdr), 0);
  if (extra) extra(ctx);
  EXPECT_EQ(spng_encode_image(ctx, raw.data(), raw.size(), SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE), 0);
  std::size_t size = 0;
  int error = 0;
  auto* buffer = static_cast<std::uint8_t*>(spng_get_png_buffer(ctx, &size, &error));
  Bytes bytes(buffer, buffer + size);
  std::free(buffer);
  spng_ctx_free(ctx);
  return bytes;
}

Bytes encode_png(const Image& image) {
  return encode_png(image.width, image.height, SPNG_COLOR_TYPE_TRUECOLOR_ALPHA, 8, image.rgba);
}

void append_stb(void* context, void* data, int size) {
  auto* out = static_cast<Bytes*>(context);
  out->insert(out->end(), static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
}

Rgba at(const Image& image, int x, int y) {
  const std::uint8_t* p = &image.rgba[(static_cast<std::size_t>(y) * image.width + x) * 4];
  return {p[0], p[1], p[2], p[3]};
}

void expect_near(const Rgba& actual, const Rgba& expected, int tolerance) {
  for (int c = 0; c < 4; ++c)
    EXPECT_NEAR(actual[c], expected[c], tolerance)
        << "channel " << c << " of (" << actual[0] << "," << actual[1] << "," << actual[2] << "," << actual[3] << ")";
}

void expect_load_error(const Bytes& bytes, const std::string& reason, int max_dimension = 1024) {
  TextureDecoder decoder;
  try {
    decoder.decode(bytes, max_dimension);
    FAIL() << "decode should have failed with: " << reason;
  } catch (const LoadError& e) {
    EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
  }
}

// A PNG claiming the given size, with a signature, IHDR, a stub IDAT and IEND (CRCs correct).
Bytes png_header_only(std::uint32_t width, std::uint32_t height) {
  Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  auto put32 = [&](std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) png.push_back(static_cast<std::uint8_t>(v >> shift));
  };
  auto chunk = [&](const char* type, const Bytes& data) {
    put32(static_cast<std::uint32_t>(data.size()));
    const std::size_t start = png.size();
    png.insert(png.end(), type, type + 4);
    png.insert(png.end(), data.begin(), data.end());
    put32(static_cast<std::uint32_t>(crc32(0, png.data() + start, static_cast<uInt>(png.size() - start))));
  };
  Bytes ihdr;
  for (std::uint32_t v : {width, height})
    for (int shift = 24; shift >= 0; shift -= 8) ihdr.push_back(static_cast<std::uint8_t>(v >> shift));
  ihdr.insert(ihdr.end(), {8, 6, 0, 0, 0});
  chunk("IHDR", ihdr);
  Bytes zeros(64, 0), idat(128);  // a valid zlib stream far too short for the claimed size
  uLongf idat_size = static_cast<uLongf>(idat.size());
  compress(idat.data(), &idat_size, zeros.data(), static_cast<uLong>(zeros.size()));
  idat.resize(idat_size);
  chunk("IDAT", idat);
  chunk("IEND", {});
  return png;
}

const Rgba kRed{255, 0, 0, 255}, kBlue{0, 0, 255, 255}, kGreen{0, 255, 0, 255};

TEST(TextureDecoder, DecodesJpeg) {
  const Image source = two_halves(64, 32, kRed, kBlue);
  const Image image = TextureDecoder().decode(encode_jpeg(source), 1024);
  ASSERT_EQ(image.width, 64);
  ASSERT_EQ(image.height, 32);
  ASSERT_EQ(image.rgba.size(), 64u * 32 * 4);
  expect_near(at(image, 8, 16), kRed, 6);
  expect_near(at(image, 56, 16), kBlue, 6);
}

TEST(TextureDecoder, DecodesLargeJpegAtReducedScale) {
  const Image source = two_halves(4096, 2048, kRed, kGreen);
  const Image image = TextureDecoder().decode(encode_jpeg(source), 1024);
  ASSERT_EQ(image.width, 1024);
  ASSERT_EQ(image.height, 512);
  expect_near(at(image, 256, 256), kRed, 8);
  expect_near(at(image, 768, 256), kGreen, 8);
}

TEST(TextureDecoder, JpegBetweenScalingFactorsIsDownscaledToFit) {
  const Image source = two_halves(3000, 1000, kBlue, kRed);
  const Image image = TextureDecoder().decode(encode_jpeg(source), 1024);
  EXPECT_EQ(image.width, 1024);
  EXPECT_EQ(image.height, 341);
  expect_near(at(image, 100, 170), kBlue, 8);
  expect_near(at(image, 900, 170), kRed, 8);
}

TEST(TextureDecoder, DecodesGrayscaleAndCmykJpeg) {
  const Bytes gray(32 * 32, 200);
  Image image = TextureDecoder().decode(encode_jpeg(gray.data(), 32, 32, TJPF_GRAY, TJSAMP_GRAY), 64);
  expect_near(at(image, 10, 10), {200, 200, 200, 255}, 3);

  // Adobe CMYK stores inverted inks: C=255 (no cyan), M=Y=0 (full magenta and yellow), K=255 (no black) is red.
  Bytes cmyk;
  for (int i = 0; i < 32 * 32; ++i) cmyk.insert(cmyk.end(), {255, 0, 0, 255});
  image = TextureDecoder().decode(encode_jpeg(cmyk.data(), 32, 32, TJPF_CMYK, TJSAMP_444), 64);
  expect_near(at(image, 10, 10), kRed, 8);
}

TEST(TextureDecoder, RefusesCorruptAndTruncatedJpeg) {
  const Bytes jpeg = encode_jpeg(two_halves(256, 256, kRed, kBlue));
  expect_load_error(Bytes(jpeg.begin(), jpeg.begin() + jpeg.size() / 2), "corrupt JPEG");
  expect_load_error(Bytes(jpeg.begin(), jpeg.begin() + 40), "corrupt JPEG");
  Bytes garbage = {0xFF, 0xD8, 0xFF};
  garbage.resize(500, 0x5A);
  expect_load_error(garbage, "corrupt JPEG");
}

TEST(TextureDecoder, RefusesHugeDeclaredJpegBeforeDecoding) {
  Bytes jpeg = encode_jpeg(two_halves(32, 32, kRed, kBlue));
  // Patch the frame header (SOF0: FF C0, length, precision, height, width) to claim 60000×60000.
  for (std::size_t i = 0; i + 8 < jpeg.size(); ++i)
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) {
      jpeg[i + 5] = 0xEA, jpeg[i + 6] = 0x60, jpeg[i + 7] = 0xEA, jpeg[i + 8] = 0x60;
      break;
    }
  expect_load_error(jpeg, "image too large (60000x60000");
}

TEST(TextureDecoder, DecodesRgbaPng) {
  Image source = two_halves(20, 10, {10, 20, 30, 40}, {200, 150, 100, 255});
  const Image image = TextureDecoder().decode(encode_png(source), 1024);
  ASSERT_EQ(image.width, 20);
  ASSERT_EQ(image.height, 10);
  EXPECT_EQ(image.rgba, source.rgba);
}

TEST(TextureDecoder, Decodes16BitPalettedAndGrayPng) {
  Bytes rgb16;  // big-endian 16-bit samples: full red, then 0x8080 grey
  for (int i = 0; i < 4; ++i) rgb16.insert(rgb16.end(), {0xFF, 0xFF, 0, 0, 0, 0});
  for (int i = 0; i < 4; ++i) rgb16.insert(rgb16.end(), {0x80, 0x80, 0x80, 0x80, 0x80, 0x80});
  Image image = TextureDecoder().decode(encode_png(4, 2, SPNG_COLOR_TYPE_TRUECOLOR, 16, rgb16), 64);
  ASSERT_EQ(image.width, 4);
  expect_near(at(image, 1, 0), kRed, 0);
  expect_near(at(image, 1, 1), {128, 128, 128, 255}, 1);

  const Bytes indices = {0, 1, 1, 0};
  image = TextureDecoder().decode(encode_png(2, 2, SPNG_COLOR_TYPE_INDEXED, 8, indices,
                                             [](spng_ctx* ctx) {
                                               spng_plte plte{};
                                               plte.n_entries = 2;
                                               plte.entries[0] = {255, 0, 0, 0};
                                               plte.entries[1] = {0, 0, 255, 0};
                                               spng_set_plte(ctx, &plte);
                                               spng_trns trns{};
                                               trns.n_type3_entries = 1;
                                               trns.type3_alpha[0] = 64;  // index 0 is translucent
                                               spng_set_trns(ctx, &trns);
                                             }),
                                  64);
  expect_near(at(image, 0, 0), {255, 0, 0, 64}, 0);
  expect_near(at(image, 1, 0), kBlue, 0);

  image = TextureDecoder().decode(encode_png(2, 1, SPNG_COLOR_TYPE_GRAYSCALE, 8, Bytes{0, 77}), 64);
  expect_near(at(image, 1, 0), {77, 77, 77, 255}, 0);
}

TEST(TextureDecoder, DownscalesPngWithAlphaWeightedAverage) {
  // Alternating opaque white and fully transparent black texels average to white at half alpha, not grey.
  Image source{2048, 1024, Bytes(2048u * 1024 * 4)};
  for (int y = 0; y < 1024; ++y)
    for (int x = 0; x < 2048; ++x) {
      const bool white = (x + y) % 2 == 0;
      const bool left = x < 1024;
      std::uint8_t* p = &source.rgba[(static_cast<std::size_t>(y) * 2048 + x) * 4];
      if (left) {
        p[0] = p[1] = p[2] = white ? 255 : 0;
        p[3] = white ? 255 : 0;
      } else {
        p[0] = 0, p[1] = 0, p[2] = 255, p[3] = 255;
      }
    }
  const Bytes png = encode_png(source);
  Image image = TextureDecoder().decode(png, 512);
  ASSERT_EQ(image.width, 512);
  ASSERT_EQ(image.height, 256);
  expect_near(at(image, 100, 100), {255, 255, 255, 128}, 1);
  expect_near(at(image, 400, 100), kBlue, 0);

  // Interlaced PNGs take the whole-image path and give the same result.
  const Bytes interlaced = encode_png(2048, 1024, SPNG_COLOR_TYPE_TRUECOLOR_ALPHA, 8, source.rgba, nullptr, 1);
  const Image from_interlaced = TextureDecoder().decode(interlaced, 512);
  EXPECT_EQ(from_interlaced.rgba, image.rgba);
}

TEST(TextureDecoder, RefusesCorruptTruncatedAndHugePng) {
  const Bytes png = encode_png(two_halves(64, 64, kRed, kBlue));
  expect_load_error(Bytes(png.begin(), png.begin() + png.size() / 2), "corrupt PNG");
  expect_load_error(Bytes(png.begin(), png.begin() + 20), "corrupt PNG");
  // Flip a byte inside the IDAT data: its CRC no longer matches.
  Bytes bad_crc = png;
  const auto idat = std::search(bad_crc.begin(), bad_crc.end(), std::begin("IDAT"), std::end("IDAT") - 1);
  ASSERT_NE(idat, bad_crc.end());
  idat[6] ^= 0x55;
  expect_load_error(bad_crc, "corrupt PNG");
  expect_load_error(png_header_only(100000, 100000), "image too large");
  expect_load_error(png_header_only(16385, 16), "image too large");
  expect_load_error(png_header_only(16384, 16384), "image too large (16384x16384");
  expect_load_error(png_header_only(0, 10), "corrupt PNG");
}

TEST(TextureDecoder, DecodesAndDownscalesWebp) {
  const Image source = two_halves(64, 16, kRed, {0, 0, 255, 100});
  std::uint8_t* out = nullptr;
  const std::size_t size = WebPEncodeLosslessRGBA(source.rgba.data(), 64, 16, 64 * 4, &out);
  const Bytes webp(out, out + size);
  WebPFree(out);
  Image image = TextureDecoder().decode(webp, 1024);
  ASSERT_EQ(image.width, 64);
  EXPECT_EQ(image.rgba, source.rgba);
  image = TextureDecoder().decode(webp, 32);
  ASSERT_EQ(image.width, 32);
  ASSERT_EQ(image.height, 8);
  expect_near(at(image, 4, 4), kRed, 2);

  expect_load_error(Bytes(webp.begin(), webp.begin() + 24), "corrupt WebP");
}

TEST(TextureDecoder, DecodesBmpTgaAndGifWithStb) {
  const Image source = two_halves(8, 4, kRed, kBlue);
  Bytes bmp, tga;
  stbi_write_bmp_to_func(append_stb, &bmp, 8, 4, 4, source.rgba.data());
  stbi_write_tga_to_func(append_stb, &tga, 8, 4, 4, source.rgba.data());
  for (const Bytes* file : {&bmp, &tga}) {
    const Image image = TextureDecoder().decode(*file, 64);
    ASSERT_EQ(image.width, 8);
    expect_near(at(image, 1, 1), kRed, 0);
    expect_near(at(image, 6, 2), kBlue, 0);
  }
  // A 1×1 GIF whose only pixel is palette entry 0, red.
  const Bytes gif = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 255,  0,    0, 0,  0,
                     0,   ',', 0,   0,   0,   0,   1, 0, 1, 0, 0,    2, 2, 0x44, 0x01, 0, ';'};
  expect_near(at(TextureDecoder().decode(gif, 64), 0, 0), kRed, 0);
  expect_load_error(Bytes(bmp.begin(), bmp.begin() + 10), "corrupt BMP");
}

TEST(TextureDecoder, RefusesUnsupportedFormats) {
  expect_load_error({0xAB, 'K', 'T', 'X', ' ', '2', '0', 0xBB, '\r', '\n', 0x1A, '\n', 0, 0, 0, 0},
                    "unsupported texture format: KTX2");
  expect_load_error({'D', 'D', 'S', ' ', 0, 0, 0, 0}, "unsupported texture format: DDS");
  expect_load_error({'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'}, "unsupported texture format");
  expect_load_error({}, "empty");
}

}  // namespace
