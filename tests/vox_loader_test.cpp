// MagicaVoxel .vox on files written here: geometry counts of the greedy mesher, culled faces, palette colours
// (file and default palette), multi-model scene graphs, the +Z up convention, and hostile or truncated files.
#include "scene/vox_loader.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "scene/load.h"
#include "scene/load_error.h"
#include "scene/srgb.h"
#include "support/gltf_loading.h"

namespace thumbgen::scene {
namespace {

using Bytes = std::vector<std::uint8_t>;

void put_i32(Bytes& out, std::int32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(static_cast<std::uint32_t>(v) >> (8 * i)));
}
void put_string(Bytes& out, const std::string& s) {
  put_i32(out, static_cast<std::int32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}
void put_dict(Bytes& out, const std::vector<std::pair<std::string, std::string>>& entries) {
  put_i32(out, static_cast<std::int32_t>(entries.size()));
  for (const auto& [key, value] : entries) {
    put_string(out, key);
    put_string(out, value);
  }
}

struct V {
  int x, y, z, c;
};

// Writes a .vox file chunk by chunk (the layout of MagicaVoxel-file-format-vox.txt).
class VoxWriter {
 public:
  VoxWriter& model(int sx, int sy, int sz, const std::vector<V>& voxels) {
    Bytes size;
    for (int s : {sx, sy, sz}) put_i32(size, s);
    chunk("SIZE", size);
    Bytes xyzi;
    put_i32(xyzi, static_cast<std::int32_t>(voxels.size()));
    for (const V& v : voxels) {
      for (int b : {v.x, v.y, v.z, v.c}) xyzi.push_back(static_cast<std::uint8_t>(b));
    }
    chunk("XYZI", xyzi);
    return *this;
  }
  // Palette index i + 1 gets colour i of the chunk.
  VoxWriter& palette(const std::function<std::array<std::uint8_t, 4>(int index)>& color) {
    Bytes rgba;
    for (int i = 1; i <= 256; ++i) {
      const auto c = color(i);
      rgba.insert(rgba.end(), c.begin(), c.end());
    }
    chunk("RGBA", rgba);
    return *this;
  }
  VoxWriter& transform(int id, int child, const std::string& t, const std::string& r = "", bool hidden = false,
                       int layer = 0) {
    Bytes b;
    put_i32(b, id);
    put_dict(b, hidden ? std::vector<std::pair<std::string, std::string>>{{"_hidden", "1"}}
                       : std::vector<std::pair<std::string, std::string>>{});
    put_i32(b, child);
    put_i32(b, -1);
    put_i32(b, layer);
    put_i32(b, 1);
    std::vector<std::pair<std::string, std::string>> frame;
    if (!t.empty()) frame.emplace_back("_t", t);
    if (!r.empty()) frame.emplace_back("_r", r);
    put_dict(b, frame);
    chunk("nTRN", b);
    return *this;
  }
  VoxWriter& group(int id, const std::vector<int>& children) {
    Bytes b;
    put_i32(b, id);
    put_dict(b, {});
    put_i32(b, static_cast<std::int32_t>(children.size()));
    for (int c : children) put_i32(b, c);
    chunk("nGRP", b);
    return *this;
  }
  VoxWriter& shape(int id, int model) {
    Bytes b;
    put_i32(b, id);
    put_dict(b, {});
    put_i32(b, 1);
    put_i32(b, model);
    put_dict(b, {});
    chunk("nSHP", b);
    return *this;
  }
  VoxWriter& layer(int id, bool hidden) {
    Bytes b;
    put_i32(b, id);
    put_dict(b, {{"_name", "layer"}, {"_hidden", hidden ? "1" : "0"}});
    put_i32(b, -1);
    chunk("LAYR", b);
    return *this;
  }
  VoxWriter& chunk(const std::string& id, const Bytes& content) {
    children_.insert(children_.end(), id.begin(), id.end());
    put_i32(children_, static_cast<std::int32_t>(content.size()));
    put_i32(children_, 0);
    children_.insert(children_.end(), content.begin(), content.end());
    return *this;
  }
  Bytes bytes(int version = 150) const {
    Bytes out = {'V', 'O', 'X', ' '};
    put_i32(out, version);
    out.insert(out.end(), {'M', 'A', 'I', 'N'});
    put_i32(out, 0);
    put_i32(out, static_cast<std::int32_t>(children_.size()));
    out.insert(out.end(), children_.begin(), children_.end());
    return out;
  }

 private:
  Bytes children_;
};

std::array<std::uint8_t, 4> grey_ramp(int index) {
  return {static_cast<std::uint8_t>(index), static_cast<std::uint8_t>(255 - index), 40, 255};
}

std::size_t quads(const Scene& scene) {
  std::size_t n = 0;
  for (const Mesh& m : scene.meshes) n += m.indices.size() / 6;
  return n;
}

std::string vox_error(const Bytes& bytes, const LoadLimits& limits = {}) {
  try {
    load_vox(bytes, limits);
  } catch (const LoadError& e) {
    return e.what();
  }
  return "";
}

glm::vec4 linear(std::array<std::uint8_t, 4> c) {
  return {srgb_to_linear(c[0] / 255.0f), srgb_to_linear(c[1] / 255.0f), srgb_to_linear(c[2] / 255.0f), 1.0f};
}

TEST(VoxLoader, OneVoxelIsACubeWithOutwardFacesInItsPaletteColour) {
  const Scene scene = load_vox(VoxWriter().model(1, 1, 1, {{0, 0, 0, 7}}).palette(grey_ramp).bytes(), {});
  EXPECT_EQ(scene.format, "VOX");
  ASSERT_EQ(scene.meshes.size(), 1u);
  ASSERT_EQ(scene.draws.size(), 1u);
  const Mesh& mesh = scene.meshes[0];
  EXPECT_EQ(mesh.positions.size(), 24u);
  EXPECT_EQ(mesh.indices.size(), 36u);
  ASSERT_EQ(mesh.normals.size(), 24u);
  ASSERT_EQ(mesh.colors.size(), 24u);
  const Bounds bounds = test::world_bounds(scene);
  test::expect_near(bounds.min, glm::vec3(0.0f));
  test::expect_near(bounds.max, glm::vec3(1.0f));
  for (const glm::vec4& c : mesh.colors) {
    const glm::vec4 want = linear(grey_ramp(7));
    EXPECT_NEAR(c.r, want.r, 1e-5f);
    EXPECT_NEAR(c.g, want.g, 1e-5f);
    EXPECT_NEAR(c.b, want.b, 1e-5f);
    EXPECT_EQ(c.a, 1.0f);
  }
  // Counter-clockwise seen from outside: each triangle's winding agrees with its normal, which points away from
  // the cube's centre.
  for (std::size_t t = 0; t < mesh.indices.size(); t += 3) {
    const glm::vec3 a = mesh.positions[mesh.indices[t]], b = mesh.positions[mesh.indices[t + 1]],
                    c = mesh.positions[mesh.indices[t + 2]];
    const glm::vec3 n = mesh.normals[mesh.indices[t]];
    EXPECT_GT(glm::dot(glm::cross(b - a, c - a), n), 0.0f) << "triangle " << t / 3;
    EXPECT_GT(glm::dot((a + b + c) / 3.0f - glm::vec3(0.5f), n), 0.0f) << "triangle " << t / 3;
  }
}

TEST(VoxLoader, SameColouredFacesMergeAndFacesBetweenVoxelsAreCulled) {
  std::vector<V> block;
  for (int x = 0; x < 8; ++x)
    for (int y = 0; y < 5; ++y)
      for (int z = 0; z < 3; ++z) block.push_back({x, y, z, 1});
  EXPECT_EQ(quads(load_vox(VoxWriter().model(8, 5, 3, block).bytes(), {})), 6u);  // one quad per side

  // Two colours side by side: 10 faces, none between them, none merged across the colour change.
  EXPECT_EQ(quads(load_vox(VoxWriter().model(2, 1, 1, {{0, 0, 0, 1}, {1, 0, 0, 2}}).bytes(), {})), 10u);
  // The same two in one colour: 6 quads.
  EXPECT_EQ(quads(load_vox(VoxWriter().model(2, 1, 1, {{0, 0, 0, 1}, {1, 0, 0, 1}}).bytes(), {})), 6u);
  // A hollow 3³ shell (the centre empty): the inner cavity's 6 faces are drawn too (it is a real surface).
  std::vector<V> shell;
  for (int x = 0; x < 3; ++x)
    for (int y = 0; y < 3; ++y)
      for (int z = 0; z < 3; ++z)
        if (!(x == 1 && y == 1 && z == 1)) shell.push_back({x, y, z, 1});
  EXPECT_EQ(quads(load_vox(VoxWriter().model(3, 3, 3, shell).bytes(), {})), 6u + 6u);
}

TEST(VoxLoader, ALargeSolidModelStaysSmall) {
  // 256 × 256 × 32 voxels (2 M) in two colour layers: 10 quads, not millions.
  std::vector<V> slab;
  slab.reserve(256 * 256 * 32);
  for (int z = 0; z < 32; ++z)
    for (int y = 0; y < 256; ++y)
      for (int x = 0; x < 256; ++x) slab.push_back({x, y, z, z < 16 ? 3 : 4});
  const Scene scene = load_vox(VoxWriter().model(256, 256, 32, slab).bytes(), {});
  EXPECT_EQ(quads(scene), 10u);  // top, bottom, and each of the 4 sides split at the colour change
  const Bounds bounds = test::world_bounds(scene);
  test::expect_near(bounds.max - bounds.min, glm::vec3(256.0f, 256.0f, 32.0f));
}

TEST(VoxLoader, WithoutAPaletteChunkTheDefaultPaletteColoursVoxels) {
  const Scene scene = load_vox(VoxWriter().model(3, 1, 1, {{0, 0, 0, 1}, {1, 0, 0, 37}, {2, 0, 0, 255}}).bytes(), {});
  std::set<std::array<int, 3>> colours;
  for (const glm::vec4& c : scene.meshes[0].colors) {
    colours.insert({int(std::lround(linear_to_srgb(c.r) * 255)), int(std::lround(linear_to_srgb(c.g) * 255)),
                    int(std::lround(linear_to_srgb(c.b) * 255))});
  }
  // MagicaVoxel-file-format-vox.txt: entry 1 0xffffffff, entry 37 0xffffffcc (bytes cc ff ff), 255 0xff111111.
  EXPECT_EQ(colours, (std::set<std::array<int, 3>>{{255, 255, 255}, {0xcc, 0xff, 0xff}, {0x11, 0x11, 0x11}}));
}

TEST(VoxLoader, SceneGraphPlacesModelsByTheirTransforms) {
  // Root transform → group → two transforms, each → a shape; the same model drawn twice plus another model.
  const Bytes bytes = VoxWriter()
                          .model(2, 2, 2, {{0, 0, 0, 1}, {1, 1, 1, 1}})
                          .model(1, 1, 4, {{0, 0, 0, 2}, {0, 0, 1, 2}, {0, 0, 2, 2}, {0, 0, 3, 2}})
                          .transform(0, 1, "")
                          .group(1, {2, 4, 6})
                          .transform(2, 3, "10 0 0")
                          .shape(3, 0)
                          .transform(4, 5, "-10 0 0")
                          .shape(5, 0)
                          .transform(6, 7, "0 0 20")
                          .shape(7, 1)
                          .bytes(200);
  const Scene scene = load_vox(bytes, {});
  EXPECT_EQ(scene.meshes.size(), 2u);  // one mesh per model, instanced by draws
  ASSERT_EQ(scene.draws.size(), 3u);
  // Model 0 (size 2) is centred on its translation: cells [0, 2] − 1 → [−1, 1] around x = ±10.
  const Bounds bounds = test::world_bounds(scene);
  test::expect_near(bounds.min, glm::vec3(-11.0f, -1.0f, -1.0f));
  // Model 1 (1 × 1 × 4): x, y [0, 1] − 0, z [0, 4] − 2 + 20 → [18, 22].
  test::expect_near(bounds.max, glm::vec3(11.0f, 1.0f, 22.0f));
  EXPECT_TRUE(scene.warnings.empty());
}

TEST(VoxLoader, NodeRotationTurnsTheModel) {
  // _r = 1 | 2<<2 … names rows (0 1 0), (0 0 1), (1 0 0): x' = y, y' = z, z' = x (bits 4-6 zero: all positive).
  const int r = 1 | (2 << 2);
  const Bytes bytes = VoxWriter()
                          .model(4, 2, 2, {{0, 0, 0, 1}, {3, 1, 1, 1}})
                          .transform(0, 1, "0 0 0", std::to_string(r))
                          .shape(1, 0)
                          .bytes();
  const Bounds bounds = test::world_bounds(load_vox(bytes, {}));
  // Cells span x [0, 4] − 2, y [0, 2] − 1, z [0, 2] − 1; turned: x' = y, y' = z, z' = x.
  test::expect_near(bounds.min, glm::vec3(-1.0f, -1.0f, -2.0f));
  test::expect_near(bounds.max, glm::vec3(1.0f, 1.0f, 2.0f));
}

TEST(VoxLoader, HiddenNodesAndLayersAreNotDrawn) {
  const auto file = [](bool hidden_node, bool hidden_layer) {
    return VoxWriter()
        .model(1, 1, 1, {{0, 0, 0, 1}})
        .model(1, 1, 1, {{0, 0, 0, 2}})
        .transform(0, 1, "")
        .group(1, {2, 4})
        .transform(2, 3, "5 0 0", "", hidden_node)
        .shape(3, 0)
        .transform(4, 5, "-5 0 0", "", false, 1)
        .shape(5, 1)
        .layer(1, hidden_layer)
        .bytes();
  };
  EXPECT_EQ(load_vox(file(false, false), {}).draws.size(), 2u);
  EXPECT_EQ(load_vox(file(true, false), {}).draws.size(), 1u);
  EXPECT_EQ(load_vox(file(false, true), {}).draws.size(), 1u);
}

TEST(VoxLoader, LoadSceneDetectsVoxAndStandsItUpright) {
  test::MemoryFiles files;
  files.files["chair.vox"] = VoxWriter().model(1, 1, 3, {{0, 0, 0, 1}, {0, 0, 1, 1}, {0, 0, 2, 1}}).bytes();
  test::FakeDecoder decoder;
  EXPECT_EQ(detect_format("x.bin", files.files["chair.vox"]), FormatKind::Vox);
  const Scene scene = load_scene("chair.vox", files, decoder, {});
  EXPECT_EQ(scene.format, "VOX");
  ASSERT_TRUE(scene.upright.has_value());  // model_formats: .vox is +Z up
  const glm::vec3 up = *scene.upright * glm::vec3(0.0f, 0.0f, 1.0f);
  test::expect_near(up, glm::vec3(0.0f, 1.0f, 0.0f));
}

TEST(VoxLoader, TruncatedFilesFailCleanly) {
  const Bytes good = VoxWriter()
                         .model(2, 2, 2, {{0, 0, 0, 1}, {1, 1, 1, 2}})
                         .palette(grey_ramp)
                         .transform(0, 1, "")
                         .group(1, {2})
                         .transform(2, 3, "1 2 3")
                         .shape(3, 0)
                         .bytes();
  ASSERT_EQ(vox_error(good), "");
  for (std::size_t n = 0; n < good.size(); ++n) {
    const std::string error = vox_error(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n)));
    EXPECT_NE(error, "") << "prefix of " << n << " bytes loaded";
  }
}

