// glTF accessors (src/scene/gltf_accessors): quantized, normalized, interleaved and sparse data, vertex colours of
// each component type, and data out of range of its bufferView, buffer or the vertex limit.
#include <gtest/gtest.h>

#include <cstring>

#include "scene/gltf_loader.h"
#include "support/gltf_loading.h"

namespace thumbgen::scene {
namespace {

using nlohmann::json;
using namespace thumbgen::test;

TEST(GltfLoader, DequantizesIntegerPositionsThroughNodeScale) {
  // KHR_mesh_quantization: SHORT positions (not normalized) scaled by the node; normalized SHORT for a second mesh.
  GltfBuilder b;
  const std::vector<std::int16_t> quantized = {-1000, 0, 0, 1000, 0, 0, 0, 2000, 0};
  const int raw_positions = b.add_accessor(b.add_view(raw(quantized)), test::kShort, 3, "VEC3");
  const int normalized = b.add_accessor(b.add_view(raw(quantized)), test::kShort, 3, "VEC3", true);
  b.json["accessors"][raw_positions]["min"] = {-1000, 0, 0};
  b.json["accessors"][raw_positions]["max"] = {1000, 2000, 0};
  b.append("meshes", {{"primitives", json::array({triangle_primitive(raw_positions)})}});
  b.append("meshes", {{"primitives", json::array({triangle_primitive(normalized)})}});
  b.append("nodes", {{"mesh", 0}, {"scale", {0.001, 0.001, 0.001}}});
  b.append("nodes", {{"mesh", 1}, {"translation", {0, 0, 1}}});
  b.append("scenes", {{"nodes", {0}}});
  b.json["extensionsRequired"] = {"KHR_mesh_quantization"};
  Loader loader;
  Scene scene = loader.load(b.glb());
  EXPECT_TRUE(scene.warnings.empty());
  Bounds bounds = world_bounds(scene);
  expect_near(bounds.min, {-1, 0, 0});
  expect_near(bounds.max, {1, 2, 0});

  b.json["scenes"][0]["nodes"] = {1};
  scene = loader.load(b.glb());
  bounds = world_bounds(scene);
  expect_near(bounds.min, {-1000 / 32767.0f, 0, 1});
  expect_near(bounds.max, {1000 / 32767.0f, 2000 / 32767.0f, 1});
}

TEST(GltfLoader, ReadsInterleavedStridedData) {
  // position (3 floats) + uv (2 ushort normalized) + pad, stride 20.
  std::vector<std::uint8_t> data(60, 0);
  for (int v = 0; v < 3; ++v) {
    const float p[3] = {float(v), float(v * 2), 0};
    const std::uint16_t uv[2] = {65535, std::uint16_t(v * 1000)};
    std::memcpy(&data[v * 20], p, 12);
    std::memcpy(&data[v * 20 + 12], uv, 4);
  }
  GltfBuilder b;
  const int view = b.add_view(data, 20);
  const int position = b.add_accessor(view, test::kFloat, 3, "VEC3");
  const int uv = b.add_accessor(view, test::kUnsignedShort, 3, "VEC2", true, 12);
  json primitive = triangle_primitive(position);
  primitive["attributes"]["TEXCOORD_0"] = uv;
  b.append("meshes", {{"primitives", json::array({primitive})}});
  Loader loader;
  const Scene scene = loader.load(b.glb());
  ASSERT_EQ(scene.meshes.size(), 1u);
  EXPECT_EQ(scene.meshes[0].positions[2], glm::vec3(2, 4, 0));
  EXPECT_FLOAT_EQ(scene.meshes[0].uv0[2].x, 1.0f);
  EXPECT_NEAR(scene.meshes[0].uv0[2].y, 2000 / 65535.0f, 1e-6f);
}

TEST(GltfLoader, AppliesSparseAccessors) {
  GltfBuilder b;
  const int base = add_triangle(b);
  const std::vector<std::uint16_t> targets = {2};
  const std::vector<float> values = {0, 5, 0};
  b.json["accessors"][base]["sparse"] = {
      {"count", 1},
      {"indices", {{"bufferView", b.add_view(raw(targets))}, {"componentType", test::kUnsignedShort}}},
      {"values", {{"bufferView", b.add_view(raw(values))}}}};
  // And one without a bufferView at all: zeros plus the sparse values.
  const int zeros = b.add_accessor(-1, test::kFloat, 3, "VEC3");
  b.json["accessors"][zeros]["sparse"] = b.json["accessors"][base]["sparse"];
  b.append("meshes", {{"primitives", json::array({triangle_primitive(base), triangle_primitive(zeros)})}});
  Loader loader;
  const Scene scene = loader.load(b.glb());
  ASSERT_EQ(scene.meshes.size(), 2u);
  EXPECT_EQ(scene.meshes[0].positions[1], glm::vec3(1, 0, 0));
  EXPECT_EQ(scene.meshes[0].positions[2], glm::vec3(0, 5, 0));
  EXPECT_EQ(scene.meshes[1].positions[0], glm::vec3(0));
  EXPECT_EQ(scene.meshes[1].positions[2], glm::vec3(0, 5, 0));
}

TEST(GltfLoader, ConvertsVertexColoursOfEachComponentType) {
  GltfBuilder b;
  const int position = add_triangle(b);
  const std::vector<float> rgb = {1, 0, 0, 0, 1, 0, 0, 0, 0.5f};
  const std::vector<std::uint8_t> rgba8 = {255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0};
  const std::vector<std::uint16_t> rgba16 = {65535, 0, 0, 65535, 0, 65535, 0, 0, 0, 0, 32768, 65535};
  const int c_float = b.add_floats(rgb, "VEC3");
  const int c_byte = b.add_accessor(b.add_view(rgba8), test::kUnsignedByte, 3, "VEC4", true);
  const int c_short = b.add_accessor(b.add_view(raw(rgba16)), test::kUnsignedShort, 3, "VEC4", true);
  json primitives = json::array();
  for (int color : {c_float, c_byte, c_short}) {
    json p = triangle_primitive(position);
    p["attributes"]["COLOR_0"] = color;
    primitives.push_back(p);
  }
  b.append("meshes", {{"primitives", primitives}});
  Loader loader;
  const Scene scene = loader.load(b.glb());
  ASSERT_EQ(scene.meshes.size(), 3u);
  EXPECT_EQ(scene.meshes[0].colors[2], glm::vec4(0, 0, 0.5f, 1));
  EXPECT_NEAR(scene.meshes[1].colors[1].a, 128 / 255.0f, 1e-6f);
  EXPECT_EQ(scene.meshes[1].colors[0], glm::vec4(1, 0, 0, 1));
  EXPECT_NEAR(scene.meshes[2].colors[2].b, 32768 / 65535.0f, 1e-6f);
  EXPECT_FLOAT_EQ(scene.meshes[2].colors[1].a, 0.0f);
}

TEST(GltfLoader, RejectsOutOfRangeData) {
  Loader loader;
  {  // accessor count * stride beyond its bufferView
    GltfBuilder b = single_mesh(triangle_primitive(0));
    add_triangle(b);
    b.json["accessors"][0]["count"] = 4;
    EXPECT_NE(load_error(loader, b.glb()).find("exceeds its bufferView"), std::string::npos);
    b.json["accessors"][0]["count"] = 3;
    b.json["accessors"][0]["byteOffset"] = 1u << 31;
    EXPECT_NE(load_error(loader, b.glb()).find("exceeds its bufferView"), std::string::npos);
  }
  {  // bufferView beyond its buffer
    GltfBuilder b = single_mesh(triangle_primitive(0));
    add_triangle(b);
    b.json["bufferViews"][0]["byteLength"] = 4096;
    EXPECT_NE(load_error(loader, b.glb()).find("exceeds its buffer"), std::string::npos);
  }
  {  // index values >= vertex count
    GltfBuilder b;
    const int position = add_triangle(b);
    const std::vector<std::uint32_t> indices = {0, 1, 3};
    b.append("meshes", {{"primitives", json::array({triangle_primitive(position, b.add_indices(indices))})}});
    EXPECT_NE(load_error(loader, b.glb()).find("index out of range"), std::string::npos);
  }
  {  // huge count without data is checked against the vertex limit before allocating
    GltfBuilder b = single_mesh(triangle_primitive(0));
    b.add_accessor(-1, test::kFloat, 4'000'000'000ull, "VEC3");
    EXPECT_NE(load_error(loader, b.glb()).find("limit"), std::string::npos);
    Loader small;
    small.limits.max_vertices = 2;
    GltfBuilder c = single_mesh(triangle_primitive(0));
    add_triangle(c);
    EXPECT_NE(load_error(small, c.glb()).find("limit"), std::string::npos);
  }
  {  // buffer shorter than its byteLength
    GltfBuilder b = single_mesh(triangle_primitive(0));
    add_triangle(b);
    json doc = b.json;
    doc["buffers"] = json::array({{{"byteLength", 1000}, {"uri", "data:application/octet-stream;base64,AAAA"}}});
    EXPECT_NE(load_error(loader, bytes_of(doc.dump())).find("shorter"), std::string::npos);
  }
}

}  // namespace
}  // namespace thumbgen::scene
