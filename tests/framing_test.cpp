// Auto-framing fits what is drawn: geometry that draws nothing (zero-area triangles, zero-alpha blended parts,
// masked-out parts, vertices no primitive uses) does not move or shrink the frame, and the default view stands
// where its angles say, so a cube seen from above shows its top.
#include "render/framing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <glm/gtc/matrix_transform.hpp>

#include "render/visible_vertices.h"
#include "support/scene_builders.h"

namespace thumbgen {
namespace {

using test::add_mesh;
using test::box_mesh;
using test::single_mesh_scene;

// A 2×2 quad of two triangles at `center`, facing +Z, with vertex colours of alpha `alpha`.
scene::Mesh quad(glm::vec3 center, float alpha) {
  scene::Mesh mesh;
  for (const glm::vec2 corner : {glm::vec2(-1, -1), glm::vec2(1, -1), glm::vec2(1, 1), glm::vec2(-1, 1)}) {
    mesh.positions.push_back(center + glm::vec3(corner, 0.0f));
    mesh.colors.emplace_back(1.0f, 1.0f, 1.0f, alpha);
  }
  mesh.indices = {0, 1, 2, 0, 2, 3};
  return mesh;
}

scene::Material material(scene::AlphaMode mode, float alpha = 1.0f) {
  scene::Material m;
  m.alpha_mode = mode;
  m.base_color.a = alpha;
  return m;
}

scene::Scene unit_box() { return single_mesh_scene(box_mesh({0, 0, 0}, {0.5f, 0.5f, 0.5f}), {1, 1, 1, 1}, false); }

void expect_same_camera(const render::ViewCamera& a, const render::ViewCamera& b) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(a.pose.position[i], b.pose.position[i], 1e-4f) << "position axis " << i;
    EXPECT_NEAR(a.pose.target[i], b.pose.target[i], 1e-4f) << "target axis " << i;
  }
}

render::ViewCamera default_frame(const scene::Scene& scene) {
  return render::auto_frame(scene, render::kDefaultAngles, 16.0f / 9.0f);
}

TEST(VisibleVertices, TrianglesWithAreaAreDrawnZeroAreaOnesAndUnusedVerticesAreNot) {
  scene::Scene scene = unit_box();
  scene::Mesh& mesh = scene.meshes[0];
  const std::size_t box_vertices = mesh.positions.size();
  // A triangle collapsed to a point far away (Tilt Brush exports park unused strokes so), a sliver whose corners
  // lie on one line, and a vertex nothing uses.
  const auto first = static_cast<std::uint32_t>(box_vertices);
  for (const glm::vec3 p : {glm::vec3(50), glm::vec3(50), glm::vec3(50), glm::vec3(-40, 0, 0), glm::vec3(-30, 0, 0),
                            glm::vec3(-20, 0, 0), glm::vec3(0, 90, 0)}) {
    mesh.positions.push_back(p);
  }
  mesh.normals.resize(mesh.positions.size(), glm::vec3(0, 0, 1));
  for (std::uint32_t i = 0; i < 6; ++i) mesh.indices.push_back(first + i);

  const std::vector<bool> visible = render::visible_vertices(scene, mesh);
  ASSERT_EQ(visible.size(), mesh.positions.size());
  for (std::size_t i = 0; i < box_vertices; ++i) EXPECT_TRUE(visible[i]) << "box vertex " << i;
  for (std::size_t i = box_vertices; i < mesh.positions.size(); ++i) EXPECT_FALSE(visible[i]) << "vertex " << i;
}

TEST(VisibleVertices, AlphaCountsOnlyWhereTheMaterialBlendsOrMasks) {
  scene::Scene scene;
  const int opaque = add_mesh(scene, quad({0, 0, 0}, 0.0f), material(scene::AlphaMode::Opaque));
  const int blended = add_mesh(scene, quad({0, 0, 0}, 0.0f), material(scene::AlphaMode::Blend));
  const int additive = add_mesh(scene, quad({0, 0, 0}, 0.0f), material(scene::AlphaMode::Additive));
  const int faint = add_mesh(scene, quad({0, 0, 0}, 0.01f), material(scene::AlphaMode::Blend));
  const int masked_out = add_mesh(scene, quad({0, 0, 0}, 0.4f), material(scene::AlphaMode::Mask));
  const int masked_in = add_mesh(scene, quad({0, 0, 0}, 0.6f), material(scene::AlphaMode::Mask));
  const int clear_material = add_mesh(scene, quad({0, 0, 0}, 1.0f), material(scene::AlphaMode::Blend, 0.0f));
  auto drawn = [&](int mesh) {
    const std::vector<bool> visible = render::visible_vertices(scene, scene.meshes[static_cast<std::size_t>(mesh)]);
    return std::count(visible.begin(), visible.end(), true);
  };
  EXPECT_EQ(drawn(opaque), 4) << "opaque materials ignore alpha";
  EXPECT_EQ(drawn(blended), 0);
  EXPECT_EQ(drawn(additive), 0);
  EXPECT_EQ(drawn(faint), 4) << "faint is not invisible";
  EXPECT_EQ(drawn(masked_out), 0) << "below the 0.5 cutoff everywhere";
  EXPECT_EQ(drawn(masked_in), 4);
  EXPECT_EQ(drawn(clear_material), 0);

  // One corner with alpha is enough: the triangle's interior shows.
  scene.meshes[static_cast<std::size_t>(blended)].colors[2].a = 0.5f;
  EXPECT_EQ(drawn(blended), 4);
}

