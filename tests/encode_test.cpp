#include "render/encode.h"

#include <gtest/gtest.h>
#include <spng.h>
#include <turbojpeg.h>
#include <webp/decode.h>

#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "support/render_like.h"

using thumbgen::render::encode_image;
using thumbgen::render::file_extension;
using thumbgen::render::ImageFormat;
using thumbgen::render::parse_image_format;
using thumbgen::scene::Image;
using thumbgen::test::render_like;
using Bytes = std::vector<std::uint8_t>;

namespace {

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

}  // namespace
