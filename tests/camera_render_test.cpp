// Cameras on the real renderer: an absolute camera shows what it looks at, the camera a render reports brings
// the same frame back, and the presentation's orienting rotation turns the model before framing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <glm/gtc/quaternion.hpp>

#include "render/quality_gate.h"
#include "render/thumbnail_rules.h"
#include "support/render_fixture.h"
#include "support/scene_builders.h"

using namespace thumbgen;

namespace {

class CameraRender : public test::RendererTest {
 protected:
  static render::ViewOptions view() {
    render::ViewOptions options;
    options.width = 320;
    options.height = 180;
    return options;
  }
  // A bar 2 long along Z, 0.2 thick: it looks long from the side (±X), a small square from the front (+Z).
  static scene::Scene bar() {
    return test::single_mesh_scene(test::box_mesh({0, 0, 0}, {0.1f, 0.1f, 1.0f}), {0.8f, 0.3f, 0.1f, 1.0f}, false);
  }
  static render::Thumbnail thumbnail(const scene::Scene& scene, const render::ViewOptions& options) {
    return render::render_thumbnail(renderer(), scene, options);
  }
  // The content's extent in pixels.
  static glm::vec2 extent(const scene::Image& image) {
    const render::ContentBox box = render::content_box(image, glm::vec4(0, 0, 0, 1));
    EXPECT_FALSE(box.empty);
    return {(box.right - box.left) * image.width, (box.bottom - box.top) * image.height};
  }
  // Fraction of pixels where some channel differs by more than 8 levels.
  static double differing(const scene::Image& a, const scene::Image& b) {
    EXPECT_EQ(a.rgba.size(), b.rgba.size());
    std::size_t count = 0;
    for (std::size_t i = 0; i + 3 < std::min(a.rgba.size(), b.rgba.size()); i += 4) {
      for (std::size_t c = 0; c < 3; ++c) {
        if (std::abs(int(a.rgba[i + c]) - int(b.rgba[i + c])) > 8) {
          ++count;
          break;
        }
      }
    }
    return static_cast<double>(count) / static_cast<double>(a.rgba.size() / 4);
  }
};

TEST_F(CameraRender, AnAbsoluteCameraFromPlusXShowsTheModelsSide) {
  render::ViewOptions side = view();
  side.saved_camera = render::AbsoluteCamera{{5, 0, 0}, {0, 0, 0}, {0, 1, 0}, 45};
  const render::Thumbnail from_side = thumbnail(bar(), side);
  ASSERT_FALSE(from_side.problem) << *from_side.problem;
  EXPECT_EQ(from_side.camera_source, render::CameraSource::Saved);
  EXPECT_EQ(from_side.camera_used.position, glm::vec3(5, 0, 0));  // reported exactly as given
  EXPECT_EQ(from_side.camera_used.target, glm::vec3(0, 0, 0));
  const glm::vec2 long_side = extent(from_side.image);
  EXPECT_GT(long_side.x, 4.0f * long_side.y) << long_side.x << " x " << long_side.y;

  render::ViewOptions front = view();
  front.saved_camera = render::AbsoluteCamera{{0, 0, 5}, {0, 0, 0}, {0, 1, 0}, 45};
  const render::Thumbnail from_front = thumbnail(bar(), front);
  ASSERT_FALSE(from_front.problem) << *from_front.problem;
  const glm::vec2 end_on = extent(from_front.image);
  EXPECT_NEAR(end_on.x, end_on.y, 0.25f * end_on.y) << end_on.x << " x " << end_on.y;
  EXPECT_LT(end_on.x, long_side.x / 3.0f);
}

TEST_F(CameraRender, TheCameraUsedBringsTheSameFrameBack) {
  const render::Thumbnail automatic = thumbnail(bar(), view());
  ASSERT_FALSE(automatic.problem) << *automatic.problem;
  EXPECT_EQ(automatic.camera_source, render::CameraSource::Auto);
  render::ViewOptions again = view();
  again.saved_camera = automatic.camera_used;
  const render::Thumbnail repeated = thumbnail(bar(), again);
  ASSERT_FALSE(repeated.problem) << *repeated.problem;
  EXPECT_LT(differing(automatic.image, repeated.image), 0.002);
  // And a different saved camera gives a different frame.
  again.saved_camera->position.x = -again.saved_camera->position.x;
  EXPECT_GT(differing(automatic.image, thumbnail(bar(), again).image), 0.02);
}

TEST_F(CameraRender, TheOrientingRotationTurnsTheModelBeforeFraming) {
  render::ViewOptions front = view();
  front.camera = render::CameraAngles{0, 0, 45};  // straight at the front (+Z side)
  const glm::vec2 lying = extent(thumbnail(bar(), front).image);
  EXPECT_NEAR(lying.x, lying.y, 0.25f * lying.y);  // the bar's end

  // Upright: Z turned onto Y, as a presentation's orientingRotation does for a model authored lying down.
  front.presentation.orienting_rotation = glm::angleAxis(glm::radians(-90.0f), glm::vec3(1, 0, 0));
  const render::Thumbnail upright = thumbnail(bar(), front);
  ASSERT_FALSE(upright.problem) << *upright.problem;
  const glm::vec2 standing = extent(upright.image);
  EXPECT_GT(standing.y, 4.0f * standing.x) << standing.x << " x " << standing.y;

  // The camera used is in the model's space as loaded: without the rotation it shows the same frame.
  render::ViewOptions saved = view();
  saved.saved_camera = upright.camera_used;
  EXPECT_NEAR(upright.camera_used.up.z, 1.0f, 1e-4f);  // presentation +Y is the model's +Z here
  EXPECT_LT(differing(upright.image, thumbnail(bar(), saved).image), 0.002);
}

TEST_F(CameraRender, ThePresentationCameraIsUsedAndReportedInTheModelsSpace) {
  render::ViewOptions options = view();
  options.presentation.orienting_rotation = glm::angleAxis(glm::radians(-90.0f), glm::vec3(1, 0, 0));
  render::PresentationCamera camera;  // on +X of presentation space, looking down -X at the upright bar
  camera.translation = {6, 0, 0};
  camera.rotation = glm::angleAxis(glm::radians(90.0f), glm::vec3(0, 1, 0));
  camera.pivot = glm::vec3(0, 0, 0);
  options.presentation.camera = camera;
  const render::Thumbnail presented = thumbnail(bar(), options);
  ASSERT_FALSE(presented.problem) << *presented.problem;
  EXPECT_EQ(presented.camera_source, render::CameraSource::Presentation);
  const glm::vec2 standing = extent(presented.image);
  EXPECT_GT(standing.y, 3.0f * standing.x) << standing.x << " x " << standing.y;

  render::ViewOptions saved = view();
  saved.saved_camera = presented.camera_used;
  EXPECT_LT(differing(presented.image, thumbnail(bar(), saved).image), 0.002);
}

TEST_F(CameraRender, ASavedCameraLookingAwayIsRefusedNotReplaced) {
  render::ViewOptions away = view();
  away.saved_camera = render::AbsoluteCamera{{0, 0, 5}, {0, 0, 10}, {0, 1, 0}, 45};
  const render::Thumbnail refused = thumbnail(bar(), away);
  ASSERT_TRUE(refused.problem);
  EXPECT_NE(refused.problem->find("blank render"), std::string::npos) << *refused.problem;
  EXPECT_EQ(refused.camera_source, render::CameraSource::Saved);
  EXPECT_TRUE(refused.warnings.empty());
}

}  // namespace
