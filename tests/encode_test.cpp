#include "render/encode.h"

#include <gtest/gtest.h>
#include <spng.h>
#include <turbojpeg.h>
#include <webp/decode.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <stdexcept>

using thumbgen::render::encode_image;
using thumbgen::render::file_extension;
using thumbgen::render::ImageFormat;
using thumbgen::render::parse_image_format;
using thumbgen::scene::Image;
using Bytes = std::vector<std::uint8_t>;

namespace {

// Something like a render: a shaded ball on a flat background, with a transparent background when asked.
Image render_like(int width, int height, bool transparent_background) {
  Image image{width, height, Bytes(static_cast<std::size_t>(width) * height * 4)};
  const float cx = width * 0.5f, cy = height * 0.5f, radius = height * 0.4f;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      std::uint8_t* p = &image.rgba[(static_cast<std::size_t>(y) * width + x) * 4];
      const float dx = (x - cx) / radius, dy = (y - cy) / radius, d2 = dx * dx + dy * dy;
      if (d2 < 1.0f) {
        const float shade = 0.3f + 0.7f * std::sqrt(1.0f - d2) * (0.6f - 0.4f * dx - 0.3f * dy);
        p[0] = static_cast<std::uint8_t>(std::clamp(220.0f * shade, 0.0f, 255.0f));
        p[1] = static_cast<std::uint8_t>(std::clamp(140.0f * shade, 0.0f, 255.0f));
        p[2] = static_cast<std::uint8_t>(std::clamp(60.0f * shade + 20.0f, 0.0f, 255.0f));
        p[3] = 255;
      } else {
        p[0] = p[1] = p[2] = 40;
        p[3] = transparent_background ? 0 : 255;
      }
    }
  return image;
}

double mean_abs_difference(const Bytes& a, const Bytes& b, int channels_compared) {
  double sum = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); i += 4)
    for (int c = 0; c < channels_compared; ++c, ++n) sum += std::abs(a[i + c] - b[i + c]);
  return n ? sum / static_cast<double>(n) : 1e9;
}

Image decode_jpeg(const Bytes& jpeg) {
  tjhandle handle = tjInitDecompress();
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  EXPECT_EQ(tjDecompressHeader3(handle, jpeg.data(), jpeg.size(), &width, &height, &subsampling, &colorspace), 0);
  EXPECT_EQ(subsampling, TJSAMP_420);
  Image image{width, height, Bytes(static_cast<std::size_t>(width) * height * 4)};
  EXPECT_EQ(tjDecompress2(handle, jpeg.data(), jpeg.size(), image.rgba.data(), width, 0, height, TJPF_RGBA, 0), 0);
  tjDestroy(handle);
  return image;
}

Image decode_png(const Bytes& png) {
  spng_ctx* ctx = spng_ctx_new(0);
  spng_set_png_buffer(ctx, png.data(), png.size());
  spng_ihdr ihdr{};
  EXPECT_EQ(spng_get_ihdr(ctx, &ihdr), 0);
  std::size_t size = 0;
  spng_decoded_image_size(ctx, SPNG_FMT_RGBA8, &size);
  Image image{static_cast<int>(ihdr.width), static_cast<int>(ihdr.height), Bytes(size)};
  EXPECT_EQ(spng_decode_image(ctx, image.rgba.data(), size, SPNG_FMT_RGBA8, 0), 0);
  spng_ctx_free(ctx);
  return image;
}

Image decode_webp(const Bytes& webp) {
  Image image;
  std::uint8_t* pixels = WebPDecodeRGBA(webp.data(), webp.size(), &image.width, &image.height);
  EXPECT_NE(pixels, nullptr);
  if (pixels) image.rgba.assign(pixels, pixels + static_cast<std::size_t>(image.width) * image.height * 4);
  WebPFree(pixels);
  return image;
}

TEST(Encode, ParsesFormatNames) {
  EXPECT_EQ(parse_image_format("jpg"), ImageFormat::Jpeg);
  EXPECT_EQ(parse_image_format("JPEG"), ImageFormat::Jpeg);
  EXPECT_EQ(parse_image_format("png"), ImageFormat::Png);
  EXPECT_EQ(parse_image_format("webp"), ImageFormat::Webp);
  EXPECT_THROW(parse_image_format("gif"), std::invalid_argument);
  EXPECT_THROW(parse_image_format(""), std::invalid_argument);
  EXPECT_STREQ(file_extension(ImageFormat::Jpeg), "jpg");
  EXPECT_STREQ(file_extension(ImageFormat::Png), "png");
  EXPECT_STREQ(file_extension(ImageFormat::Webp), "webp");
}

