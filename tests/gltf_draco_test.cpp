// KHR_draco_mesh_compression (src/scene/gltf_draco): a primitive encoded here with libdraco.
#include <draco/compression/encode.h>
#include <draco/mesh/triangle_soup_mesh_builder.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "scene/gltf_loader.h"
#include "support/gltf_loading.h"

namespace thumbgen::scene {
namespace {

using nlohmann::json;
using test::expect_near;
using test::GltfBuilder;
using test::Loader;
using test::triangle_primitive;
using test::world_bounds;

TEST(GltfLoader, DecodesDracoPrimitives) {
  const test::SimpleMesh cube = test::unit_cube();
  draco::TriangleSoupMeshBuilder builder;
  builder.Start(12);
  const int position_id = builder.AddAttribute(draco::GeometryAttribute::POSITION, 3, draco::DT_FLOAT32);
  const int color_id = builder.AddAttribute(draco::GeometryAttribute::COLOR, 4, draco::DT_UINT8, true);
  for (int f = 0; f < 12; ++f) {
    const glm::vec3 p[3] = {cube.positions[cube.indices[f * 3]], cube.positions[cube.indices[f * 3 + 1]],
                            cube.positions[cube.indices[f * 3 + 2]]};
    builder.SetAttributeValuesForFace(position_id, draco::FaceIndex(f), &p[0], &p[1], &p[2]);
    const std::uint8_t c[4] = {255, 0, 51, 255};
    builder.SetAttributeValuesForFace(color_id, draco::FaceIndex(f), c, c, c);
  }
  std::unique_ptr<draco::Mesh> mesh = builder.Finalize();
  ASSERT_TRUE(mesh);
  draco::Encoder encoder;
  encoder.SetAttributeQuantization(draco::GeometryAttribute::POSITION, 14);
  draco::EncoderBuffer encoded;
  ASSERT_TRUE(encoder.EncodeMeshToBuffer(*mesh, &encoded).ok());
  const std::vector<std::uint8_t> bytes(encoded.data(), encoded.data() + encoded.size());

  GltfBuilder b;
  const int view = b.add_view(bytes);
  const int positions = b.add_accessor(-1, test::kFloat, mesh->num_points(), "VEC3");
  const int colors = b.add_accessor(-1, test::kUnsignedByte, mesh->num_points(), "VEC4", true);
  const int indices = b.add_accessor(-1, test::kUnsignedShort, 36, "SCALAR");
  json primitive = triangle_primitive(positions, indices);
  primitive["attributes"]["COLOR_0"] = colors;
  primitive["extensions"]["KHR_draco_mesh_compression"] = {
      {"bufferView", view}, {"attributes", {{"POSITION", position_id}, {"COLOR_0", color_id}}}};
  b.append("meshes", {{"primitives", json::array({primitive})}});
  b.json["extensionsRequired"] = {"KHR_draco_mesh_compression"};
  Loader loader;
  const Scene scene = loader.load(b.glb());
  EXPECT_EQ(scene.format, "glTF 2.0 (GLB) + Draco");
  EXPECT_EQ(scene.triangle_count(), 12u);
  const Bounds bounds = world_bounds(scene);
  expect_near(bounds.min, glm::vec3(-1), 1e-3f);
  expect_near(bounds.max, glm::vec3(1), 1e-3f);
  ASSERT_EQ(scene.meshes[0].colors.size(), scene.meshes[0].positions.size());
  EXPECT_NEAR(scene.meshes[0].colors[0].b, 0.2f, 1e-3f);

  // Garbage in the Draco view fails cleanly.
  std::fill(b.bin.begin(), b.bin.end(), 0x7f);
  EXPECT_THROW(loader.load(b.glb()), LoadError);
}

}  // namespace
}  // namespace thumbgen::scene
