#include "render/quality_gate.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>

using thumbgen::render::check_quality;
using thumbgen::render::content_box;
using thumbgen::render::QualityOptions;
using thumbgen::scene::Image;

namespace {

const glm::vec4 kBlack{0, 0, 0, 1};
const glm::vec4 kLightGrey{0xEE / 255.0f, 0xEE / 255.0f, 0xEE / 255.0f, 1};
const glm::vec4 kTransparent{0, 0, 0, 0};

Image filled(int width, int height, std::array<std::uint8_t, 4> colour) {
  Image image{width, height, std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height * 4)};
  for (std::size_t i = 0; i < image.rgba.size(); i += 4)
    for (int c = 0; c < 4; ++c) image.rgba[i + c] = colour[c];
  return image;
}

// A shaded ellipse centred at (cx, cy) with radii (rx, ry), in pixels.
void draw_blob(Image& image, float cx, float cy, float rx, float ry, std::uint8_t alpha = 255) {
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x) {
      const float dx = (x - cx) / rx, dy = (y - cy) / ry;
      if (dx * dx + dy * dy > 1.0f) continue;
      std::uint8_t* p = &image.rgba[(static_cast<std::size_t>(y) * image.width + x) * 4];
      p[0] = static_cast<std::uint8_t>(80 + 100 * (1 - dx * dx));
      p[1] = static_cast<std::uint8_t>(60 + 80 * (1 - dy * dy));
      p[2] = 40;
      p[3] = alpha;
    }
}

std::string reason_or_ok(const Image& image, const glm::vec4& background, bool check_clipping = true) {
  return check_quality(image, background, QualityOptions{check_clipping}).value_or("ok");
}

TEST(QualityGate, BlankRenderIsRefused) {
  EXPECT_EQ(reason_or_ok(filled(1280, 720, {0, 0, 0, 255}), kBlack), "blank render: nothing visible");
  EXPECT_EQ(reason_or_ok(filled(1280, 720, {0xEE, 0xEE, 0xEE, 255}), kLightGrey), "blank render: nothing visible");
  // Render noise within a few levels of the background is still nothing.
  Image noisy = filled(640, 360, {3, 2, 4, 255});
  EXPECT_EQ(reason_or_ok(noisy, kBlack), "blank render: nothing visible");
  // A few stray pixels are not an object.
  Image specks = filled(1280, 720, {0, 0, 0, 255});
  draw_blob(specks, 640, 360, 3, 3);
  EXPECT_EQ(reason_or_ok(specks, kBlack), "blank render: nothing visible");
  EXPECT_EQ(reason_or_ok(Image{}, kBlack).rfind("blank render", 0), 0u);
}

TEST(QualityGate, UniformRenderIsRefused) {
  // A camera inside an object: one colour that is not the background, everywhere.
  EXPECT_EQ(reason_or_ok(filled(1280, 720, {120, 90, 60, 255}), kBlack),
            "uniform render: the image is a single colour");
  EXPECT_EQ(reason_or_ok(filled(1280, 720, {120, 90, 60, 255}), kBlack, false),
            "uniform render: the image is a single colour");
}

TEST(QualityGate, CentredObjectPasses) {
  Image image = filled(1280, 720, {0, 0, 0, 255});
  draw_blob(image, 640, 360, 400, 300);
  EXPECT_EQ(reason_or_ok(image, kBlack), "ok");
  // Small but clearly visible objects pass too.
  Image small = filled(1280, 720, {0xEE, 0xEE, 0xEE, 255});
  draw_blob(small, 640, 360, 40, 30);
  EXPECT_EQ(reason_or_ok(small, kLightGrey), "ok");
}

TEST(QualityGate, ObjectTouchingOppositeEdgesIsClipped) {
  Image image = filled(1280, 720, {0, 0, 0, 255});
  draw_blob(image, 640, 360, 700, 200);  // wider than the frame
  EXPECT_EQ(reason_or_ok(image, kBlack), "object clipped by the frame (touches the left and right edges)");
  // An authored camera may crop on purpose.
  EXPECT_EQ(reason_or_ok(image, kBlack, false), "ok");
}

TEST(QualityGate, LongRunOnOneEdgeIsClipped) {
  Image image = filled(1280, 720, {0, 0, 0, 255});
  draw_blob(image, 640, 720, 300, 250);  // cut by the bottom edge
  EXPECT_EQ(reason_or_ok(image, kBlack), "object clipped by the frame (touches the bottom edge)");
}

TEST(QualityGate, TinyContactWithOneEdgeIsTolerated) {
  Image image = filled(1280, 720, {0, 0, 0, 255});
  draw_blob(image, 640, 360, 300, 250);
  draw_blob(image, 0, 100, 2, 3);  // a stray point at the left edge
  EXPECT_EQ(reason_or_ok(image, kBlack), "ok");
}

TEST(QualityGate, TransparentBackgroundUsesAlpha) {
  Image empty = filled(800, 600, {0, 0, 0, 0});
  EXPECT_EQ(reason_or_ok(empty, kTransparent), "blank render: nothing visible");
  Image image = filled(800, 600, {0, 0, 0, 0});
  draw_blob(image, 400, 300, 250, 200);
  EXPECT_EQ(reason_or_ok(image, kTransparent), "ok");
  // Colour under alpha 0 is arbitrary and does not count as content.
  Image garbage_under_alpha = filled(800, 600, {200, 10, 10, 0});
  EXPECT_EQ(reason_or_ok(garbage_under_alpha, kTransparent), "blank render: nothing visible");
  Image clipped = filled(800, 600, {0, 0, 0, 0});
  draw_blob(clipped, 400, 300, 250, 400, 200);  // taller than the frame, translucent
  EXPECT_EQ(reason_or_ok(clipped, kTransparent), "object clipped by the frame (touches the top and bottom edges)");
}

TEST(QualityGate, ContentBoxMeasuresFraming) {
  Image image = filled(1000, 500, {0, 0, 0, 255});
  draw_blob(image, 500, 250, 200, 100);
  const auto box = content_box(image, kBlack);
  ASSERT_FALSE(box.empty);
  EXPECT_NEAR(box.left, 0.3f, 0.01f);
  EXPECT_NEAR(box.right, 0.7f, 0.01f);
  EXPECT_NEAR(box.top, 0.3f, 0.01f);
  EXPECT_NEAR(box.bottom, 0.7f, 0.01f);
  EXPECT_NEAR(box.coverage, 3.14159f * 200 * 100 / (1000.0f * 500), 0.005f);
  EXPECT_TRUE(content_box(filled(10, 10, {0, 0, 0, 255}), kBlack).empty);
}

}  // namespace
