// The glTF 2.0 loader on real assets when the corpus is present (not part of the repository; skipped otherwise).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "scene/gltf_loader.h"
#include "support/gltf_loading.h"

namespace thumbgen::scene {
namespace {

using test::world_bounds;

class FolderFiles : public FileAccess {
 public:
  explicit FolderFiles(std::filesystem::path folder) : folder_(std::move(folder)) {}
  std::vector<std::uint8_t> read(std::string_view path) override {
    if (path.find("..") != std::string_view::npos) throw LoadError("path leaves the model folder");
    std::ifstream in(folder_ / std::filesystem::path(std::u8string(path.begin(), path.end())), std::ios::binary);
    if (!in) throw LoadError(std::string(path) + ": file not found");
    return {std::istreambuf_iterator<char>(in), {}};
  }
  bool exists(std::string_view path) override {
    return std::filesystem::exists(folder_ / std::filesystem::path(std::u8string(path.begin(), path.end())));
  }

 private:
  std::filesystem::path folder_;
};

// Accepts anything: the corpus checks are about geometry.
class AnyImage : public ImageDecoder {
 public:
  Image decode(std::span<const std::uint8_t>, int) override { return {1, 1, {255, 255, 255, 255}}; }
};

struct CorpusCase {
  const char* file;
  std::size_t triangles;
  float diagonal;  // of the world bounds
  const char* format;
};

TEST(GltfLoaderCorpus, LoadsCompressedAndQuantizedAssets) {
  const std::filesystem::path corpus = "/work/shared/corpus";
  if (!std::filesystem::exists(corpus)) GTEST_SKIP() << "no corpus";
  const CorpusCase cases[] = {
      {"gltf2-Box-draco/Box.gltf", 12, 1.732f, "glTF 2.0 + Draco"},
      {"gltf2-Duck-separate/Duck.gltf", 4212, 2.538f, "glTF 2.0"},  // the reference for the two below
      {"gltf2-Duck-draco/Duck.gltf", 4212, 2.538f, "glTF 2.0 + Draco"},
      {"gltf2-Duck-quantized/Duck.gltf", 4212, 2.538f, "glTF 2.0"},
      {"gltf2-pirate-meshopt-glb/pirate.glb", 0, 0, "glTF 2.0 (GLB) + meshopt"},
      {"gltf2-DenseSphere-glb/DenseSphere.glb", 0, 3.21f, "glTF 2.0 (GLB) + Draco"},  // ~1.85 across, not 1e5
      {"gltf2-MorphPrimitivesTest-draco/MorphPrimitivesTest.gltf", 32, 0, "glTF 2.0 + Draco"},
      {"gltf2-WaterBottle-draco/WaterBottle.gltf", 0, 0, "glTF 2.0 + Draco"},
  };
  for (const CorpusCase& c : cases) {
    const std::filesystem::path path = corpus / c.file;
    if (!std::filesystem::exists(path)) continue;
    std::ifstream in(path, std::ios::binary);
    const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
    FolderFiles files(path.parent_path());
    AnyImage decoder;
    const Scene scene = load_gltf(path.filename().string(), bytes, files, decoder, LoadLimits{});
    const Bounds bounds = world_bounds(scene);
    const float diagonal = glm::length(bounds.size());
    std::printf("%-60s %-26s %8zu triangles, diagonal %.4g, %zu warnings\n", c.file, scene.format.c_str(),
                scene.triangle_count(), diagonal, scene.warnings.size());
    for (const std::string& w : scene.warnings) std::printf("    warning: %s\n", w.c_str());
    EXPECT_EQ(scene.format, c.format) << c.file;
    EXPECT_TRUE(scene.has_geometry()) << c.file;
    if (c.triangles) {
      EXPECT_EQ(scene.triangle_count(), c.triangles) << c.file;
    }
    if (c.diagonal > 0) {
      EXPECT_NEAR(diagonal, c.diagonal, c.diagonal * 0.02f) << c.file;
    }
    EXPECT_LT(diagonal, 1000.0f) << c.file;
  }
}

// Every glTF 2.0 asset of the corpus loads (geometry present, bounds sane) or fails with a LoadError.
TEST(GltfLoaderCorpus, LoadsEveryGltf2Asset) {
  const std::filesystem::path corpus = "/work/shared/corpus";
  std::ifstream manifest(corpus / "MANIFEST.tsv");
  if (!manifest) GTEST_SKIP() << "no corpus";
  std::string line;
  int loaded = 0;
  while (std::getline(manifest, line)) {
    std::vector<std::string> fields;
    for (std::size_t start = 0, tab; start <= line.size(); start = tab + 1) {
      tab = line.find('\t', start);
      if (tab == std::string::npos) tab = line.size();
      fields.push_back(line.substr(start, tab - start));
    }
    if (fields.size() < 3) continue;
    const std::string& id = fields[1];
    const bool gltf2 = id.rfind("gltf2-", 0) == 0 || (id.rfind("tilt-", 0) == 0 && id.ends_with("-glb"));
    if (!gltf2) continue;
    const std::filesystem::path path =
        corpus / std::filesystem::path(std::u8string(fields[2].begin(), fields[2].end()));
    std::ifstream in(path, std::ios::binary);
    if (!in) continue;
    const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
    FolderFiles files(path.parent_path());
    AnyImage decoder;
    try {
      const Scene scene = load_gltf(path.filename().string(), bytes, files, decoder, LoadLimits{});
      const Bounds bounds = world_bounds(scene);
      std::printf("%-44s %-24s %7zu tris %4zu draws %2zu cams %3zu imgs diag %-9.4g %zu warnings%s\n", id.c_str(),
                  scene.format.c_str(), scene.triangle_count(), scene.draws.size(), scene.cameras.size(),
                  scene.images.size(), glm::length(bounds.size()), scene.warnings.size(),
                  scene.warnings.empty() ? "" : (": " + scene.warnings[0]).c_str());
      if (id != "gltf2-NoScene") {
        EXPECT_TRUE(scene.has_geometry()) << id;
        EXPECT_LT(glm::length(bounds.size()), 5000.0f) << id;
      }
      ++loaded;
    } catch (const LoadError& e) {
      std::printf("%-44s LoadError: %s\n", id.c_str(), e.what());
      ADD_FAILURE() << id << ": " << e.what();
    }
  }
  EXPECT_GT(loaded, 40);
}

}  // namespace
}  // namespace thumbgen::scene
