#include "render/post_aa.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>

using thumbgen::scene::Image;

namespace {

Image filled(int width, int height, std::uint8_t r, std::uint8_t g, std::uint8_t b, std::uint8_t a) {
  Image image{width, height, std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height * 4)};
  for (std::size_t i = 0; i < image.rgba.size(); i += 4) {
    image.rgba[i] = r, image.rgba[i + 1] = g, image.rgba[i + 2] = b, image.rgba[i + 3] = a;
  }
  return image;
}

std::uint8_t* at(Image& image, int x, int y) {
  return &image.rgba[(static_cast<std::size_t>(y) * image.width + x) * 4];
}

// A white triangle below the line y = x / 3 + 10, drawn without anti-aliasing (a staircase edge).
Image aliased_wedge(std::uint8_t background_alpha) {
  Image image = filled(160, 90, 0, 0, 0, background_alpha);
  for (int y = 0; y < 90; ++y)
    for (int x = 40; x < 120; ++x)
      if (y > x / 3 + 10 && y < 80) {
        std::uint8_t* p = at(image, x, y);
        p[0] = p[1] = p[2] = p[3] = 255;
      }
  return image;
}

}  // namespace

TEST(SmoothEdges, LeavesFlatImagesAlone) {
  Image image = filled(64, 48, 30, 60, 90, 255);
  const Image before = image;
  thumbgen::render::smooth_edges(image);
  EXPECT_EQ(image.rgba, before.rgba);
}

TEST(SmoothEdges, BlendsStaircaseEdgesAndTouchesNothingElse) {
  for (std::uint8_t background_alpha : {std::uint8_t{255}, std::uint8_t{0}}) {
    Image image = aliased_wedge(background_alpha);
    const Image before = image;
    thumbgen::render::smooth_edges(image);
    int blended = 0;
    for (int y = 0; y < image.height; ++y)
      for (int x = 0; x < image.width; ++x) {
        const std::uint8_t* was = &before.rgba[(static_cast<std::size_t>(y) * image.width + x) * 4];
        const std::uint8_t* now = at(image, x, y);
        if (std::equal(was, was + 4, now)) continue;
        // Only pixels on the edge change: a neighbour within two pixels has the other colour.
        bool near_edge = false;
        for (int dy = -2; dy <= 2; ++dy)
          for (int dx = -2; dx <= 2; ++dx) {
            const int nx = std::clamp(x + dx, 0, image.width - 1), ny = std::clamp(y + dy, 0, image.height - 1);
            near_edge |= before.rgba[(static_cast<std::size_t>(ny) * image.width + nx) * 4] != was[0];
          }
        EXPECT_TRUE(near_edge) << "pixel " << x << "," << y << " changed far from any edge";
        if (now[0] > 0 && now[0] < 255) ++blended;
      }
    // The sloped edge is about 80 pixels long: most of its steps get an intermediate shade.
    EXPECT_GT(blended, 40) << "background alpha " << int(background_alpha);
    // Far from the wedge: untouched.
    EXPECT_EQ(at(image, 5, 5)[0], 0);
    EXPECT_EQ(at(image, 80, 60)[0], 255);
  }
}