TEST(VoxLoader, HostileFilesAreRefusedWithAReason) {
  EXPECT_EQ(vox_error(Bytes{'V', 'O', 'Y', ' ', 150, 0, 0, 0}), "not a MagicaVoxel file (no \"VOX \" magic)");
  // An XYZI chunk claiming 2³¹−1 voxels in 8 bytes.
  Bytes size_chunk, xyzi;
  for (int s : {4, 4, 4}) put_i32(size_chunk, s);
  put_i32(xyzi, 0x7fffffff);
  put_i32(xyzi, 0x01000000);
  EXPECT_NE(vox_error(VoxWriter().chunk("SIZE", size_chunk).chunk("XYZI", xyzi).bytes()).find("XYZI chunk claims"),
            std::string::npos);
  EXPECT_NE(vox_error(VoxWriter().chunk("XYZI", Bytes{0, 0, 0, 0}).bytes()).find("without a SIZE"), std::string::npos);
  EXPECT_NE(vox_error(VoxWriter().model(0, 4, 4, {}).bytes()).find("has size 0x4x4"), std::string::npos);
  // A dictionary claiming a billion entries.
  Bytes node;
  put_i32(node, 0);
  put_i32(node, 1'000'000'000);
  EXPECT_NE(vox_error(VoxWriter().model(1, 1, 1, {{0, 0, 0, 1}}).chunk("nTRN", node).bytes()).find("claims"),
            std::string::npos);
  // A chunk whose size runs past MAIN.
  Bytes lying = VoxWriter().model(1, 1, 1, {{0, 0, 0, 1}}).bytes();
  lying[20 + 4] = 0xff;  // SIZE's content length
  EXPECT_NE(vox_error(lying).find("truncated .vox"), std::string::npos);
  // A scene graph cycle: transform 0 → group 1 → transform 0.
  EXPECT_NE(
      vox_error(VoxWriter().model(1, 1, 1, {{0, 0, 0, 1}}).transform(0, 1, "").group(1, {0}).bytes()).find("cycle"),
      std::string::npos);
  // A node defined twice.
  EXPECT_NE(vox_error(VoxWriter().model(1, 1, 1, {{0, 0, 0, 1}}).shape(0, 0).shape(0, 0).bytes()).find("twice"),
            std::string::npos);
}

TEST(VoxLoader, ExpensiveFilesStopAtTheLimits) {
  // A few bytes per model, a 256³ meshing grid each: refused before any meshing.
  VoxWriter many;
  for (int i = 0; i < 70; ++i) many.model(256, 256, 256, {{0, 0, 0, 1}, {255, 255, 255, 1}});
  EXPECT_NE(vox_error(many.bytes()).find("voxel cells"), std::string::npos);
  // The vertex budget counts every mesh.
  std::vector<V> checker;
  for (int x = 0; x < 16; ++x)
    for (int y = 0; y < 16; ++y) checker.push_back({x, y, 0, 1 + (x + y) % 2});
  LoadLimits limits;
  limits.max_vertices = 1000;
  EXPECT_NE(vox_error(VoxWriter().model(16, 16, 1, checker).bytes(), limits).find("more than 1000 vertices"),
            std::string::npos);
  // A shared subtree doubling at each of 30 levels: 2³⁰ instances are refused, not walked.
  VoxWriter doubling;
  doubling.model(1, 1, 1, {{0, 0, 0, 1}}).transform(0, 1, "");
  for (int level = 0; level < 30; ++level) {
    doubling.group(1 + 2 * level, {2 + 2 * level, 2 + 2 * level});
    doubling.transform(2 + 2 * level, 3 + 2 * level, "1 0 0");
  }
  doubling.shape(61, 0);
  EXPECT_NE(vox_error(doubling.bytes()).find("too many"), std::string::npos);
}

}  // namespace
}  // namespace thumbgen::scene
