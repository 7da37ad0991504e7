// Properties of renders of scenes built in code: content visible, centred and inside the frame, expected colours,
// shading, alpha, culling, cameras, textures, splats, memory; not exact pixels (render_golden_test compares those),
// on the real EGL context (llvmpipe on CPU-only machines).
#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <glm/gtc/matrix_transform.hpp>
#include <memory>

#include "render/quality_gate.h"
#include "render/renderer.h"
#include "support/render_fixture.h"
#include "support/scene_builders.h"

using namespace thumbgen;
using thumbgen::test::add_splat;
using thumbgen::test::box_mesh;
using thumbgen::test::single_mesh_scene;
using thumbgen::test::sphere_mesh;

namespace {

class RenderProperties : public test::RendererTest {};

long resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    long value = 0;
    if (key == "VmRSS:" && status >> value) return value;
    status.ignore(1 << 10, '\n');
  }
  return 0;
}

}  // namespace

TEST_F(RenderProperties, UnlitBoxIsCentredInsideTheFrameWithItsColour) {
  const auto scene = single_mesh_scene(box_mesh({5, -3, 2}, {1, 1, 1}), {1, 0, 0, 1}, /*unlit=*/true);
  const render::ViewOptions view = small_view();
  const render::RenderResult result = renderer().render(scene, view);
  ASSERT_EQ(result.image.width, 320);
  ASSERT_EQ(result.image.height, 180);
  EXPECT_FALSE(result.authored_camera);

  const render::ContentBox box = render::content_box(result.image, view.background);
  ASSERT_FALSE(box.empty);
  EXPECT_GT(box.left, 0.02f);
  EXPECT_GT(box.top, 0.02f);
  EXPECT_LT(box.right, 0.98f);
  EXPECT_LT(box.bottom, 0.98f);
  EXPECT_NEAR((box.left + box.right) / 2, 0.5f, 0.05f);
  EXPECT_NEAR((box.top + box.bottom) / 2, 0.5f, 0.05f);
  EXPECT_GT(box.bottom - box.top, 0.6f) << "the object should fill most of the frame's height";

  const std::uint8_t* centre = pixel(result.image, 0.5f, 0.5f);
  EXPECT_GT(centre[0], 240);
  EXPECT_LT(centre[1], 10);
  EXPECT_LT(centre[2], 10);
  EXPECT_EQ(render::check_quality(result.image, view.background, {}), std::nullopt);
}

TEST_F(RenderProperties, BackgroundColourIsExactInSrgb) {
  auto scene = single_mesh_scene(sphere_mesh({0, 0, 0}, 1), {0.2f, 0.8f, 0.2f, 1}, false);
  render::ViewOptions view = small_view();
  view.background = glm::vec4(0x33 / 255.0f, 0x66 / 255.0f, 0x99 / 255.0f, 1.0f);
  const scene::Image image = renderer().render(scene, view).image;
  const std::uint8_t* corner = pixel(image, 0.0f, 0.0f);
  EXPECT_NEAR(corner[0], 0x33, 1);
  EXPECT_NEAR(corner[1], 0x66, 1);
  EXPECT_NEAR(corner[2], 0x99, 1);
  EXPECT_EQ(corner[3], 255);
  const std::uint8_t* centre = pixel(image, 0.5f, 0.5f);
  EXPECT_GT(centre[1], centre[0] + 40) << "a lit green sphere stays green";
}

TEST_F(RenderProperties, LitSphereIsShadedNotFlat) {
  const auto scene = single_mesh_scene(sphere_mesh({0, 0, 0}, 1), {0.8f, 0.8f, 0.8f, 1}, false);
  const scene::Image image = renderer().render(scene, small_view()).image;
  const render::ContentBox box = render::content_box(image, {0, 0, 0, 1});
  ASSERT_FALSE(box.empty);
  // Key light from the upper right: the upper-right part of the sphere is brighter than the lower-left.
  const float cx = (box.left + box.right) / 2, cy = (box.top + box.bottom) / 2;
  const float rx = (box.right - box.left) / 2, ry = (box.bottom - box.top) / 2;
  const std::uint8_t* lit = pixel(image, cx + rx * 0.4f, cy - ry * 0.4f);
  const std::uint8_t* dark = pixel(image, cx - rx * 0.6f, cy + ry * 0.6f);
  EXPECT_GT(lit[0], dark[0] + 20);
}

