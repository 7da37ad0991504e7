// The glTF document (src/scene/gltf_document): GLB and .gltf containers, buffers from data: URIs and side files
// read through FileAccess, and what is refused: truncated or corrupt containers, bad JSON, glTF 1.0, random damage.
#include <gtest/gtest.h>

#include <cstring>

#include "scene/gltf_loader.h"
#include "support/gltf_loading.h"

namespace thumbgen::scene {
namespace {

using nlohmann::json;
using namespace thumbgen::test;

TEST(GltfLoader, LoadsGlbCube) {
  SimpleAsset asset;
  asset.meshes.push_back(test::unit_cube());
  asset.meshes[0].base_color = {0.5f, 0.25f, 1.0f, 1.0f};
  Loader loader;
  const Scene scene = loader.load(test::write_glb(asset));
  EXPECT_EQ(scene.format, "glTF 2.0 (GLB)");
  ASSERT_EQ(scene.meshes.size(), 1u);
  ASSERT_EQ(scene.draws.size(), 1u);
  EXPECT_EQ(scene.triangle_count(), 12u);
  const Mesh& mesh = scene.meshes[0];
  EXPECT_EQ(mesh.positions.size(), 24u);
  EXPECT_EQ(mesh.normals.size(), 24u);
  EXPECT_EQ(mesh.uv0.size(), 24u);
  EXPECT_TRUE(mesh.colors.empty());
  ASSERT_EQ(mesh.material, 0);
  EXPECT_EQ(scene.materials[0].base_color, glm::vec4(0.5f, 0.25f, 1.0f, 1.0f));
  EXPECT_FLOAT_EQ(scene.materials[0].metallic, 0.0f);
  const Bounds bounds = world_bounds(scene);
  expect_near(bounds.min, glm::vec3(-1));
  expect_near(bounds.max, glm::vec3(1));
  EXPECT_TRUE(scene.warnings.empty());
}

TEST(GltfLoader, LoadsGltfWithDataUris) {
  SimpleAsset asset;
  asset.meshes.push_back(test::unit_cube());
  asset.meshes[0].texture = fake_image(4, 2);
  Loader loader;
  const Scene scene = loader.load(test::write_gltf(asset));
  EXPECT_EQ(scene.format, "glTF 2.0");
  EXPECT_EQ(scene.triangle_count(), 12u);
  ASSERT_EQ(scene.images.size(), 1u);
  EXPECT_EQ(scene.images[0].width, 4);
  EXPECT_EQ(scene.materials[0].base_color_texture.image, 0);
  EXPECT_TRUE(loader.files.reads.empty());
}

TEST(GltfLoader, ReadsPercentDecodedExternalFiles) {
  GltfBuilder b = single_mesh(triangle_primitive(0));
  add_triangle(b);
  b.append("images", {{"uri", "tex%20ture.png"}});
  b.append("textures", {{"source", 0}});
  b.append("materials", {{"pbrMetallicRoughness", {{"baseColorTexture", {{"index", 0}}}}}});
  b.json["meshes"][0]["primitives"][0]["material"] = 0;
  b.json["buffers"] = json::array({{{"byteLength", b.bin.size()}, {"uri", "my%20mesh.bin"}}});
  Loader loader;
  loader.files.files["my mesh.bin"] = b.bin;
  loader.files.files["tex ture.png"] = fake_image(8, 8);
  const Scene scene = loader.load(b.json.dump());
  EXPECT_EQ(scene.triangle_count(), 1u);
  EXPECT_EQ(scene.materials[0].base_color_texture.image, 0);
  EXPECT_EQ(loader.files.reads, (std::vector<std::string>{"tex ture.png", "my mesh.bin"}));
}

TEST(GltfLoader, PropagatesRefusedBufferUris) {
  for (const std::string uri : {"../../etc/passwd", "http://example.com/a.bin", "missing.bin"}) {
    GltfBuilder b = single_mesh(triangle_primitive(0));
    add_triangle(b);
    b.json["buffers"] = json::array({{{"byteLength", b.bin.size()}, {"uri", uri}}});
    Loader loader;
    try {
      loader.load(b.json.dump());
      ADD_FAILURE() << uri << " was read";
    } catch (const LoadError& e) {
      EXPECT_NE(std::string(e.what()).find(uri), std::string::npos) << e.what();
    }
  }
}

TEST(GltfLoader, RejectsTruncatedAndCorruptGlb) {
  SimpleAsset asset;
  asset.meshes.push_back(test::unit_cube());
  const std::vector<std::uint8_t> glb = test::write_glb(asset);
  Loader loader;
  for (std::size_t size : {std::size_t{3}, std::size_t{12}, std::size_t{30}, glb.size() / 2, glb.size() - 1}) {
    const std::string error = load_error(loader, std::span(glb).first(size));
    EXPECT_FALSE(error.empty()) << size;
  }
  EXPECT_NE(load_error(loader, std::span(glb).first(glb.size() - 1)).find("truncated GLB"), std::string::npos);

  std::vector<std::uint8_t> bad_chunk = glb;
  bad_chunk[12] = 0xff, bad_chunk[13] = 0xff, bad_chunk[14] = 0xff;  // JSON chunk length beyond the file
  EXPECT_NE(load_error(loader, bad_chunk).find("chunk exceeds"), std::string::npos);

  std::vector<std::uint8_t> v1 = glb;
  v1[4] = 1;
  EXPECT_NE(load_error(loader, v1).find("glTF 1.0"), std::string::npos);
}

// A GLB whose JSON chunk length is not a multiple of 4, as some exporters write it: the BIN chunk follows at
// once (`padding` "none"), after spaces ("spaces") or after NULs ("nuls") the JSON length does not count.
std::vector<std::uint8_t> with_unpadded_json(const std::vector<std::uint8_t>& glb, const std::string& padding) {
  std::uint32_t json_length = 0;
  std::memcpy(&json_length, glb.data() + 12, 4);
  std::string text(glb.begin() + 20, glb.begin() + 20 + json_length);
  while (text.back() == ' ') text.pop_back();
  if (text.size() % 4 == 0) text += ' ';
  const std::size_t gap = (4 - text.size() % 4) % 4;
  std::vector<std::uint8_t> out(glb.begin(), glb.begin() + 20);
  out.insert(out.end(), text.begin(), text.end());
  if (padding != "none") out.insert(out.end(), gap, padding == "spaces" ? std::uint8_t{' '} : std::uint8_t{0});
  out.insert(out.end(), glb.begin() + 20 + json_length, glb.end());  // the BIN chunk, header and all
  const auto total = static_cast<std::uint32_t>(out.size()), length = static_cast<std::uint32_t>(text.size());
  std::memcpy(out.data() + 8, &total, 4);
  std::memcpy(out.data() + 12, &length, 4);
  return out;
}

TEST(GltfLoader, AcceptsJsonChunksNotPaddedToFourBytesLikeTheBrowsers) {
  SimpleAsset asset;
  asset.meshes.push_back(test::unit_cube());
  const std::vector<std::uint8_t> glb = test::write_glb(asset);
  for (const std::string padding : {"none", "spaces", "nuls"}) {
    SCOPED_TRACE(padding);
    const std::vector<std::uint8_t> odd = with_unpadded_json(glb, padding);
    std::uint32_t json_length = 0;
    std::memcpy(&json_length, odd.data() + 12, 4);
    ASSERT_NE(json_length % 4, 0u);
    Loader loader;
    const Scene scene = loader.load(odd);
    EXPECT_EQ(scene.triangle_count(), 12u);
    const Bounds bounds = world_bounds(scene);
    expect_near(bounds.min, glm::vec3(-1));
    expect_near(bounds.max, glm::vec3(1));
    // Real truncation is still refused, with its reason.
    EXPECT_NE(load_error(loader, std::span(odd).first(odd.size() - 5)).find("truncated GLB"), std::string::npos);
  }
}

TEST(GltfLoader, RejectsInvalidJsonAndGltf1) {
  Loader loader;
  EXPECT_NE(load_error(loader, bytes_of("{\"asset\": ")).find("invalid glTF JSON"), std::string::npos);
  EXPECT_NE(load_error(loader, bytes_of("[1,2]")).find("invalid glTF JSON"), std::string::npos);
  EXPECT_NE(load_error(loader, bytes_of(R"({"asset":{"version":"1.0"},"meshes":{}})")).find("glTF 1.0"),
            std::string::npos);
  EXPECT_NE(load_error(loader, bytes_of(R"({"buffers":{"b":{"uri":"x.bin"}}})")).find("glTF 1.0"), std::string::npos);
  EXPECT_FALSE(load_error(loader, bytes_of(R"({"asset":{"version":"2.0"},"accessors":[{"count":"x"}]})")).empty());
}

// Random byte corruption of a GLB with most features either loads or throws LoadError, never crashes.
TEST(GltfLoader, SurvivesRandomCorruption) {
  SimpleAsset asset;
  asset.meshes.push_back(test::unit_cube());
  asset.meshes[0].texture = fake_image(2, 2);
  asset.meshes[0].colors.assign(24, glm::vec4(1));
  asset.meshes.push_back(test::unit_cube());
  asset.meshes[1].mode = test::kTriangleStrip;
  asset.cameras.emplace_back();
  asset.nodes.resize(3);
  asset.nodes[0].mesh = 0;
  asset.nodes[0].children = {1, 2};
  asset.nodes[1].mesh = 1;
  asset.nodes[2].camera = 0;
  const std::vector<std::uint8_t> original = test::write_glb(asset);
  std::uint32_t seed = 12345;
  auto next = [&seed] { return seed = seed * 1664525u + 1013904223u; };
  Loader loader;
  int loaded = 0;
  for (int round = 0; round < 3000; ++round) {
    std::vector<std::uint8_t> bytes = original;
    const int flips = 1 + static_cast<int>(next() % 4);
    for (int i = 0; i < flips; ++i) {
      bytes[next() % bytes.size()] = static_cast<std::uint8_t>(next() >> 24);
    }
    try {
      loader.load(bytes);
      ++loaded;
    } catch (const LoadError&) {
    }
  }
  EXPECT_GT(loaded, 0);
}

}  // namespace
}  // namespace thumbgen::scene
