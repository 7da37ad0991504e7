// Golden renders: scenes built in code rendered at 128x96 and compared with reference PNGs in tests/golden/
// (support/golden.h: per-pixel tolerance and a mean-difference bound; THUMBGEN_UPDATE_GOLDEN=1 re-records them).
// What render_properties_test checks piecewise (framing, shading, colour, alpha, textures, splats) is pinned here
// as a whole picture, so a change of the renderer's look shows up as a diff image to look at.
//
// The goldens are llvmpipe renders (the CPU-only machines this project builds on); with FXAA fixed rather than
// chosen by the driver. Other GL drivers rasterise and filter differently and are not compared.
#include <gtest/gtest.h>

#include "render/renderer.h"
#include "support/golden.h"
#include "support/render_fixture.h"
#include "support/scene_builders.h"

namespace thumbgen {
namespace {

using test::add_splat;
using test::box_mesh;
using test::matches_golden;
using test::single_mesh_scene;
using test::sphere_mesh;

class RenderGolden : public test::RendererTest {
 protected:
  void SetUp() override {
    if (context().description().find("llvmpipe") == std::string::npos)
      GTEST_SKIP() << "goldens are llvmpipe renders; this context is " << context().description();
  }
  static render::ViewOptions golden_view() {
    render::ViewOptions view;
    view.width = 128;
    view.height = 96;
    view.msaa_samples = 0;  // FXAA, whatever the driver
    return view;
  }
  static scene::Image render(const scene::Scene& scene, const render::ViewOptions& view = golden_view()) {
    return renderer().render(scene, view).image;
  }
};

// A box whose every face shows the whole texture (uv 0..1 across each face).
scene::Scene textured_box(scene::Image texture) {
  auto scene = single_mesh_scene(box_mesh({0, 0, 0}, {1, 1, 1}), {1, 1, 1, 1}, /*unlit=*/true);
  scene::Mesh& mesh = scene.meshes[0];
  for (std::size_t face = 0; face < mesh.positions.size() / 4; ++face)
    for (const glm::vec2 uv : {glm::vec2(0, 0), glm::vec2(1, 0), glm::vec2(1, 1), glm::vec2(0, 1)})
      mesh.uv0.push_back(uv);
  scene.images = {std::move(texture)};
  scene.materials[0].base_color_texture.image = 0;
  scene.materials[0].base_color_texture.nearest = true;
  return scene;
}

// 4x4 squares: red, green, blue and white in turn.
scene::Image checker() {
  scene::Image image;
  image.width = image.height = 4;
  const std::uint8_t colours[4][4] = {{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {255, 255, 255, 255}};
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) image.rgba.insert(image.rgba.end(), colours[(x + y) % 4], colours[(x + y) % 4] + 4);
  return image;
}

TEST_F(RenderGolden, RendersAreDeterministic) {
  // What the goldens rely on: the same scene twice gives the same bytes.
  const auto scene = single_mesh_scene(sphere_mesh({0, 0, 0}, 1), {0.8f, 0.6f, 0.3f, 1}, false);
  EXPECT_EQ(render(scene).rgba, render(scene).rgba);
}

TEST_F(RenderGolden, LitSphereOnTransparentBackground) {
  const auto scene = single_mesh_scene(sphere_mesh({0, 0, 0}, 1), {0.8f, 0.8f, 0.8f, 1}, false);
  render::ViewOptions view = golden_view();
  view.background = glm::vec4(0.0f);
  EXPECT_TRUE(matches_golden(render(scene, view), "lit_sphere_transparent"));
}

TEST_F(RenderGolden, LitBoxFromTheDefaultThreeQuarterView) {
  const auto scene = single_mesh_scene(box_mesh({5, -3, 2}, {1, 0.5f, 0.75f}), {0.2f, 0.5f, 0.9f, 1}, false);
  EXPECT_TRUE(matches_golden(render(scene), "lit_box_default_view"));
}

TEST_F(RenderGolden, UnlitCheckerTexturedBox) {
  render::ViewOptions view = golden_view();
  view.background = glm::vec4(0x33 / 255.0f, 0x66 / 255.0f, 0x99 / 255.0f, 1.0f);
  EXPECT_TRUE(matches_golden(render(textured_box(checker()), view), "textured_box"));
}

TEST_F(RenderGolden, CardInFrontOfASplatWall) {
  auto scene = single_mesh_scene(box_mesh({0, 0, 0.5f}, {0.3f, 0.3f, 0.05f}), {0, 1, 0, 1}, /*unlit=*/true);
  scene::SplatCloud wall;
  for (int y = -10; y <= 10; ++y)
    for (int x = -10; x <= 10; ++x)
      add_splat(wall, {x * 0.1f, y * 0.1f, 0}, {0.06f, 0.06f, 0.01f}, {1.0f - (x + 10) / 25.0f, 0, (y + 10) / 25.0f});
  scene.splats.push_back(wall);
  render::ViewOptions view = golden_view();
  view.camera = render::CameraAngles{20, 10, 45};
  EXPECT_TRUE(matches_golden(render(scene, view), "card_and_splats"));
}

}  // namespace
}  // namespace thumbgen