TEST_F(RenderProperties, TransparentBackgroundKeepsAlphaOutsideTheObject) {
  const auto scene = single_mesh_scene(box_mesh({0, 0, 0}, {1, 1, 1}), {0, 0, 1, 1}, true);
  render::ViewOptions view = small_view();
  view.background = glm::vec4(0.0f);
  const scene::Image image = renderer().render(scene, view).image;
  EXPECT_EQ(pixel(image, 0.02f, 0.02f)[3], 0);
  const std::uint8_t* centre = pixel(image, 0.5f, 0.5f);
  EXPECT_EQ(centre[3], 255);
  EXPECT_GT(centre[2], 240);
}

TEST_F(RenderProperties, MirroredTransformStillShowsFrontFaces) {
  // A single-sided box under a negative scale: without flipping the winding, culling would show its inside.
  glm::mat4 mirror = glm::scale(glm::mat4(1.0f), glm::vec3(-1, 1, 1));
  auto scene = single_mesh_scene(box_mesh({0, 0, 0}, {1, 1, 1}), {1, 1, 0, 1}, true, mirror);
  const scene::Image mirrored = renderer().render(scene, small_view()).image;
  scene.draws[0].transform = glm::mat4(1.0f);
  const scene::Image plain = renderer().render(scene, small_view()).image;
  const render::ContentBox a = render::content_box(mirrored, {0, 0, 0, 1});
  const render::ContentBox b = render::content_box(plain, {0, 0, 0, 1});
  EXPECT_NEAR(a.coverage, b.coverage, 0.01f);
  EXPECT_GT(a.coverage, 0.1f);
}

TEST_F(RenderProperties, AuthoredCameraIsUsedAndCanLookAway) {
  auto scene = single_mesh_scene(box_mesh({0, 0, 0}, {1, 1, 1}), {1, 1, 1, 1}, true);
  scene::Camera camera;
  camera.world = glm::inverse(glm::lookAt(glm::vec3(0, 0, 10), glm::vec3(0), glm::vec3(0, 1, 0)));
  camera.yfov = glm::radians(20.0f);
  scene.cameras.push_back(camera);
  render::RenderResult result = renderer().render(scene, small_view());
  EXPECT_TRUE(result.authored_camera);
  EXPECT_FALSE(render::content_box(result.image, {0, 0, 0, 1}).empty);

  scene.cameras[0].world = glm::inverse(glm::lookAt(glm::vec3(0, 0, 10), glm::vec3(0, 0, 20), glm::vec3(0, 1, 0)));
  result = renderer().render(scene, small_view());
  EXPECT_TRUE(render::content_box(result.image, {0, 0, 0, 1}).empty) << "looking away shows nothing";
  EXPECT_NE(render::check_quality(result.image, {0, 0, 0, 1}, {}), std::nullopt);
}

TEST_F(RenderProperties, ExplicitAnglesOverrideTheAuthoredCamera) {
  auto scene = single_mesh_scene(box_mesh({0, 0, 0}, {1, 1, 1}), {1, 1, 1, 1}, true);
  scene::Camera camera;
  camera.world = glm::inverse(glm::lookAt(glm::vec3(0, 0, 10), glm::vec3(0, 0, 20), glm::vec3(0, 1, 0)));
  scene.cameras.push_back(camera);
  render::ViewOptions view = small_view();
  view.camera = render::CameraAngles{0, 0, 45};
  const render::RenderResult result = renderer().render(scene, view);
  EXPECT_FALSE(result.authored_camera);
  EXPECT_EQ(render::check_quality(result.image, view.background, {}), std::nullopt);
}

