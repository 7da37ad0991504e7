// The camera precedence rule (render/camera_choice.h) and the render settings a claim carries
// (render/render_settings.h): pure data, no GL.
#include "render/render_settings.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "render/camera_choice.h"

using namespace thumbgen;
using nlohmann::json;

namespace {

render::AbsoluteCamera some_camera() { return {{1, 2, 3}, {0, 0, 0}, {0, 1, 0}, 40}; }

render::PresentationCamera some_presentation_camera() {
  render::PresentationCamera camera;
  camera.translation = {0, 0, 5};
  return camera;
}

scene::Scene scene_with_own_camera() {
  scene::Scene scene;
  scene.cameras.emplace_back();
  return scene;
}

TEST(CameraPrecedence, SavedThenRunThenPresentationThenTheModelsOwnThenAuto) {
  render::ViewOptions view;
  view.saved_camera = some_camera();
  view.camera = render::CameraAngles{10, 10, 45};
  view.presentation.camera = some_presentation_camera();
  const scene::Scene own = scene_with_own_camera();
  EXPECT_EQ(render::choose_camera_source(view, own), render::CameraSource::Saved);
  view.saved_camera.reset();
  EXPECT_EQ(render::choose_camera_source(view, own), render::CameraSource::Run);
  view.camera.reset();
  EXPECT_EQ(render::choose_camera_source(view, own), render::CameraSource::Presentation);
  view.presentation.camera.reset();
  EXPECT_EQ(render::choose_camera_source(view, own), render::CameraSource::Authored);
  EXPECT_EQ(render::choose_camera_source(view, scene::Scene{}), render::CameraSource::Auto);
  EXPECT_STREQ(render::camera_source_name(render::CameraSource::Presentation), "presentation");
}

TEST(RenderSettings, NoSettingsKeepTheCallersOptions) {
  render::ViewOptions defaults;
  defaults.width = 96;
  defaults.camera = render::CameraAngles{5, 6, 7};
  const render::RenderSettings read = render::read_render_settings(nullptr, defaults);
  EXPECT_EQ(read.view.width, 96);
  ASSERT_TRUE(read.view.camera);
  EXPECT_EQ(read.view.camera->yaw_degrees, 5);
  // Fields that are null keep them too.
  const auto nulls = render::read_render_settings(json{{"width", nullptr}, {"camera", nullptr}}, defaults);
  EXPECT_EQ(nulls.view.width, 96);
  EXPECT_TRUE(nulls.view.camera);
}

TEST(RenderSettings, ASavedCameraFromTheClaim) {
  const json settings = json::parse(R"({"width": 640, "height": 360, "background": "#ff8000",
    "camera": {"source": "saved", "position": [1, 2, 3], "target": [0, 0.5, 0], "up": [0, 0, 1], "fov_y_degrees": 30},
    "presentation": null})");
  render::ViewOptions defaults;
  defaults.camera = render::CameraAngles{5, 6, 7};  // the command line's angles: the server's choice replaces them
  const render::RenderSettings read = render::read_render_settings(settings, defaults);
  EXPECT_EQ(read.view.width, 640);
  EXPECT_EQ(read.view.height, 360);
  EXPECT_EQ(read.view.background, glm::vec4(1.0f, 128 / 255.0f, 0.0f, 1.0f));
  EXPECT_TRUE(read.view.background_chosen);  // over a Tilt Brush sketch's own environment
  ASSERT_TRUE(read.view.saved_camera);
  EXPECT_EQ(read.view.saved_camera->position, glm::vec3(1, 2, 3));
  EXPECT_EQ(read.view.saved_camera->target, glm::vec3(0, 0.5f, 0));
  EXPECT_EQ(read.view.saved_camera->up, glm::vec3(0, 0, 1));
  EXPECT_EQ(read.view.saved_camera->fov_y_degrees, 30.0f);
  EXPECT_FALSE(read.view.camera);
  EXPECT_TRUE(read.warnings.empty());
}

