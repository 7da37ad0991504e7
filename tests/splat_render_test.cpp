// The splat renderer into an sRGB framebuffer on a headless EGL context: colour, culling, sorting, footprint shape
// and GL state hygiene. Also the GL-free sort.
#include <GLES3/gl3.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <glm/gtc/matrix_transform.hpp>
#include <memory>
#include <vector>

#include "platform/egl_context.h"
#include "render/splat_projection.h"
#include "render/splat_renderer.h"
#include "support/scene_builders.h"

using thumbgen::scene::SplatCloud;
using thumbgen::test::add_splat;

namespace {

constexpr int kSize = 96;

struct Pixel {
  int r, g, b;
  bool black() const { return r < 8 && g < 8 && b < 8; }
};

class SplatRenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("EGL_PLATFORM", "surfaceless", 0);
    try {
      context_ = thumbgen::platform::create_egl_context();
    } catch (const std::exception& e) {
      GTEST_SKIP() << "no headless GLES 3 context: " << e.what();
    }
    glGenFramebuffers(1, &framebuffer_);
    glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
    glGenRenderbuffers(2, renderbuffers_);
    glBindRenderbuffer(GL_RENDERBUFFER, renderbuffers_[0]);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_SRGB8_ALPHA8, kSize, kSize);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, renderbuffers_[0]);
    glBindRenderbuffer(GL_RENDERBUFFER, renderbuffers_[1]);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH_COMPONENT24, kSize, kSize);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, renderbuffers_[1]);
    ASSERT_EQ(glCheckFramebufferStatus(GL_FRAMEBUFFER), static_cast<GLenum>(GL_FRAMEBUFFER_COMPLETE));
    glViewport(0, 0, kSize, kSize);
    renderer_ = std::make_unique<thumbgen::render::SplatRenderer>();
  }

  void TearDown() override {
    if (!context_) return;
    renderer_.reset();
    glDeleteRenderbuffers(2, renderbuffers_);
    glDeleteFramebuffers(1, &framebuffer_);
  }

  // Camera at +5 on Z looking at the origin, 45° vertical field of view.
  void render(const SplatCloud& cloud) {
    glClearColor(0, 0, 0, 1);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    glEnable(GL_DEPTH_TEST);
    const glm::mat4 view = glm::lookAt(glm::vec3(0, 0, 5), glm::vec3(0), glm::vec3(0, 1, 0));
    const glm::mat4 projection = glm::perspective(glm::radians(45.0f), 1.0f, 0.1f, 100.0f);
    renderer_->draw(cloud, view, projection, kSize, kSize, thumbgen::render::SplatCompositing::AmongMeshes);
    pixels_.assign(kSize * kSize * 4, 0);
    glReadPixels(0, 0, kSize, kSize, GL_RGBA, GL_UNSIGNED_BYTE, pixels_.data());
    EXPECT_EQ(glGetError(), static_cast<GLenum>(GL_NO_ERROR));
  }

  // x right, y up (GL's row order).
  Pixel at(int x, int y) const {
    const std::size_t i = (static_cast<std::size_t>(y) * kSize + x) * 4;
    return {pixels_[i], pixels_[i + 1], pixels_[i + 2]};
  }

  int lit_run(bool horizontal) const {
    int count = 0;
    for (int i = 0; i < kSize; ++i) count += !(horizontal ? at(i, kSize / 2) : at(kSize / 2, i)).black();
    return count;
  }

  std::unique_ptr<thumbgen::render::GlContext> context_;
  std::unique_ptr<thumbgen::render::SplatRenderer> renderer_;
  GLuint framebuffer_ = 0;
  GLuint renderbuffers_[2] = {0, 0};
  std::vector<std::uint8_t> pixels_;
};

TEST_F(SplatRenderTest, DrawsColouredSplatAndLeavesBackground) {
  SplatCloud cloud;
  add_splat(cloud, glm::vec3(0), glm::vec3(0.3f), glm::vec3(1.0f, 0.05f, 0.05f));
  render(cloud);
  const Pixel centre = at(kSize / 2, kSize / 2);
  EXPECT_GT(centre.r, 150);
  EXPECT_LT(centre.g, 100);
  EXPECT_LT(centre.b, 100);
  EXPECT_TRUE(at(2, 2).black());
  EXPECT_TRUE(at(kSize - 3, kSize - 3).black());
  // Display colour 0.05 among meshes is made linear (0.004) and the sRGB target encodes it back: ≈ 13, not
  // the 63 of 0.05 taken as linear.
  const Pixel exact = at(kSize / 2, kSize / 2);
  EXPECT_NEAR(exact.g, 13, 3);
}