TEST_F(RenderProperties, PointsAndLinesAreDrawn) {
  scene::Mesh points;
  points.primitive = scene::Primitive::Points;
  for (int i = 0; i < 2000; ++i) {
    const float t = static_cast<float>(i) * 0.01f;
    points.positions.push_back({std::cos(t * 7) * t * 0.1f, std::sin(t * 7) * t * 0.1f, 0});
    points.colors.push_back({0, 1, 0, 1});
  }
  const auto cloud = single_mesh_scene(points, {1, 1, 1, 1}, false);
  const scene::Image image = renderer().render(cloud, small_view()).image;
  EXPECT_EQ(render::check_quality(image, {0, 0, 0, 1}, {}), std::nullopt);

  scene::Mesh lines;
  lines.primitive = scene::Primitive::Lines;
  lines.positions = {{-1, -1, 0}, {1, 1, 0}, {-1, 1, 0}, {1, -1, 0}};
  const auto cross = single_mesh_scene(lines, {1, 1, 1, 1}, false);
  const render::ContentBox box = render::content_box(renderer().render(cross, small_view()).image, {0, 0, 0, 1});
  EXPECT_FALSE(box.empty);
  EXPECT_LT(box.coverage, 0.05f);
}

// A trefoil knot sampled by `count` points: a shape anyone recognises when it reads.
scene::Scene knot_cloud(int count) {
  scene::Mesh points;
  points.primitive = scene::Primitive::Points;
  for (int i = 0; i < count; ++i) {
    const float t = 6.2831853f * static_cast<float>(i) / static_cast<float>(count);
    points.positions.push_back(
        {std::sin(t) + 2 * std::sin(2 * t), std::cos(t) - 2 * std::cos(2 * t), -std::sin(3 * t)});
  }
  return single_mesh_scene(points, {1, 1, 1, 1}, true);
}

// Sparse clouds read as their shape at 1280×720: the points together cover a visible share of the area the
// cloud spans (a handful of 2-pixel dots would be an empty thumbnail), without merging into a blob or leaving
// the frame.
TEST_F(RenderProperties, SparsePointCloudsAreSizedToReadAsTheirShape) {
  render::ViewOptions view;  // 1280×720
  for (int count : {5, 50, 500, 5000}) {
    SCOPED_TRACE(std::to_string(count) + " points");
    const scene::Image image = renderer().render(knot_cloud(count), view).image;
    EXPECT_EQ(render::check_quality(image, view.background, {}), std::nullopt);
    const render::ContentBox box = render::content_box(image, view.background);
    ASSERT_FALSE(box.empty);
    const float span = (box.right - box.left) * (box.bottom - box.top);
    EXPECT_GT(span, 0.25f) << "framed to fill the image";
    const float share = box.coverage / span;
    // (Before sizing by span, 5 points covered 0.5 % of it and 50 points 2 %.)
    EXPECT_GT(share, count <= 5 ? 0.008f : 0.035f) << "the points are visible dots";
    EXPECT_LT(share, 0.35f) << "the points are not one blob";
    EXPECT_LT(box.coverage, 0.25f);
  }
}

// Lines are at least 2 pixels wide on every backend (WebGL draws glLineWidth 1 only).
TEST_F(RenderProperties, LinesAreAtLeastTwoPixelsWide) {
  scene::Mesh lines;
  lines.primitive = scene::Primitive::Lines;
  lines.positions = {{-1, 0, 0}, {1, 0, 0}, {0, -0.3f, 0}, {0, -0.3f, 0.01f}};  // the second gives the box depth
  render::ViewOptions view;
  view.camera = render::CameraAngles{0, 0, 45};
  const scene::Image image = renderer().render(single_mesh_scene(lines, {1, 1, 1, 1}, true), view).image;
  int thinnest = image.height;
  for (float fx : {0.35f, 0.45f, 0.55f, 0.65f}) {
    int run = 0;
    for (int y = 0; y < image.height; ++y) run += pixel(image, fx, static_cast<float>(y) / image.height)[0] > 128;
    thinnest = std::min(thinnest, run);
  }
  EXPECT_GE(thinnest, 2);
  EXPECT_LE(thinnest, 6);
}

