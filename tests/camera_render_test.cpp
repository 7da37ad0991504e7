// Cameras on the real renderer: an absolute camera shows what it looks at, the camera a render reports brings
// the same frame back, and the presentation's orienting rotation turns the model before framing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <glm/gtc/matrix_transform.hpp>
#include <glm/gtc/quaternion.hpp>

#include "render/quality_gate.h"
#include "render/thumbnail_rules.h"
#include "support/render_fixture.h"
#include "support/scene_builders.h"

using namespace thumbgen;

namespace {

class CameraRender : public test::RendererTest {
 protected:
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
  render::ViewOptions side = small_view();
  side.saved_camera = render::AbsoluteCamera{{5, 0, 0}, {0, 0, 0}, {0, 1, 0}, 45};
  const render::Thumbnail from_side = thumbnail(bar(), side);
  ASSERT_FALSE(from_side.problem) << *from_side.problem;
  EXPECT_EQ(from_side.camera_source, render::CameraSource::Saved);
  EXPECT_EQ(from_side.camera_used.position, glm::vec3(5, 0, 0));  // reported exactly as given
  EXPECT_EQ(from_side.camera_used.target, glm::vec3(0, 0, 0));
  const glm::vec2 long_side = extent(from_side.image);
  EXPECT_GT(long_side.x, 4.0f * long_side.y) << long_side.x << " x " << long_side.y;

