#include "render/mipmaps.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

using thumbgen::render::next_mip_level;
using thumbgen::scene::Image;

namespace {

Image checker(int width, int height, std::uint8_t dark, std::uint8_t light) {
  Image image{width, height, std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height * 4)};
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      std::uint8_t* p = &image.rgba[(static_cast<std::size_t>(y) * width + x) * 4];
      p[0] = p[1] = p[2] = (x + y) % 2 ? light : dark;
      p[3] = (x + y) % 2 ? 255 : 0;
    }
  return image;
}

}  // namespace

TEST(MipLevels, AverageSrgbColourInLinearLightAndDataAsStored) {
  const Image level = checker(4, 4, 0, 255);
  const Image srgb = next_mip_level(level, /*srgb=*/true);
  ASSERT_EQ(srgb.width, 2);
  ASSERT_EQ(srgb.height, 2);
  // Half black, half white is linear 0.5: sRGB 188, not 128. Alpha is averaged as stored.
  for (std::size_t i = 0; i < srgb.rgba.size(); i += 4) {
    EXPECT_EQ(srgb.rgba[i], 188);
    EXPECT_EQ(srgb.rgba[i + 3], 128);
  }
  const Image data = next_mip_level(level, /*srgb=*/false);
  for (std::size_t i = 0; i < data.rgba.size(); i += 4) EXPECT_EQ(data.rgba[i], 128);
}

TEST(MipLevels, SrgbRoundTripKeepsFlatColours) {
  for (int value = 0; value < 256; value += 5) {
    const Image flat = checker(2, 2, static_cast<std::uint8_t>(value), static_cast<std::uint8_t>(value));
    EXPECT_EQ(next_mip_level(flat, true).rgba[0], value);
  }
}

TEST(MipLevels, SizesFollowGlAndOddEdgesRepeat) {
  Image image = checker(5, 3, 0, 255);
  image = next_mip_level(image, false);
  EXPECT_EQ(image.width, 2);
  EXPECT_EQ(image.height, 1);
  int levels = 1;
  Image wide = checker(8, 2, 0, 255);
  while (wide.width > 1 || wide.height > 1) {
    wide = next_mip_level(wide, false);
    ++levels;
  }
  EXPECT_EQ(levels, 4);  // 8x2, 4x1, 2x1, 1x1
  // A 1-pixel-tall level: the row repeats, so the mean of (0, 255) is 128.
  EXPECT_EQ(wide.rgba[0], 128);
}