TEST_F(RenderProperties, SplatsAreDrawnAsBlobsNotDots) {
  scene::Scene scene;
  scene::SplatCloud cloud;
  for (int i = 0; i < 50; ++i) {
    add_splat(cloud, {static_cast<float>(i % 10) * 0.2f, static_cast<float>(i / 10) * 0.2f, 0}, glm::vec3(0.08f),
              {1, 0.5f, 0});
  }
  scene.splats.push_back(cloud);
  const scene::Image image = renderer().render(scene, small_view()).image;
  const render::ContentBox box = render::content_box(image, {0, 0, 0, 1});
  ASSERT_FALSE(box.empty);
  EXPECT_GT(box.coverage, 0.15f) << "50 overlapping Gaussians cover an area, not 50 pixels";
}

TEST_F(RenderProperties, SplatsAloneBlendInDisplayColoursLikeTheReferenceRasteriser) {
  // A white splat at half opacity over black is half white in display values (128), as 3DGS composites; blending
  // in linear light would give 188. With a transparent background the colour is white at half alpha.
  scene::Scene scene;
  scene::SplatCloud cloud;
  add_splat(cloud, {0, 0, 0}, glm::vec3(0.5f), glm::vec3(1.0f), 0.5f);
  // Two faint companions give the framing a size (one splat alone is a point to frame).
  for (float x : {-2.0f, 2.0f}) add_splat(cloud, {x, 0, 0}, glm::vec3(0.05f), glm::vec3(1.0f), 0.02f);
  scene.splats.push_back(cloud);
  render::ViewOptions view = small_view();
  view.camera = render::CameraAngles{0, 0, 45};
  const scene::Image image = renderer().render(scene, view).image;
  const std::uint8_t* centre = pixel(image, 0.5f, 0.5f);
  EXPECT_NEAR(centre[0], 128, 3);
  EXPECT_EQ(centre[3], 255);

  view.background = glm::vec4(0.0f);
  const scene::Image transparent = renderer().render(scene, view).image;
  const std::uint8_t* over_nothing = pixel(transparent, 0.5f, 0.5f);
  EXPECT_NEAR(over_nothing[0], 255, 3);
  EXPECT_NEAR(over_nothing[3], 128, 3);
}

TEST_F(RenderProperties, MeshesHideTheSplatsBehindThem) {
  // A green unlit card in front of a wall of red splats, seen from the front: green in the middle, red around.
  auto scene = single_mesh_scene(box_mesh({0, 0, 0.5f}, {0.3f, 0.3f, 0.05f}), {0, 1, 0, 1}, /*unlit=*/true);
  scene::SplatCloud wall;
  for (int y = -10; y <= 10; ++y)
    for (int x = -10; x <= 10; ++x) add_splat(wall, {x * 0.1f, y * 0.1f, 0}, {0.06f, 0.06f, 0.01f}, {1, 0, 0});
  scene.splats.push_back(wall);
  render::ViewOptions view = small_view();
  view.camera = render::CameraAngles{0, 0, 45};
  const scene::Image image = renderer().render(scene, view).image;
  const std::uint8_t* middle = pixel(image, 0.5f, 0.5f);
  EXPECT_GT(middle[1], 200);
  EXPECT_LT(middle[0], 60) << "a splat behind the card shows through it";
  const std::uint8_t* side = pixel(image, 0.5f, 0.9f);
  EXPECT_GT(side[0], 150);
  EXPECT_LT(side[1], 60);
}

