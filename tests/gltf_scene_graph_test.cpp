// The scene graph of a glTF document (src/scene/gltf_loader): node transforms, which scene is drawn, cycles, cameras
// and EXT_mesh_gpu_instancing.
#include <gtest/gtest.h>

#include <glm/gtc/matrix_transform.hpp>

#include "scene/gltf_loader.h"
#include "support/gltf_loading.h"

namespace thumbgen::scene {
namespace {

using nlohmann::json;
using test::add_triangle;
using test::expect_near;
using test::GltfBuilder;
using test::Loader;
using test::SimpleAsset;
using test::triangle_primitive;

TEST(GltfLoader, ComposesHierarchyAndKeepsNegativeScale) {
  GltfBuilder b;
  const int position = add_triangle(b);
  b.append("meshes", {{"primitives", json::array({triangle_primitive(position)})}});
  b.append("nodes", {{"translation", {10, 0, 0}}, {"children", {1}}});
  b.append("nodes", {{"mesh", 0}, {"scale", {-1, 2, 1}}, {"rotation", {0, 0, 0.7071068, 0.7071068}}});
  b.append("nodes", {{"mesh", 0}, {"matrix", {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 5, 1}}});
  b.append("scenes", {{"nodes", {0, 2}}});
  Loader loader;
  const Scene scene = loader.load(b.glb());
  ASSERT_EQ(scene.draws.size(), 2u);
  EXPECT_EQ(scene.meshes.size(), 1u);  // instanced, built once
  const glm::mat4 expected = glm::translate(glm::mat4(1.0f), {10, 0, 0}) *
                             glm::rotate(glm::mat4(1.0f), glm::radians(90.0f), {0, 0, 1}) *
                             glm::scale(glm::mat4(1.0f), {-1, 2, 1});
  for (int c = 0; c < 4; ++c) {
    for (int r = 0; r < 4; ++r) EXPECT_NEAR(scene.draws[0].transform[c][r], expected[c][r], 1e-5f);
  }
  EXPECT_LT(glm::determinant(scene.draws[0].transform), 0.0f);
  expect_near(glm::vec3(scene.draws[1].transform[3]), {0, 0, 5});
  EXPECT_EQ(scene.draws[0].mesh, scene.draws[1].mesh);
}

TEST(GltfLoader, ChoosesDefaultThenFirstScene) {
  GltfBuilder b;
  const int position = add_triangle(b);
  b.append("meshes", {{"primitives", json::array({triangle_primitive(position)})}});
  b.append("nodes", {{"mesh", 0}, {"translation", {1, 0, 0}}});
  b.append("nodes", {{"mesh", 0}, {"translation", {2, 0, 0}}});
  b.append("scenes", {{"nodes", {0}}});
  b.append("scenes", {{"nodes", {1}}});
  b.json["scene"] = 1;
  Loader loader;
  Scene scene = loader.load(b.glb());
  ASSERT_EQ(scene.draws.size(), 1u);
  EXPECT_FLOAT_EQ(scene.draws[0].transform[3].x, 2.0f);

  b.json.erase("scene");
  scene = loader.load(b.glb());
  ASSERT_EQ(scene.draws.size(), 1u);
  EXPECT_FLOAT_EQ(scene.draws[0].transform[3].x, 1.0f);
}

TEST(GltfLoader, WithoutScenesDrawsRootNodesOrEveryMesh) {
  GltfBuilder b;
  const int position = add_triangle(b);
  b.append("meshes", {{"primitives", json::array({triangle_primitive(position)})}});
  b.append("meshes", {{"primitives", json::array({triangle_primitive(position)})}});
  b.append("nodes", {{"children", {1}}, {"translation", {0, 3, 0}}});
  b.append("nodes", {{"mesh", 1}});
  Loader loader;
  Scene scene = loader.load(b.glb());
  ASSERT_EQ(scene.draws.size(), 1u);  // root node 0 → child 1 (mesh 1); mesh 0 has no node
  EXPECT_FLOAT_EQ(scene.draws[0].transform[3].y, 3.0f);

  b.json.erase("nodes");
  scene = loader.load(b.glb());
  EXPECT_EQ(scene.draws.size(), 2u);
  EXPECT_EQ(scene.meshes.size(), 2u);
}

TEST(GltfLoader, SurvivesNodeCycles) {
  GltfBuilder b;
  const int position = add_triangle(b);
  b.append("meshes", {{"primitives", json::array({triangle_primitive(position)})}});
  b.append("nodes", {{"mesh", 0}, {"children", {1}}});
  b.append("nodes", {{"mesh", 0}, {"children", {0, 1, 7}}});
  b.append("scenes", {{"nodes", {0}}});
  Loader loader;
  const Scene scene = loader.load(b.glb());
  EXPECT_EQ(scene.draws.size(), 2u);
  EXPECT_FALSE(scene.warnings.empty());
}

TEST(GltfLoader, PlacesCamerasInTraversalOrder) {
  SimpleAsset asset;
  asset.meshes.push_back(test::unit_cube());
  asset.cameras.push_back({.perspective = true, .yfov = 0.5f, .znear = 0.2f, .zfar = 0.0f});
  asset.cameras.push_back({.perspective = false, .znear = 0.1f, .zfar = 50.0f, .xmag = 3.0f, .ymag = 2.0f});
  asset.nodes.resize(3);
  asset.nodes[0].mesh = 0;
  asset.nodes[1].camera = 1;
  asset.nodes[1].matrix = glm::translate(glm::mat4(1.0f), {0, 0, 9});
  asset.nodes[2].camera = 0;
  asset.nodes[2].matrix = glm::translate(glm::mat4(1.0f), {0, 0, 4});
  asset.nodes[2].children = {1};
  asset.scene_roots = {0, 2};
  Loader loader;
  const Scene scene = loader.load(test::write_glb(asset));
  ASSERT_EQ(scene.cameras.size(), 2u);
  EXPECT_TRUE(scene.cameras[0].perspective);
  EXPECT_FLOAT_EQ(scene.cameras[0].yfov, 0.5f);
  EXPECT_FLOAT_EQ(scene.cameras[0].znear, 0.2f);
  EXPECT_FLOAT_EQ(scene.cameras[0].zfar, 0.0f);
  expect_near(glm::vec3(scene.cameras[0].world[3]), {0, 0, 4});
  EXPECT_FALSE(scene.cameras[1].perspective);
  EXPECT_FLOAT_EQ(scene.cameras[1].xmag, 3.0f);
  EXPECT_FLOAT_EQ(scene.cameras[1].ymag, 2.0f);
  EXPECT_FLOAT_EQ(scene.cameras[1].zfar, 50.0f);
  expect_near(glm::vec3(scene.cameras[1].world[3]), {0, 0, 13});
}

TEST(GltfLoader, ExpandsGpuInstancing) {
  GltfBuilder b;
  const int position = add_triangle(b);
  const std::vector<float> translations = {0, 0, 0, 5, 0, 0, 0, 7, 0};
  const int t = b.add_floats(translations, "VEC3");
  b.append("meshes", {{"primitives", json::array({triangle_primitive(position)})}});
  b.append("nodes",
           {{"mesh", 0}, {"extensions", {{"EXT_mesh_gpu_instancing", {{"attributes", {{"TRANSLATION", t}}}}}}}});
  b.append("scenes", {{"nodes", {0}}});
  Loader loader;
  const Scene scene = loader.load(b.glb());
  ASSERT_EQ(scene.draws.size(), 3u);
  EXPECT_FLOAT_EQ(scene.draws[2].transform[3].y, 7.0f);
}

TEST(GltfLoader, EmptyDocumentHasNoGeometry) {
  Loader loader;
  const Scene scene = loader.load(std::string(R"({"asset":{"version":"2.0"},"scene":0})"));
  EXPECT_FALSE(scene.has_geometry());
}

}  // namespace
}  // namespace thumbgen::scene