TEST(RenderSettings, RunAnglesAndTransparentBackground) {
  const auto read = render::read_render_settings(
      json::parse(R"({"background": "transparent", "camera": {"source": "run", "yaw": 90, "pitch": -10, "fov": 60}})"),
      {});
  ASSERT_TRUE(read.view.camera);
  EXPECT_EQ(read.view.camera->yaw_degrees, 90);
  EXPECT_EQ(read.view.camera->pitch_degrees, -10);
  EXPECT_EQ(read.view.camera->vfov_degrees, 60);
  EXPECT_EQ(read.view.background.a, 0.0f);
  EXPECT_FALSE(render::read_render_settings(json::parse(R"({"width": 640})"), {}).view.background_chosen);
}

TEST(RenderSettings, IcosaPresentationParams) {
  // As Icosa stores them: Poly's quaternion object (zero components left out), radians, a pivot.
  const json settings = json::parse(R"({"camera": {"source": "presentation"}, "presentation": {
    "backgroundColor": "#EEEEEE", "orientingRotation": {"x": 0.7071068, "w": 0.7071068}, "colorSpace": "LINEAR",
    "camera": {"type": "perspective", "translation": [0, 1, -3.5], "rotation": [0, 1, 0, 0],
               "perspective": {"yfov": 0.5235988, "znear": 0.1},
               "GOOGLE_camera_settings": {"pivot": [0, 0.5, 0], "mode": "movableOrbit"}}}})");
  render::ViewOptions defaults;
  const render::RenderSettings read = render::read_render_settings(settings, defaults);
  EXPECT_TRUE(read.warnings.empty()) << read.warnings.front();
  // The presentation's background applies when the settings name none.
  EXPECT_NEAR(read.view.background.r, 238 / 255.0f, 1e-6f);
  EXPECT_TRUE(read.view.background_chosen);
  const glm::quat& turn = read.view.presentation.orienting_rotation;
  EXPECT_NEAR(turn.x, 0.7071068f, 1e-6f);
  EXPECT_NEAR(turn.w, 0.7071068f, 1e-6f);
  EXPECT_EQ(turn.y, 0.0f);
  ASSERT_TRUE(read.view.presentation.camera);
  EXPECT_EQ(read.view.presentation.camera->translation, glm::vec3(0, 1, -3.5f));
  EXPECT_NEAR(read.view.presentation.camera->fov_y_degrees, 30.0f, 1e-4f);
  ASSERT_TRUE(read.view.presentation.camera->pivot);
  EXPECT_EQ(*read.view.presentation.camera->pivot, glm::vec3(0, 0.5f, 0));
  EXPECT_EQ(render::choose_camera_source(read.view, scene::Scene{}), render::CameraSource::Presentation);

  // An explicit background wins over the presentation's; an array quaternion [x, y, z, w] is read too.
  json explicit_settings = settings;
  explicit_settings["background"] = "#000000";
  explicit_settings["presentation"]["orientingRotation"] = {0, 0, 1, 0};
  const auto read_explicit = render::read_render_settings(explicit_settings, defaults);
  EXPECT_EQ(read_explicit.view.background, glm::vec4(0, 0, 0, 1));
  EXPECT_EQ(read_explicit.view.presentation.orienting_rotation, glm::quat(0, 0, 0, 1));
}

TEST(RenderSettings, UnusablePresentationDataIsIgnoredWithAWarning) {
  const auto read = render::read_render_settings(
      json::parse(R"({"presentation": {"orientingRotation": {"x": "up"}, "backgroundColor": "blue",
                     "camera": {"translation": [0, 1]}}})"),
      {});
  EXPECT_EQ(read.warnings.size(), 3u);
  EXPECT_EQ(read.view.presentation.orienting_rotation, glm::quat(1, 0, 0, 0));
  EXPECT_FALSE(read.view.presentation.camera);
  EXPECT_EQ(read.view.background, glm::vec4(0, 0, 0, 1));
}

