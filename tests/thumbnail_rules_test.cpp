// The thumbnail rules shared by the native pipeline and the WebAssembly build (render/thumbnail_rules.h), on the
// real EGL context.
#include "render/thumbnail_rules.h"

#include <gtest/gtest.h>

#include <glm/gtc/matrix_transform.hpp>

#include "support/render_fixture.h"
#include "support/scene_builders.h"

using namespace thumbgen;

namespace {

class ThumbnailRules : public test::RendererTest {
 protected:
  static scene::Scene red_box() {
    return test::single_mesh_scene(test::box_mesh({0, 0, 0}, {0.5f, 0.5f, 0.5f}), {0.8f, 0.1f, 0.1f, 1.0f}, false);
  }
};

TEST(ThumbnailLoadLimits, CapTexturesToHalfTheNextPowerOfTwoAboveTheOutput) {
  scene::LoadLimits limits;  // 2048 by default
  render::ViewOptions view;  // 1280×720
  EXPECT_EQ(render::thumbnail_load_limits(limits, view).max_texture_dimension, 1024);
  view.width = 256, view.height = 160;
  EXPECT_EQ(render::thumbnail_load_limits(limits, view).max_texture_dimension, 512);  // never below 512
  view.width = 4096, view.height = 4096;
  EXPECT_EQ(render::thumbnail_load_limits(limits, view).max_texture_dimension, 2048);  // never above the caller's
  limits.max_texture_dimension = 300;
  view.width = 1280, view.height = 720;
  EXPECT_EQ(render::thumbnail_load_limits(limits, view).max_texture_dimension, 300);
  EXPECT_EQ(render::thumbnail_load_limits(limits, view).max_file_bytes, limits.max_file_bytes);
}

TEST(BoundedReason, ShortReasonsStayLongOnesAreCutOnACharacterBoundary) {
  EXPECT_EQ(render::bounded_reason("truncated GLB"), "truncated GLB");
  const std::string cut = render::bounded_reason(std::string(1000, 'a'));
  EXPECT_EQ(cut, std::string(300, 'a') + "...");
  // "é" is two bytes at 299..300: the cut must not split it.
  const std::string accented = std::string(299, 'a') + "\xC3\xA9" + std::string(100, 'b');
  EXPECT_EQ(render::bounded_reason(accented), std::string(299, 'a') + "...");
}

TEST_F(ThumbnailRules, AVisibleModelBecomesAThumbnail) {
  const render::Thumbnail thumbnail = render::render_thumbnail(renderer(), red_box(), small_view());
  EXPECT_FALSE(thumbnail.problem) << *thumbnail.problem;
  EXPECT_FALSE(thumbnail.authored_camera);
  EXPECT_EQ(thumbnail.image.width, 320);
  EXPECT_EQ(thumbnail.image.height, 180);
  EXPECT_TRUE(thumbnail.warnings.empty());
}

TEST_F(ThumbnailRules, AnInvisibleModelIsRefusedAsBlank) {
  scene::Scene invisible = red_box();
  invisible.materials.front().base_color.a = 0.0f;
  invisible.materials.front().alpha_mode = scene::AlphaMode::Blend;
  const render::Thumbnail thumbnail = render::render_thumbnail(renderer(), invisible, small_view());
  ASSERT_TRUE(thumbnail.problem);
  EXPECT_NE(thumbnail.problem->find("blank render"), std::string::npos) << *thumbnail.problem;
}

TEST_F(ThumbnailRules, AnAuthoredCameraLookingAwayIsReplacedByAutoFraming) {
  scene::Scene scene = red_box();
  scene::Camera away;
  // At z = 5 looking down +Z, away from the box at the origin (cameras look down their local -Z).
  away.world = glm::inverse(glm::lookAt(glm::vec3(0, 0, 5), glm::vec3(0, 0, 10), glm::vec3(0, 1, 0)));
  scene.cameras.push_back(away);
  const render::Thumbnail thumbnail = render::render_thumbnail(renderer(), scene, small_view());
  EXPECT_TRUE(thumbnail.authored_camera);
  EXPECT_FALSE(thumbnail.problem) << *thumbnail.problem;
  ASSERT_EQ(thumbnail.warnings.size(), 1u);
  EXPECT_NE(thumbnail.warnings.front().find("auto-framed"), std::string::npos);
}

}  // namespace
