// glTF mesh primitives (src/scene/gltf_meshes): strips, fans, loops, points and lines, and default morph weights.
#include "scene/gltf_meshes.h"

#include <gtest/gtest.h>

#include "support/gltf_loading.h"

namespace thumbgen::scene {
namespace {

using nlohmann::json;
using test::add_triangle;
using test::GltfBuilder;
using test::Loader;
using test::triangle_primitive;

TEST(GltfLoader, ExpandsStripsFansAndLines) {
  using gltf::expand_mode;
  EXPECT_EQ(expand_mode(test::kTriangleStrip, {0, 1, 2, 3, 4}),
            (std::vector<std::uint32_t>{0, 1, 2, 1, 3, 2, 2, 3, 4}));
  EXPECT_EQ(expand_mode(test::kTriangleFan, {0, 1, 2, 3}), (std::vector<std::uint32_t>{1, 2, 0, 2, 3, 0}));
  EXPECT_EQ(expand_mode(test::kLineStrip, {0, 1, 2}), (std::vector<std::uint32_t>{0, 1, 1, 2}));
  EXPECT_EQ(expand_mode(test::kLineLoop, {0, 1, 2}), (std::vector<std::uint32_t>{0, 1, 1, 2, 2, 0}));
  EXPECT_EQ(expand_mode(test::kTriangles, {0, 1, 2, 3}), (std::vector<std::uint32_t>{0, 1, 2}));
  EXPECT_TRUE(expand_mode(test::kTriangleStrip, {0, 1}).empty());

  // Through the loader: non-indexed strip of 4 vertices, indexed fan, points, line loop.
  GltfBuilder b;
  const std::vector<float> quad = {0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0};
  const int position = b.add_floats(quad, "VEC3");
  const std::vector<std::uint32_t> fan = {0, 1, 3, 2};
  const int fan_indices = b.add_indices(fan);
  b.append("meshes", {{"primitives", json::array({triangle_primitive(position, -1, test::kTriangleStrip),
                                                  triangle_primitive(position, fan_indices, test::kTriangleFan),
                                                  triangle_primitive(position, -1, test::kPoints),
                                                  triangle_primitive(position, -1, test::kLineLoop)})}});
  Loader loader;
  const Scene scene = loader.load(b.glb());
  ASSERT_EQ(scene.meshes.size(), 4u);
  EXPECT_EQ(scene.meshes[0].indices, (std::vector<std::uint32_t>{0, 1, 2, 1, 3, 2}));
  EXPECT_EQ(scene.meshes[1].indices, (std::vector<std::uint32_t>{1, 3, 0, 3, 2, 0}));
  EXPECT_EQ(scene.meshes[2].primitive, Primitive::Points);
  EXPECT_TRUE(scene.meshes[2].indices.empty());
  EXPECT_EQ(scene.meshes[3].primitive, Primitive::Lines);
  EXPECT_EQ(scene.meshes[3].indices.size(), 8u);
  EXPECT_EQ(scene.triangle_count(), 4u);
}

TEST(GltfLoader, AppliesDefaultMorphWeights) {
  GltfBuilder b;
  const int position = add_triangle(b);
  const std::vector<float> delta = {0, 0, 2, 0, 0, 2, 0, 0, 2};
  const int target = b.add_floats(delta, "VEC3");
  json primitive = triangle_primitive(position);
  primitive["targets"] = json::array({{{"POSITION", target}}});
  b.append("meshes", {{"primitives", json::array({primitive})}, {"weights", {0.25}}});
  Loader loader;
  const Scene scene = loader.load(b.glb());
  ASSERT_EQ(scene.meshes.size(), 1u);
  EXPECT_EQ(scene.meshes[0].positions[1], glm::vec3(1, 0, 0.5f));
}

}  // namespace
}  // namespace thumbgen::scene