  render::ViewOptions front = small_view();
  front.saved_camera = render::AbsoluteCamera{{0, 0, 5}, {0, 0, 0}, {0, 1, 0}, 45};
  const render::Thumbnail from_front = thumbnail(bar(), front);
  ASSERT_FALSE(from_front.problem) << *from_front.problem;
  const glm::vec2 end_on = extent(from_front.image);
  EXPECT_NEAR(end_on.x, end_on.y, 0.25f * end_on.y) << end_on.x << " x " << end_on.y;
  EXPECT_LT(end_on.x, long_side.x / 3.0f);
}

TEST_F(CameraRender, TheCameraUsedBringsTheSameFrameBack) {
  const render::Thumbnail automatic = thumbnail(bar(), small_view());
  ASSERT_FALSE(automatic.problem) << *automatic.problem;
  EXPECT_EQ(automatic.camera_source, render::CameraSource::Auto);
  render::ViewOptions again = small_view();
  again.saved_camera = automatic.camera_used;
  const render::Thumbnail repeated = thumbnail(bar(), again);
  ASSERT_FALSE(repeated.problem) << *repeated.problem;
  EXPECT_LT(differing(automatic.image, repeated.image), 0.002);
  // And a different saved camera gives a different frame.
  again.saved_camera->position.x = -again.saved_camera->position.x;
  EXPECT_GT(differing(automatic.image, thumbnail(bar(), again).image), 0.02);
}

TEST_F(CameraRender, TheOrientingRotationTurnsTheModelBeforeFraming) {
  render::ViewOptions front = small_view();
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
  render::ViewOptions saved = small_view();
  saved.saved_camera = upright.camera_used;
  EXPECT_NEAR(upright.camera_used.up.z, 1.0f, 1e-4f);  // presentation +Y is the model's +Z here
  EXPECT_LT(differing(upright.image, thumbnail(bar(), saved).image), 0.002);
}

TEST_F(CameraRender, ThePresentationCameraIsUsedAndReportedInTheModelsSpace) {
  render::ViewOptions options = small_view();
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

  render::ViewOptions saved = small_view();
  saved.saved_camera = presented.camera_used;
  EXPECT_LT(differing(presented.image, thumbnail(bar(), saved).image), 0.002);
}

// The up axis (Scene::upright from the format table or the file's declaration, ViewOptions::up from --up or
// render_settings "up") stands the model up for framing only: the model stays in the file's axes.
TEST_F(CameraRender, AZUpModelStandsUprightAndPlusYKeepsItLying) {
  scene::Scene z_up = bar();  // as a Z-up file (STL) loads: 2 long along the file's Z
  z_up.upright = scene::upright_rotation(scene::UpAxis::PlusZ);
  const render::Thumbnail upright = thumbnail(z_up, small_view());
  ASSERT_FALSE(upright.problem) << *upright.problem;
  const glm::vec2 standing = extent(upright.image);
  EXPECT_GT(standing.y, 3.0f * standing.x) << standing.x << " x " << standing.y;
  EXPECT_GT(upright.camera_used.up.z, 0.9f);  // reported in the file's axes, where up is +Z (less the 20° pitch)

  // --up +Y: exactly the frame of a +Y-up file (the orientation before up axes existed).
  render::ViewOptions plus_y = small_view();
  plus_y.up = scene::UpAxis::PlusY;
  const render::Thumbnail lying = thumbnail(z_up, plus_y);
  EXPECT_LT(differing(lying.image, thumbnail(bar(), small_view()).image), 0.002);
  const glm::vec2 flat = extent(lying.image);
  EXPECT_GT(flat.x, flat.y) << flat.x << " x " << flat.y;  // lying: wider than tall

  // --up +Z stands up a file whose format says nothing.
  render::ViewOptions plus_z = small_view();
  plus_z.up = scene::UpAxis::PlusZ;
  EXPECT_LT(differing(thumbnail(bar(), plus_z).image, upright.image), 0.002);
}

TEST_F(CameraRender, SavedAndAuthoredCamerasAreInTheFilesAxesWhateverTheUpAxis) {
  scene::Scene z_up = bar();
  z_up.upright = scene::upright_rotation(scene::UpAxis::PlusZ);
  // A saved camera: the same frame with and without the up turn, reported back unchanged.
  render::ViewOptions saved = small_view();
  saved.saved_camera = render::AbsoluteCamera{{4, -3, 1}, {0, 0, 0}, {0, 0, 1}, 45};
  const render::Thumbnail turned = thumbnail(z_up, saved);
  ASSERT_FALSE(turned.problem) << *turned.problem;
  EXPECT_LT(differing(turned.image, thumbnail(bar(), saved).image), 0.002);
  EXPECT_EQ(turned.camera_used.position, glm::vec3(4, -3, 1));
  // The file's own camera (in the file's axes, like its geometry): the same frame too.
  scene::Scene with_camera = z_up;
  scene::Camera own;
  own.world = glm::inverse(glm::lookAt(glm::vec3(0, -5, 1), glm::vec3(0, 0, 1), glm::vec3(0, 0, 1)));
  with_camera.cameras.push_back(own);
  scene::Scene unturned = with_camera;
  unturned.upright.reset();
  const render::Thumbnail authored = thumbnail(with_camera, small_view());
  ASSERT_FALSE(authored.problem) << *authored.problem;
  EXPECT_EQ(authored.camera_source, render::CameraSource::Authored);
  EXPECT_LT(differing(authored.image, thumbnail(unturned, small_view()).image), 0.002);
  const glm::vec2 standing = extent(authored.image);  // seen from the file's -Y with +Z up: standing
  EXPECT_GT(standing.y, 3.0f * standing.x) << standing.x << " x " << standing.y;
}

TEST_F(CameraRender, TheGallerysOrientingRotationReplacesTheUpAxis) {
  scene::Scene z_up = bar();
  z_up.upright = scene::upright_rotation(scene::UpAxis::PlusZ);
  render::ViewOptions gallery = small_view();
  gallery.presentation.orienting_rotation = glm::angleAxis(glm::radians(90.0f), glm::vec3(0, 1, 0));
  gallery.up = scene::UpAxis::PlusZ;
  const render::Thumbnail turned = thumbnail(z_up, gallery);
  // The gallery turned the file about Y only (as its viewer shows it): the bar lies, the up axis is not added.
  render::ViewOptions plain = gallery;
  plain.up.reset();
  scene::Scene unturned = bar();
  EXPECT_LT(differing(turned.image, thumbnail(unturned, plain).image), 0.002);
  ASSERT_EQ(turned.warnings.size(), 1u);
  EXPECT_EQ(turned.warnings.front(), "up +Z ignored: the gallery's orientingRotation turns this model");
}

TEST_F(CameraRender, ASavedCameraLookingAwayIsRefusedNotReplaced) {
  render::ViewOptions away = small_view();
  away.saved_camera = render::AbsoluteCamera{{0, 0, 5}, {0, 0, 10}, {0, 1, 0}, 45};
  const render::Thumbnail refused = thumbnail(bar(), away);
  ASSERT_TRUE(refused.problem);
  EXPECT_NE(refused.problem->find("blank render"), std::string::npos) << *refused.problem;
  EXPECT_EQ(refused.camera_source, render::CameraSource::Saved);
  EXPECT_TRUE(refused.warnings.empty());
}

}  // namespace