TEST_F(RenderProperties, GpuMemoryDoesNotGrowWithTheNumberOfAssets) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's quarantine keeps freed memory resident; RSS says nothing here";
#endif
  // Every asset's buffers and textures are released: 25 renders of a 40k-vertex textured scene keep RSS flat.
  auto make_scene = [] {
    auto scene = single_mesh_scene(sphere_mesh({0, 0, 0}, 1, 200), {1, 1, 1, 1}, false);
    scene::Image texture;
    texture.width = texture.height = 512;
    texture.rgba.assign(512 * 512 * 4, 200);
    scene.images.push_back(texture);
    scene.materials[0].base_color_texture.image = 0;
    scene.meshes[0].uv0.assign(scene.meshes[0].positions.size(), glm::vec2(0.5f));
    return scene;
  };
  const auto scene = make_scene();
  for (int i = 0; i < 5; ++i) renderer().render(scene, small_view());
  const long before = resident_kib();
  for (int i = 0; i < 25; ++i) renderer().render(scene, small_view());
  const long after = resident_kib();
  EXPECT_LT(after - before, 16 * 1024) << "RSS grew from " << before << " KiB to " << after << " KiB";
}

TEST_F(RenderProperties, TexturesReadTheirUvSetThroughTheirTransform) {
  // A 2x1 texture, red left and green right, on an unlit box whose first UV set points at red and second at
  // green: texcoord 1 reads green; texcoord 0 with a half-width offset reads green too; plain texcoord 0 red.
  auto scene = single_mesh_scene(box_mesh({0, 0, 0}, {1, 1, 1}), {1, 1, 1, 1}, /*unlit=*/true);
  scene::Image texture;
  texture.width = 2;
  texture.height = 1;
  texture.rgba = {255, 0, 0, 255, 0, 255, 0, 255};
  scene.images = {texture};
  scene.meshes[0].uv0.assign(scene.meshes[0].positions.size(), glm::vec2(0.25f, 0.5f));
  scene.meshes[0].uv1.assign(scene.meshes[0].positions.size(), glm::vec2(0.75f, 0.5f));
  scene::TextureRef& ref = scene.materials[0].base_color_texture;
  ref.image = 0;
  ref.nearest = true;
  auto centre_colour = [&] {
    const scene::Image image = renderer().render(scene, small_view()).image;
    const std::uint8_t* centre = pixel(image, 0.5f, 0.5f);
    return std::array<int, 3>{centre[0], centre[1], centre[2]};
  };
  EXPECT_GT(centre_colour()[0], 200);
  ref.texcoord = 1;
  EXPECT_GT(centre_colour()[1], 200) << "the second UV set was not read";
  ref.texcoord = 0;
  ref.transform = glm::mat3(1, 0, 0, 0, 1, 0, 0.5f, 0, 1);  // offset u by half the texture
  EXPECT_GT(centre_colour()[1], 200) << "the texture transform was not applied";
}

TEST_F(RenderProperties, EachTextureSlotKeepsItsOwnTexture) {
  // Base colour red, occlusion white, emissive black: uploading the later textures must not replace the first.
  auto scene = single_mesh_scene(box_mesh({0, 0, 0}, {1, 1, 1}), {1, 1, 1, 1}, true);
  auto solid = [](std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    scene::Image image;
    image.width = image.height = 4;
    for (int i = 0; i < 16; ++i) image.rgba.insert(image.rgba.end(), {r, g, b, 255});
    return image;
  };
  scene.images = {solid(255, 0, 0), solid(255, 255, 255), solid(0, 0, 0)};
  scene.meshes[0].uv0.assign(scene.meshes[0].positions.size(), glm::vec2(0.5f));
  scene.materials[0].base_color_texture.image = 0;
  scene.materials[0].occlusion_texture.image = 1;
  scene.materials[0].emissive_texture.image = 2;
  const scene::Image image = renderer().render(scene, small_view()).image;
  const std::uint8_t* centre = pixel(image, 0.5f, 0.5f);
  EXPECT_GT(centre[0], 240);
  EXPECT_LT(centre[1], 10);
  EXPECT_LT(centre[2], 10);
}