// A flat grid of side × side vertices over [0, 1]², two triangles per cell.
scene::Mesh grid(std::uint32_t side) {
  scene::Mesh mesh;
  for (std::uint32_t y = 0; y < side; ++y)
    for (std::uint32_t x = 0; x < side; ++x)
      mesh.positions.emplace_back(static_cast<float>(x) / (side - 1), static_cast<float>(y) / (side - 1), 0.0f);
  for (std::uint32_t y = 0; y + 1 < side; ++y) {
    for (std::uint32_t x = 0; x + 1 < side; ++x) {
      const std::uint32_t a = y * side + x, b = a + 1, c = a + side, d = c + 1;
      mesh.indices.insert(mesh.indices.end(), {a, b, c, b, d, c});
    }
  }
  return mesh;
}

TEST(VisibleVertices, LargeMeshesSkipTheExactPassOnlyWhenNothingInvisibleReachesFurther) {
  scene::Scene scene;
  scene::Mesh mesh = grid(760);  // over a million triangles: the sampled shortcut is tried first
  ASSERT_GT(mesh.indices.size() / 3, 1'000'000u);
  EXPECT_TRUE(render::visible_vertices(scene, mesh).empty()) << "a clean mesh: every vertex counts, no pass";

  // One collapsed triangle far away, which a sample of the triangles would miss, forces the exact pass.
  const auto parked = static_cast<std::uint32_t>(mesh.positions.size());
  mesh.positions.insert(mesh.positions.end(), 3, glm::vec3(0, 0, 80));
  mesh.indices.insert(mesh.indices.end(), {parked, parked + 1, parked + 2});
  const std::vector<bool> visible = render::visible_vertices(scene, mesh);
  ASSERT_EQ(visible.size(), mesh.positions.size());
  EXPECT_TRUE(visible[0]);
  EXPECT_FALSE(visible[parked]);
}

TEST(Framing, AnInvisibleFarOffPartDoesNotMoveTheFrame) {
  const render::ViewCamera box_alone = default_frame(unit_box());

  // The Fireball case: a stroke mesh whose unused triangles sit collapsed far from the drawing.
  scene::Scene collapsed = unit_box();
  scene::Mesh parked;
  parked.positions.assign(6, glm::vec3(0, -40, 0));
  add_mesh(collapsed, parked, material(scene::AlphaMode::Additive));
  expect_same_camera(default_frame(collapsed), box_alone);

  // A fully transparent blended card, and one masked out, far away.
  scene::Scene transparent = unit_box();
  add_mesh(transparent, quad({30, 0, 0}, 0.0f), material(scene::AlphaMode::Blend));
  add_mesh(transparent, quad({0, 30, 0}, 0.2f), material(scene::AlphaMode::Mask));
  expect_same_camera(default_frame(transparent), box_alone);

  // The same card with some alpha is part of the picture: the frame widens to hold it.
  scene::Scene visible = unit_box();
  add_mesh(visible, quad({30, 0, 0}, 0.5f), material(scene::AlphaMode::Blend));
  EXPECT_GT(glm::distance(default_frame(visible).pose.position, glm::vec3(0)),
            5.0f * glm::distance(box_alone.pose.position, glm::vec3(0)));
}

TEST(Framing, TheBoundsUsedForClipPlanesIgnoreInvisibleGeometryToo) {
  scene::Scene scene = unit_box();
  add_mesh(scene, quad({0, 100, 0}, 0.0f), material(scene::AlphaMode::Blend));
  const scene::Bounds bounds = render::robust_bounds(scene);
  EXPECT_NEAR(bounds.max.y, 0.5f, 1e-6f);
  EXPECT_NEAR(bounds.min.x, -0.5f, 1e-6f);
}

TEST(Framing, TheDefaultViewStandsAtItsAnglesFromTheModelSoACubeShowsItsTop) {
  // Centring the picture must turn the camera, not slide it: slid down, it saw a cube's top edge-on.
  for (const glm::vec3 centre : {glm::vec3(0), glm::vec3(5, -3, 2)}) {
    scene::Scene scene = single_mesh_scene(box_mesh(centre, {0.5f, 0.5f, 0.5f}), {1, 1, 1, 1}, false);
    const render::ViewCamera camera = default_frame(scene);
    const glm::vec3 from_centre = glm::normalize(camera.pose.position - centre);
    const float pitch = glm::degrees(std::asin(from_centre.y));
    const float yaw = glm::degrees(std::atan2(from_centre.x, from_centre.z));
    EXPECT_NEAR(pitch, render::kDefaultAngles.pitch_degrees, 0.01f);
    EXPECT_NEAR(yaw, render::kDefaultAngles.yaw_degrees, 0.01f);
    // Well above the top face: seen from above, not along it.
    const float above_top = camera.pose.position.y - (centre.y + 0.5f);
    EXPECT_GT(above_top / glm::distance(camera.pose.position, centre), 0.08f);

    // Every corner is in the frame, and the picture is centred: the extremes are symmetric about the middle.
    const glm::mat4 clip = camera.projection * camera.view;
    glm::vec2 low(1e9f), high(-1e9f);
    for (int c = 0; c < 8; ++c) {
      const glm::vec3 corner = centre + glm::vec3(c & 1 ? 0.5f : -0.5f, c & 2 ? 0.5f : -0.5f, c & 4 ? 0.5f : -0.5f);
      const glm::vec4 p = clip * glm::vec4(corner, 1.0f);
      const glm::vec2 ndc = glm::vec2(p) / p.w;
      low = glm::min(low, ndc);
      high = glm::max(high, ndc);
    }
    EXPECT_GT(low.y, -1.0f);
    EXPECT_LT(high.y, 1.0f);
    EXPECT_NEAR(low.x + high.x, 0.0f, 0.02f);
    EXPECT_NEAR(low.y + high.y, 0.0f, 0.02f);
    EXPECT_GT(high.y - low.y, 1.6f) << "fills most of the frame's height";
  }
}

}  // namespace
}  // namespace thumbgen