TEST(Encode, JpegRoundTrip) {
  const Image image = render_like(320, 180, false);
  const Bytes jpeg = encode_image(image, ImageFormat::Jpeg, 90);
  ASSERT_GE(jpeg.size(), 3u);
  EXPECT_EQ(jpeg[0], 0xFF);
  EXPECT_EQ(jpeg[1], 0xD8);
  EXPECT_EQ(jpeg[2], 0xFF);
  const Image back = decode_jpeg(jpeg);
  ASSERT_EQ(back.width, 320);
  ASSERT_EQ(back.height, 180);
  EXPECT_LT(mean_abs_difference(image.rgba, back.rgba, 3), 2.0);
  // Lower quality gives a smaller file.
  EXPECT_LT(encode_image(image, ImageFormat::Jpeg, 30).size(), jpeg.size());
}

TEST(Encode, JpegCompositesTransparencyOverBlack) {
  Image image{16, 16, Bytes(16 * 16 * 4)};
  for (int i = 0; i < 16 * 16; ++i) {
    const bool top = i < 16 * 8;
    image.rgba[i * 4 + 0] = 200, image.rgba[i * 4 + 1] = 200, image.rgba[i * 4 + 2] = 200;
    image.rgba[i * 4 + 3] = top ? 0 : 128;
  }
  const Image back = decode_jpeg(encode_image(image, ImageFormat::Jpeg, 95));
  EXPECT_NEAR(back.rgba[(2 * 16 + 8) * 4], 0, 3);     // transparent → black
  EXPECT_NEAR(back.rgba[(13 * 16 + 8) * 4], 100, 3);  // half alpha → half brightness
}

TEST(Encode, PngRoundTripIsLossless) {
  for (const bool transparent : {false, true}) {
    const Image image = render_like(200, 120, transparent);
    const Bytes png = encode_image(image, ImageFormat::Png, 85);
    ASSERT_GE(png.size(), 8u);
    EXPECT_EQ(png[1], 'P');
    const Image back = decode_png(png);
    ASSERT_EQ(back.width, 200);
    ASSERT_EQ(back.height, 120);
    EXPECT_EQ(back.rgba, image.rgba) << "transparent background: " << transparent;
  }
}

TEST(Encode, WebpRoundTripKeepsAlpha) {
  const Image image = render_like(200, 120, true);
  const Bytes webp = encode_image(image, ImageFormat::Webp, 90);
  ASSERT_GE(webp.size(), 12u);
  EXPECT_EQ(std::string(webp.begin() + 8, webp.begin() + 12), "WEBP");
  const Image back = decode_webp(webp);
  ASSERT_EQ(back.width, 200);
  ASSERT_EQ(back.height, 120);
  EXPECT_EQ(back.rgba[3], 0);                           // corner: transparent background
  EXPECT_EQ(back.rgba[(60 * 200 + 100) * 4 + 3], 255);  // centre: the opaque ball
  EXPECT_LT(mean_abs_difference(image.rgba, back.rgba, 4), 6.0);
}

TEST(Encode, RefusesInvalidImages) {
  EXPECT_THROW(encode_image(Image{}, ImageFormat::Png, 85), std::runtime_error);
  EXPECT_THROW(encode_image(Image{4, 4, Bytes(10)}, ImageFormat::Jpeg, 85), std::runtime_error);
}

// Not an assertion: how long a 1280×720 thumbnail takes to encode in each format on this machine.
TEST(Encode, PrintsEncodeTimeAt1280x720) {
  const Image image = render_like(1280, 720, false);
  for (const ImageFormat format : {ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::Webp}) {
    encode_image(image, format, 85);  // warm up
    constexpr int kRuns = 3;
    const auto start = std::chrono::steady_clock::now();
    std::size_t size = 0;
    for (int i = 0; i < kRuns; ++i) size = encode_image(image, format, 85).size();
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / kRuns;
    std::cout << "encode 1280x720 " << file_extension(format) << ": " << ms << " ms, " << size << " bytes\n";
    ::testing::Test::RecordProperty(std::string("encode_ms_") + file_extension(format), std::to_string(ms));
  }
}

}  // namespace
