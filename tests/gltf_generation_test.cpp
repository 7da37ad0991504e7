// Which loader a .gltf document goes to (src/scene/gltf_generation): its top-level asset.version, wherever it is.
#include "scene/gltf_generation.h"

#include <gtest/gtest.h>

#include "scene/load.h"
#include "support/gltf_loading.h"

namespace thumbgen::scene {
namespace {

using test::FakeDecoder;
using test::MemoryFiles;
using test::SimpleAsset;

FormatKind generation_of(std::string_view text) {
  return gltf_json_generation(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

TEST(GltfGeneration, ReadsTheTopLevelAssetVersion) {
  EXPECT_EQ(generation_of(R"({"asset": {"version": "2.0"}})"), FormatKind::Gltf2);
  EXPECT_EQ(generation_of(R"({"asset": {"version": "1.0"}})"), FormatKind::Gltf1);
  EXPECT_EQ(generation_of(R"({"meshes": {}})"), FormatKind::Gltf1);  // glTF 1.0 made "asset" optional
  EXPECT_EQ(generation_of(R"({"asset": {"generator": "x"}, "meshes": {}})"), FormatKind::Gltf1);
  // Members of the same names deeper in the document are not the document's version.
  EXPECT_EQ(generation_of(R"({"nodes": [{"name": "asset", "extras": {"asset": {"version": "1.0"}}}],
                              "asset": {"extras": {"version": "1.0"}, "version": "2.0"}})"),
            FormatKind::Gltf2);
  // It stops at the version: what follows is the loader's to judge.
  EXPECT_EQ(generation_of(R"({"asset": {"version": "2.0"}, "meshes": [)"), FormatKind::Gltf2);
  try {
    generation_of(R"({"meshes": [)");
    FAIL() << "expected LoadError";
  } catch (const LoadError& error) {
    EXPECT_TRUE(std::string(error.what()).starts_with("invalid glTF JSON: ")) << error.what();
  }
}

// An exporter may write "asset" after megabytes of data URIs (or after "accessors", sorting its keys): the
// document is still glTF 2.0, for the glTF 2.0 loader and its extensions, not assimp's glTF 1.0 path.
TEST(GltfGeneration, AssetPastTheFirst64KiBStillMakesAGltf2Document) {
  SimpleAsset asset;
  asset.meshes.push_back(test::unit_cube());
  std::string text = test::write_gltf(asset);
  ASSERT_EQ(text.front(), '{');
  text.insert(1, R"("extras": {"padding": ")" + std::string(100000, 'x') + R"("}, )");
  ASSERT_GT(text.find(R"("asset")"), std::size_t{64 * 1024});
  MemoryFiles files;
  files.files["late.gltf"] = {text.begin(), text.end()};
  FakeDecoder decoder;
  const Scene scene = load_scene("late.gltf", files, decoder, LoadLimits{});
  EXPECT_EQ(scene.format, "glTF 2.0");
  EXPECT_EQ(scene.triangle_count(), 12u);
}

}  // namespace
}  // namespace thumbgen::scene
