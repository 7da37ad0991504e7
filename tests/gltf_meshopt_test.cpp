// EXT_meshopt_compression (src/scene/gltf_meshopt): compressed bufferViews encoded here with meshoptimizer.
#include <gtest/gtest.h>
#include <meshoptimizer.h>

#include "scene/gltf_loader.h"
#include "support/bytes.h"
#include "support/gltf_loading.h"

namespace thumbgen::scene {
namespace {

using nlohmann::json;
using test::GltfBuilder;
using test::Loader;
using test::triangle_primitive;

TEST(GltfLoader, DecodesMeshoptCompressedViews) {
  const test::SimpleMesh cube = test::unit_cube();
  std::vector<float> vertices;
  for (const glm::vec3& p : cube.positions) vertices.insert(vertices.end(), {p.x, p.y, p.z});
  std::vector<std::uint8_t> vertex_data(meshopt_encodeVertexBufferBound(24, 12));
  vertex_data.resize(meshopt_encodeVertexBuffer(vertex_data.data(), vertex_data.size(), vertices.data(), 24, 12));
  std::vector<std::uint8_t> index_data(meshopt_encodeIndexBufferBound(36, 24));
  index_data.resize(meshopt_encodeIndexBuffer(index_data.data(), index_data.size(), cube.indices.data(), 36));

  GltfBuilder b;
  const int vertex_view = b.add_view(vertex_data);
  const int index_view = b.add_view(index_data);
  // Fallback buffer 1 (no data), the compressed views point into buffer 0.
  auto compressed_view = [&](int source_view, std::size_t count, int stride, const char* mode) {
    json source = b.json["bufferViews"][source_view];
    return json{{"buffer", 1},
                {"byteLength", count * stride},
                {"byteStride", stride},
                {"extensions",
                 {{"EXT_meshopt_compression",
                   {{"buffer", 0},
                    {"byteOffset", source["byteOffset"]},
                    {"byteLength", source["byteLength"]},
                    {"byteStride", stride},
                    {"count", count},
                    {"mode", mode}}}}}};
  };
  const int positions = b.add_accessor(b.append("bufferViews", compressed_view(vertex_view, 24, 12, "ATTRIBUTES")),
                                       test::kFloat, 24, "VEC3");
  json index_view_json = compressed_view(index_view, 36, 4, "TRIANGLES");
  index_view_json.erase("byteStride");
  const int indices = b.add_accessor(b.append("bufferViews", index_view_json), test::kUnsignedInt, 36, "SCALAR");
  b.append("meshes", {{"primitives", json::array({triangle_primitive(positions, indices)})}});
  b.json["extensionsUsed"] = {"EXT_meshopt_compression"};
  b.json["extensionsRequired"] = {"EXT_meshopt_compression"};
  b.json["buffers"] = json::array(
      {nullptr,
       {{"byteLength", 24 * 12 + 36 * 4}, {"extensions", {{"EXT_meshopt_compression", {{"fallback", true}}}}}}});

  Loader loader;
  const Scene glb_scene = loader.load(b.glb());
  EXPECT_EQ(glb_scene.format, "glTF 2.0 (GLB) + meshopt");
  EXPECT_EQ(glb_scene.triangle_count(), 12u);

  json doc = json::parse(b.gltf());
  const Scene scene = loader.load(doc.dump());
  EXPECT_EQ(scene.format, "glTF 2.0 + meshopt");
  ASSERT_EQ(scene.meshes.size(), 1u);
  EXPECT_EQ(scene.meshes[0].positions, cube.positions);
  EXPECT_EQ(scene.meshes[0].indices, cube.indices);

  // Corrupt compressed bytes fail cleanly.
  doc["buffers"][0]["uri"] =
      "data:application/octet-stream;base64," + test::base64(std::vector<std::uint8_t>(b.bin.size(), 0x55));
  EXPECT_THROW(loader.load(doc.dump()), LoadError);
  // A count far beyond what the compressed bytes can hold is refused before allocating.
  doc["bufferViews"][2]["extensions"]["EXT_meshopt_compression"]["count"] = 4'000'000'000ull;
  EXPECT_THROW(loader.load(doc.dump()), LoadError);
}

}  // namespace
}  // namespace thumbgen::scene