TEST_F(SplatRenderTest, SplatBehindCameraIsInvisible) {
  SplatCloud cloud;
  add_splat(cloud, glm::vec3(0, 0, 8), glm::vec3(0.5f), glm::vec3(1.0f));  // the eye is at z = 5 looking at −Z
  render(cloud);
  for (int y = 0; y < kSize; y += 4) {
    for (int x = 0; x < kSize; x += 4) ASSERT_TRUE(at(x, y).black()) << x << "," << y;
  }
}

TEST_F(SplatRenderTest, ElongatedSplatHasElongatedFootprint) {
  SplatCloud cloud;
  add_splat(cloud, glm::vec3(0), glm::vec3(1.0f, 0.05f, 0.05f), glm::vec3(1.0f));
  render(cloud);
  const int width = lit_run(true);
  const int height = lit_run(false);
  EXPECT_GT(width, 3 * height) << width << " × " << height;
  EXPECT_GT(height, 0);

  // Rotated 90° about Z it stands upright.
  cloud.rotations[0] = glm::angleAxis(glm::radians(90.0f), glm::vec3(0, 0, 1));
  render(cloud);
  EXPECT_GT(lit_run(false), 3 * lit_run(true));
}

TEST_F(SplatRenderTest, NearerSplatCoversFartherWhateverTheInputOrder) {
  for (bool near_first : {true, false}) {
    SplatCloud cloud;
    const auto add_near = [&] { add_splat(cloud, glm::vec3(0, 0, 1), glm::vec3(0.3f), glm::vec3(0, 1, 0)); };
    const auto add_far = [&] { add_splat(cloud, glm::vec3(0, 0, -1), glm::vec3(0.5f), glm::vec3(1, 0, 0)); };
    if (near_first) {
      add_near();
      add_far();
    } else {
      add_far();
      add_near();
    }
    render(cloud);
    const Pixel centre = at(kSize / 2, kSize / 2);
    EXPECT_GT(centre.g, 200) << "near_first " << near_first;
    EXPECT_LT(centre.r, 60) << "near_first " << near_first;
  }
}

TEST_F(SplatRenderTest, RestoresGlStateAndToleratesEmptyClouds) {
  glDepthMask(GL_TRUE);
  glDisable(GL_BLEND);
  SplatCloud cloud;
  render(cloud);  // nothing to draw
  add_splat(cloud, glm::vec3(0), glm::vec3(0.3f), glm::vec3(1.0f));
  render(cloud);
  GLboolean depth_mask = GL_FALSE;
  glGetBooleanv(GL_DEPTH_WRITEMASK, &depth_mask);
  EXPECT_EQ(depth_mask, GL_TRUE);
  EXPECT_FALSE(glIsEnabled(GL_BLEND));
}

TEST(SplatSort, OrdersFarthestFirst) {
  const std::vector<float> depth = {1.0f, 5.0f, 3.0f, 5.0f, 0.5f};
  const std::vector<std::uint32_t> order = thumbgen::render::sort_back_to_front(depth);
  ASSERT_EQ(order.size(), depth.size());
  for (std::size_t i = 1; i < order.size(); ++i) EXPECT_GE(depth[order[i - 1]], depth[order[i]]);
  EXPECT_TRUE(thumbgen::render::sort_back_to_front({}).empty());
}

TEST(SplatProjection, CullsBehindOffscreenAndTransparent) {
  SplatCloud cloud;
  add_splat(cloud, glm::vec3(0), glm::vec3(0.1f), glm::vec3(1));          // visible
  add_splat(cloud, glm::vec3(0, 0, 10), glm::vec3(0.1f), glm::vec3(1));   // behind the eye
  add_splat(cloud, glm::vec3(100, 0, 0), glm::vec3(0.1f), glm::vec3(1));  // far off screen
  add_splat(cloud, glm::vec3(0), glm::vec3(0.1f), glm::vec3(1), 0.0f);    // transparent
  add_splat(cloud, glm::vec3(0), glm::vec3(1e6f), glm::vec3(1));          // huge: kept but capped
  const glm::mat4 view = glm::lookAt(glm::vec3(0, 0, 5), glm::vec3(0), glm::vec3(0, 1, 0));
  const glm::mat4 projection = glm::perspective(glm::radians(45.0f), 1.0f, 0.1f, 100.0f);
  thumbgen::render::SplatDrawStats stats;
  const auto vertices =
      thumbgen::render::project_splats(cloud, view, projection, 100, 100, /*linear_colour=*/false, stats);
  EXPECT_EQ(stats.input, 5u);
  EXPECT_EQ(stats.drawn, 2u);
  ASSERT_EQ(vertices.size(), 8u);
  for (const auto& v : vertices) {
    EXPECT_LE(std::abs(v.position[0]), 1.0f + 1e-4f);  // the huge splat's quad stays within ±2·25 % of 100 px
  }
}

}  // namespace