TEST(RenderSettings, TheAssetsUpAxisReplacesTheCallers) {
  render::ViewOptions defaults;
  defaults.up = scene::UpAxis::PlusY;  // --up +Y
  EXPECT_EQ(render::read_render_settings(json{{"up", "+Z"}}, defaults).view.up, scene::UpAxis::PlusZ);
  EXPECT_EQ(render::read_render_settings(json{{"up", "+Y"}}, {}).view.up, scene::UpAxis::PlusY);
  EXPECT_EQ(render::read_render_settings(json{{"up", nullptr}}, defaults).view.up, scene::UpAxis::PlusY);
  EXPECT_FALSE(render::read_render_settings(json::object(), {}).view.up);
}

TEST(RenderSettings, BadSettingsNameTheField) {
  auto error_of = [](const std::string& text) {
    try {
      render::read_render_settings(json::parse(text), {});
    } catch (const std::invalid_argument& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of(R"({"width": 0})"), "render_settings.width: expected a whole number from 1 to 8192");
  EXPECT_EQ(error_of(R"({"height": 1.5})"), "render_settings.height: expected a whole number from 1 to 8192");
  EXPECT_EQ(error_of(R"({"background": "red"})"),
            "render_settings.background: expected '#rrggbb', '#rgb' or 'transparent'");
  EXPECT_EQ(error_of(R"({"camera": {"source": "saved", "position": [1, 2], "target": [0, 0, 0]}})"),
            "render_settings.camera.position: expected [x, y, z] (finite numbers)");
  EXPECT_EQ(error_of(R"({"camera": {"source": "saved", "position": [1, 2, 3], "target": [1, 2, 3]}})"),
            "render_settings.camera: position and target are the same point");
  // Review of issue 11: coordinates this far apart overflow the float distance (normalising it gives NaN views).
  EXPECT_EQ(error_of(R"({"camera": {"source": "saved", "position": [1e30, 0, 0], "target": [-1e30, 0, 0]}})"),
            "render_settings.camera: position and target are too far apart");
  EXPECT_EQ(error_of(R"({"camera": {"source": "saved", "position": [1, 2, 3], "target": [0, 0, 0],
                                    "up": [1e-30, 0, 0]}})"),
            "render_settings.camera.up: must not be [0, 0, 0]");
  EXPECT_EQ(error_of(R"({"camera": {"source": "run", "yaw": 0, "pitch": 120}})"),
            "render_settings.camera.pitch: must be between -90 and 90 degrees");
  EXPECT_EQ(error_of(R"({"camera": {"source": "elsewhere"}})"),
            "render_settings.camera.source: expected \"saved\", \"run\" or \"presentation\"");
  EXPECT_EQ(error_of(R"({"up": "+X"})"), "render_settings.up: expected \"+Y\" or \"+Z\"");
  EXPECT_EQ(error_of(R"({"up": 2})"), "render_settings.up: expected \"+Y\" or \"+Z\"");
  EXPECT_EQ(error_of(R"([1, 2])"), "render_settings: expected an object");
}

TEST(RenderSettings, TheCameraJsonShapeRoundTripsExactly) {
  const render::AbsoluteCamera camera{{0.1f, -2.3456789f, 1e-7f}, {1.0f / 3.0f, 0, 5}, {0, 0.8f, 0.6f}, 37.5f};
  const json text = json::parse(render::camera_to_json(camera).dump());
  EXPECT_EQ(text.size(), 4u);
  const render::AbsoluteCamera back = render::camera_from_json(text, "camera");
  EXPECT_EQ(back.position, camera.position);
  EXPECT_EQ(back.target, camera.target);
  EXPECT_EQ(back.up, camera.up);
  EXPECT_EQ(back.fov_y_degrees, camera.fov_y_degrees);
}

}  // namespace
