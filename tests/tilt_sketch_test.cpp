// Raw Tilt Brush sketches (scene/tilt_sketch.h) on .tilt files written here: strokes by brush family, metadata
// (camera, scene transform, environment), brush textures, old headers, and hostile data.sketch bytes.
#include "scene/tilt_sketch.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>

#include "scene/load.h"
#include "support/gltf_loading.h"
#include "support/tilt_writer.h"
#include "support/zip_writer.h"

namespace thumbgen::scene {
namespace {

using test::Bytes;
using test::TiltPoint;
using test::TiltStrokeSpec;

// The model folder, with http(s) URLs served from `urls` as the operator's brush texture folder serves them.
class SketchFiles : public test::MemoryFiles {
 public:
  std::map<std::string, Bytes> urls;
  std::vector<std::uint8_t> read(std::string_view path) override {
    const auto it = urls.find(std::string(path));
    return it != urls.end() ? it->second : MemoryFiles::read(path);
  }
  bool exists(std::string_view path) override { return urls.contains(std::string(path)) || MemoryFiles::exists(path); }
};

struct TiltLoader {
  SketchFiles files;
  test::FakeDecoder decoder;
  LoadLimits limits;

  Scene load(const Bytes& tilt, const std::string& name = "sketch.tilt") {
    files.files[name] = tilt;
    return load_scene(name, files, decoder, limits);
  }
  std::string error(const Bytes& tilt) {
    try {
      load(tilt);
    } catch (const LoadError& e) {
      return e.what();
    }
    return "";
  }
};

Bytes one_stroke(const TiltStrokeSpec& stroke, const std::string& guid, const std::string& extra = "") {
  return test::tilt_file(test::tilt_sketch_data({stroke}), test::tilt_metadata({guid}, extra));
}

constexpr const char* kFireGuid = "cb92b597-94ca-4255-b017-0e3f42f12f9e";

bool has_warning(const Scene& scene, const std::string& part) {
  for (const std::string& warning : scene.warnings)
    if (warning.find(part) != std::string::npos) return true;
  return false;
}

TEST(TiltSketch, OneRibbonStroke) {
  TiltLoader loader;
  const Scene scene = loader.load(
      one_stroke({0, {0.2f, 0.4f, 0.9f, 1.0f}, 0.2f, std::nullopt, test::points_along_x(3)}, test::kLightGuid));
  EXPECT_EQ(scene.format, "Tilt Brush sketch");
  ASSERT_EQ(scene.meshes.size(), 1u);
  ASSERT_EQ(scene.draws.size(), 1u);
  const Mesh& mesh = scene.meshes[0];
  EXPECT_EQ(mesh.positions.size(), 6u);  // two per control point
  EXPECT_EQ(mesh.indices.size(), 12u);   // two triangles per segment
  EXPECT_EQ(scene.triangle_count(), 4u);
  // Brush forward +Z, moving along +X: the ribbon's right is +Y (forward × tangent), its width the brush size.
  const Bounds bounds = test::world_bounds(scene);
  test::expect_near(bounds.min, {0.0f, -0.1f, 0.0f});
  test::expect_near(bounds.max, {2.0f, 0.1f, 0.0f});
  // The stroke colour, stored sRGB, becomes a linear vertex colour; Light is an additive, self-lit brush.
  EXPECT_NEAR(mesh.colors[0].r, 0.0331f, 1e-3f);
  EXPECT_NEAR(mesh.colors[0].b, 0.7874f, 1e-3f);
  ASSERT_EQ(mesh.material, 0);
  EXPECT_EQ(scene.materials[0].name, "Light");
  EXPECT_EQ(scene.materials[0].alpha_mode, AlphaMode::Additive);
  EXPECT_TRUE(scene.materials[0].unlit);
  EXPECT_TRUE(scene.cameras.empty());  // no thumbnail camera in this metadata
  ASSERT_TRUE(scene.background);       // the Standard environment's sky
  EXPECT_NEAR(scene.background->b, 0.202f, 1e-3f);
}

TEST(TiltSketch, PressureAndScaleSetTheWidth) {
  TiltLoader loader;
  std::vector<TiltPoint> points = test::points_along_x(2);
  points[1].pressure = 0.0f;  // Tilt Brush narrows Ink to a fifth of its size at no pressure
  const Scene scene = loader.load(one_stroke({0, glm::vec4(1.0f), 0.2f, 3.0f, points}, test::kInkGuid));
  const Mesh& mesh = scene.meshes[0];
  EXPECT_NEAR(glm::distance(mesh.positions[0], mesh.positions[1]), 0.6f, 1e-5f);   // size × scale
  EXPECT_NEAR(glm::distance(mesh.positions[2], mesh.positions[3]), 0.12f, 1e-5f);  // … × 0.2
  EXPECT_EQ(scene.materials[0].alpha_mode, AlphaMode::Mask);
}

TEST(TiltSketch, TextureLayoutFollowsTheBrush) {
  TiltLoader loader;
  const auto two_strokes = [](const char* guid) {
    return test::tilt_file(test::tilt_sketch_data({{0, glm::vec4(1.0f), 0.5f, std::nullopt, test::points_along_x(3)},
                                                   {0, glm::vec4(1.0f), 0.5f, std::nullopt, test::points_along_x(3)}}),
                           test::tilt_metadata({guid}));
  };
  // Ink's texture is four whole strokes stacked: u runs 0 → 1 over the stroke, v on one row per stroke.
  const Mesh ink = loader.load(two_strokes(test::kInkGuid)).meshes[0];
  EXPECT_EQ(ink.uv0[0], glm::vec2(0.0f, 0.0f));
  EXPECT_EQ(ink.uv0[5], glm::vec2(1.0f, 0.25f));
  EXPECT_EQ(ink.uv0[6], glm::vec2(0.0f, 0.25f));  // the second stroke: the next row
  EXPECT_EQ(ink.uv0[11], glm::vec2(1.0f, 0.5f));
  // Fire's flames run once along the whole stroke (one row), like Ink's prefab.
  const Mesh fire = loader.load(two_strokes(kFireGuid)).meshes[0];
  EXPECT_EQ(fire.uv0[5], glm::vec2(1.0f, 1.0f));
  EXPECT_EQ(fire.uv0[11], glm::vec2(1.0f, 1.0f));
  // Marker's texture repeats along the stroke, once per brush size.
  const Mesh marker = loader.load(two_strokes("429ed64a-4e97-4466-84d3-145a861ef684")).meshes[0];
  EXPECT_EQ(marker.uv0[5], glm::vec2(4.0f, 1.0f));  // 2 units long / 0.5 size
}

TEST(TiltSketch, GlowBrushesAreAsBrightAsTheirEmissionGain) {
  TiltLoader loader;
  // A saturated blue Fire stroke: bloomColor lifts red and green to 5 % of the colour's length before the gain.
  const Scene fire = loader.load(
      one_stroke({0, glm::vec4(0.0f, 0.0f, 1.0f, 1.0f), 0.5f, std::nullopt, test::points_along_x(3)}, kFireGuid));
  const Material& glow = fire.materials[0];
  EXPECT_EQ(glow.alpha_mode, AlphaMode::Additive);
  EXPECT_NEAR(glow.base_color.r, 2.0f * std::exp(5.0f), 1e-3f);  // Fire.mat's _EmissionGain 0.5
  const glm::vec4 color = fire.meshes[0].colors[0];
  EXPECT_GT(color.r, 0.0f);
  EXPECT_EQ(color.r, color.g);
  EXPECT_EQ(color.b, 1.0f);
  // Ink is not a glow brush: its colour and material stay as they are.
  const Scene ink = loader.load(
      one_stroke({0, glm::vec4(0.0f, 0.0f, 1.0f, 1.0f), 0.5f, std::nullopt, test::points_along_x(3)}, test::kInkGuid));
  EXPECT_EQ(ink.materials[0].base_color, glm::vec4(1.0f));
  EXPECT_EQ(ink.meshes[0].colors[0], glm::vec4(0.0f, 0.0f, 1.0f, 1.0f));
}

TEST(TiltSketch, TubeBrushesSweepAClosedRing) {
  TiltLoader loader;
  const Scene scene =
      loader.load(one_stroke({0, glm::vec4(1.0f), 0.4f, std::nullopt, test::points_along_x(4)}, test::kIcingGuid));
  const Mesh& mesh = scene.meshes[0];
  EXPECT_EQ(mesh.positions.size(), 4u * 8 + 2);        // an 8-sided ring per point and two cap centres
  EXPECT_EQ(scene.triangle_count(), 3u * 16 + 2 * 8);  // 16 per segment, 8 per cap
  const Bounds bounds = test::world_bounds(scene);
  test::expect_near(bounds.min, {0.0f, -0.2f, -0.2f});
  test::expect_near(bounds.max, {3.0f, 0.2f, 0.2f});
  for (std::size_t i = 0; i < 32; ++i) {  // ring normals point away from the stroke's axis
    const glm::vec3 radial = mesh.positions[i] - glm::vec3(mesh.positions[i].x, 0.0f, 0.0f);
    EXPECT_GT(glm::dot(mesh.normals[i], radial), 0.0f) << i;
  }
  EXPECT_FALSE(scene.materials[0].double_sided);  // a closed tube
}

TEST(TiltSketch, ParticleBrushesDrawEveryControlPoint) {
  TiltLoader loader;
  const Scene scene =
      loader.load(one_stroke({0, glm::vec4(1.0f), 0.5f, std::nullopt, test::points_along_x(1)}, test::kDotsGuid));
  const Mesh& mesh = scene.meshes[0];
  EXPECT_EQ(mesh.positions.size(), 12u);  // three crossed quads, even for a stroke that never moved
  EXPECT_EQ(scene.triangle_count(), 6u);
  const Bounds bounds = test::world_bounds(scene);
  test::expect_near(bounds.min, glm::vec3(-0.25f));
  test::expect_near(bounds.max, glm::vec3(0.25f));
  EXPECT_EQ(scene.materials[0].alpha_mode, AlphaMode::Additive);
}

TEST(TiltSketch, AStrokeThatNeverMovesDrawsNoRibbon) {
  TiltLoader loader;
  std::vector<TiltPoint> still(5);  // all at the origin
  still.push_back({{2.0f, 0.0f, 0.0f}});
  const Bytes tilt =
      test::tilt_file(test::tilt_sketch_data({{0, glm::vec4(1.0f), 0.1f, std::nullopt, std::vector<TiltPoint>(5)},
                                              {0, glm::vec4(1.0f), 0.1f, std::nullopt, still}}),
                      test::tilt_metadata({test::kLightGuid}));
  const Scene scene = loader.load(tilt);
  EXPECT_EQ(scene.meshes[0].positions.size(), 4u);  // only the second stroke, its repeated points merged
}

TEST(TiltSketch, ThumbnailCameraBecomesTheModelsOwnCamera) {
  TiltLoader loader;
  // Turned 90° about +Y: Unity's forward +Z becomes +X. Room space: the scene transform does not move the camera.
  const std::string extra =
      R"("ThumbnailCameraTransformInRoomSpace": [[1, 2, 3], [0, 0.7071068, 0, 0.7071068], 1.0],
         "SceneTransformInRoomSpace": [[10, 0, 0], [0, 0, 0, 1], 2.0])";
  const Scene scene = loader.load(
      one_stroke({0, glm::vec4(1.0f), 0.2f, std::nullopt, test::points_along_x(3)}, test::kLightGuid, extra));
  ASSERT_EQ(scene.cameras.size(), 1u);
  const Camera& camera = scene.cameras[0];
  EXPECT_TRUE(camera.perspective);
  // Unity's left-handed axes become right-handed by mirroring Z, the camera's pose with them.
  test::expect_near(glm::vec3(camera.world[3]), {1.0f, 2.0f, -3.0f});
  test::expect_near(-glm::vec3(camera.world[2]), {1.0f, 0.0f, 0.0f});  // it looks down its −Z: along +X
  test::expect_near(glm::vec3(camera.world[1]), {0.0f, 1.0f, 0.0f});
  EXPECT_NEAR(glm::determinant(glm::mat3(camera.world)), 1.0f, 1e-5f);  // a rotation, not a mirror
  // The strokes are placed in the room by the scene transform: scaled by 2, moved by +10 in X.
  const Bounds bounds = test::world_bounds(scene);
  test::expect_near(bounds.min, {10.0f, -0.2f, 0.0f});
  test::expect_near(bounds.max, {14.0f, 0.2f, 0.0f});
}

TEST(TiltSketch, OldHeaderAndOldCameraField) {
  TiltLoader loader;
  const std::string metadata = test::tilt_metadata(
      {test::kLightGuid}, R"("ThumbnailCameraTransform": {"position": [0, 1, -5], "orientation": [0, 0, 0, 1]})");
  const Bytes tilt = test::tilt_file(
      test::tilt_sketch_data({{0, glm::vec4(1.0f), 0.2f, std::nullopt, test::points_along_x(3)}}), metadata, true);
  ASSERT_EQ(std::string(tilt.begin(), tilt.begin() + 4), "tilT");
  // Recognised by its header even without the extension.
  EXPECT_EQ(detect_format("upload.bin", tilt), FormatKind::TiltRaw);
  const Scene scene = loader.load(tilt, "upload.bin");
  EXPECT_EQ(scene.triangle_count(), 4u);
  ASSERT_EQ(scene.cameras.size(), 1u);
  test::expect_near(glm::vec3(scene.cameras[0].world[3]), {0.0f, 1.0f, 5.0f});
}

TEST(TiltSketch, MissingMetadataGivesDefaults) {
  TiltLoader loader;
  const Bytes tilt = test::tilt_file(
      test::tilt_sketch_data({{3, glm::vec4(1.0f), 0.2f, std::nullopt, test::points_along_x(3)}}), std::nullopt);
  const Scene scene = loader.load(tilt);
  EXPECT_EQ(scene.triangle_count(), 4u);  // a plain ribbon
  EXPECT_TRUE(scene.cameras.empty());
  EXPECT_FALSE(scene.background);
  EXPECT_TRUE(has_warning(scene, "no metadata.json"));
  EXPECT_TRUE(has_warning(scene, "unknown brushes drawn as plain ribbons: index 3"));
  EXPECT_EQ(scene.materials[0].alpha_mode, AlphaMode::Opaque);
  EXPECT_TRUE(scene.materials[0].double_sided);
}

TEST(TiltSketch, BrokenMetadataIsAWarningNotAFailure) {
  TiltLoader loader;
  const Bytes tilt = test::tilt_file(
      test::tilt_sketch_data({{0, glm::vec4(1.0f), 0.2f, std::nullopt, test::points_along_x(3)}}), "{not json");
  const Scene scene = loader.load(tilt);
  EXPECT_EQ(scene.triangle_count(), 4u);
  EXPECT_TRUE(has_warning(scene, "metadata.json is not a JSON object"));

  const Scene bad_camera =
      loader.load(one_stroke({0, glm::vec4(1.0f), 0.2f, std::nullopt, test::points_along_x(3)}, test::kLightGuid,
                             R"("ThumbnailCameraTransformInRoomSpace": [1, 2])"));
  EXPECT_TRUE(bad_camera.cameras.empty());
  EXPECT_TRUE(has_warning(bad_camera, "ThumbnailCameraTransformInRoomSpace is not a transform"));
}

// metadata.json is read on the server too (reference discovery of an upload): deflate packs a 16 MiB "[[[[…" into
// 16 KB, and nlohmann::json spends about 80 bytes a level on it. Nesting is cut off early, size kept to what real
// metadata needs (a few KB).
TEST(TiltSketch, HostileMetadataJsonIsBounded) {
  TiltLoader loader;
  const Bytes sketch = test::tilt_sketch_data({{0, glm::vec4(1.0f), 0.2f, std::nullopt, test::points_along_x(3)}});
  const std::size_t depth = 100'000;
  const std::string nested = "{\"BrushIndex\": [\"" + std::string(test::kLightGuid) +
                             "\"], \"Layers\": " + std::string(depth, '[') + std::string(depth, ']') + "}";
  const Scene deep = loader.load(test::tilt_file(sketch, nested));
  EXPECT_EQ(deep.triangle_count(), 4u);
  EXPECT_TRUE(has_warning(deep, "metadata.json nests deeper than")) << testing::PrintToString(deep.warnings);

  const std::string padded = test::tilt_metadata({test::kLightGuid}, "\"Pad\": \"" + std::string(2 << 20, 'x') + "\"");
  EXPECT_NE(loader.error(test::tilt_file(sketch, padded)).find("metadata.json is larger than the"), std::string::npos);
}

TEST(TiltSketch, CustomSkyGradientBecomesTheBackground) {
  TiltLoader loader;
  const Scene scene =
      loader.load(one_stroke({0, glm::vec4(1.0f), 0.2f, std::nullopt, test::points_along_x(3)}, test::kLightGuid,
                             R"("Environment": {"GradientColors": [{"r": 1, "g": 0, "b": 0, "a": 1}, [0, 0, 1, 1]]})"));
  ASSERT_TRUE(scene.background);
  EXPECT_EQ(*scene.background, glm::vec4(0.5f, 0.0f, 0.5f, 1.0f));
}

TEST(TiltSketch, BrushTexturesComeFromTheirExportUrl) {
  TiltLoader loader;
  const std::string url = tilt_brush_texture_url("Ink", test::kInkGuid);
  EXPECT_EQ(url,
            "https://www.tiltbrush.com/shaders/brushes/Ink-f5c336cf-5108-4b40-ade9-c687504385ab/"
            "Ink-f5c336cf-5108-4b40-ade9-c687504385ab-v10.0-MainTex.png");
  const Bytes tilt = one_stroke({0, glm::vec4(1.0f), 0.2f, std::nullopt, test::points_along_x(3)}, test::kInkGuid);

  const Scene untextured = loader.load(tilt);
  EXPECT_FALSE(untextured.materials[0].base_color_texture.valid());
  EXPECT_TRUE(has_warning(untextured, "brush textures not available (drawn untextured): Ink"));

  loader.files.urls[url] = test::fake_image(8, 4);
  const Scene textured = loader.load(tilt);
  ASSERT_TRUE(textured.materials[0].base_color_texture.valid());
  EXPECT_EQ(textured.images.at(0).width, 8);
  EXPECT_FALSE(has_warning(textured, "brush textures"));

  // A lit brush's normal map comes with it; it is optional (no warning without it).
  EXPECT_FALSE(textured.materials[0].normal_texture.valid());
  loader.files.urls[tilt_brush_texture_url("Ink", test::kInkGuid, "BumpMap")] = test::fake_image(4, 4);
  const Scene bumped = loader.load(tilt);
  ASSERT_TRUE(bumped.materials[0].normal_texture.valid());
  EXPECT_EQ(bumped.images.at(static_cast<std::size_t>(bumped.materials[0].normal_texture.image)).width, 4);

  loader.files.urls[url] = test::text_bytes("not an image");
  const Scene broken = loader.load(tilt);
  EXPECT_FALSE(broken.materials[0].base_color_texture.valid());
  EXPECT_TRUE(has_warning(broken, "brush texture " + url + ": not an image"));
}

// BrushIndex may name one brush many times, and strokes may use thousands of indices nothing names: each brush is
// one material with its textures decoded once, and every unknown index shares the plain ribbon (not a texture decode
// and a material per index: a few bytes of metadata.json each).
TEST(TiltSketch, ABrushNamedManyTimesIsDecodedOnce) {
  TiltLoader loader;
  loader.files.urls[tilt_brush_texture_url("Ink", test::kInkGuid)] = test::fake_image(8, 4);
  loader.files.urls[tilt_brush_texture_url("Ink", test::kInkGuid, "BumpMap")] = test::fake_image(4, 4);
  const int repeats = 300;
  std::vector<TiltStrokeSpec> strokes;
  for (int i = 0; i < 2 * repeats; ++i)
    strokes.push_back({i, glm::vec4(1.0f), 0.2f, std::nullopt, test::points_along_x(2)});
  const Scene scene = loader.load(test::tilt_file(
      test::tilt_sketch_data(strokes), test::tilt_metadata(std::vector<std::string>(repeats, test::kInkGuid))));
  EXPECT_EQ(scene.triangle_count(), 2u * 2 * repeats);
  EXPECT_EQ(scene.images.size(), 2u);     // Ink's MainTex and BumpMap
  EXPECT_EQ(scene.materials.size(), 2u);  // Ink, and the plain ribbon of indices 300-599
  EXPECT_EQ(scene.meshes.size(), 2u);
  std::string unknown;
  for (const std::string& warning : scene.warnings)
    if (warning.starts_with("unknown brushes")) unknown = warning;
  EXPECT_NE(unknown.find("index 300, "), std::string::npos) << unknown;
  EXPECT_LT(unknown.size(), 400u) << unknown;
}

// The bytes of a sketch holding one stroke of `points` control points (pressure + timestamp each).
Bytes sketch_of(int points) {
  return test::tilt_sketch_data({{0, glm::vec4(1.0f), 0.1f, std::nullopt, test::points_along_x(points)}});
}

void put_u32(Bytes& bytes, std::size_t offset, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

constexpr std::size_t kStrokeCountOffset = 16;
constexpr std::size_t kPointCountOffset = 20 + 4 * 9;  // stroke 0: index, colour, size, masks, flags

TEST(TiltSketch, HostileDataSketchIsRefusedWithItsReason) {
  TiltLoader loader;
  const std::string metadata = test::tilt_metadata({test::kLightGuid});
  auto error_for = [&](const Bytes& sketch) { return loader.error(test::tilt_file(sketch, metadata)); };

  Bytes truncated = sketch_of(10);
  truncated.resize(truncated.size() - 7);
  EXPECT_EQ(error_for(truncated),
            "truncated data.sketch: stroke 0 has 10 control points (360 bytes) but only 353 bytes remain");

  Bytes many_points = sketch_of(2);
  put_u32(many_points, kPointCountOffset, 4'000'000);
  EXPECT_EQ(error_for(many_points),
            "truncated data.sketch: stroke 0 has 4000000 control points (144000000 bytes) but only 72 bytes remain");

  Bytes negative_points = sketch_of(2);
  put_u32(negative_points, kPointCountOffset, 0xffffffffu);
  EXPECT_EQ(error_for(negative_points), "corrupt data.sketch: stroke 0 has -1 control points");

  Bytes many_strokes = sketch_of(2);
  put_u32(many_strokes, kStrokeCountOffset, 0x7fffffffu);
  EXPECT_NE(error_for(many_strokes).find("truncated data.sketch: 2147483647 strokes cannot fit"), std::string::npos);

  Bytes huge_header = sketch_of(2);
  put_u32(huge_header, 12, 0xfffffff0u);
  EXPECT_NE(error_for(huge_header).find("truncated data.sketch: extra header needs 4294967280 bytes"),
            std::string::npos);

  Bytes blob = sketch_of(2);  // a length-prefixed stroke extension (bit 16) claiming 4 GB
  put_u32(blob, 20 + 4 * 6, 0x10001u);
  put_u32(blob, kPointCountOffset, 0xffffffffu);  // read as the blob's length now
  EXPECT_NE(error_for(blob).find("truncated data.sketch: stroke 0 extension 16 needs 4294967295 bytes"),
            std::string::npos);

  Bytes no_sentinel = sketch_of(2);
  no_sentinel[0] ^= 0xff;
  EXPECT_EQ(error_for(no_sentinel), "corrupt data.sketch: no Tilt Brush sentinel (pre-2016 sketch?)");

  EXPECT_NE(error_for({}).find("truncated data.sketch: header needs 4 bytes but only 0 remain"), std::string::npos);

  // Not a zip, and a zip without strokes.
  EXPECT_NE(loader.error(test::text_bytes("tilT and then nothing useful")).find("not a zip archive"),
            std::string::npos);
  EXPECT_EQ(loader.error(test::make_zip({{"metadata.json", test::text_bytes(metadata)}})),
            "not a Tilt Brush sketch: the zip has no data.sketch");
}

TEST(TiltSketch, VertexLimitIsCheckedBeforeBuilding) {
  TiltLoader loader;
  loader.limits.max_vertices = 40;
  const Bytes tubes = one_stroke({0, glm::vec4(1.0f), 0.2f, std::nullopt, test::points_along_x(10)}, test::kIcingGuid);
  EXPECT_EQ(loader.error(tubes), "sketch too large: its strokes make up to 82 vertices (limit 40)");
  const Bytes ribbons = one_stroke({0, glm::vec4(1.0f), 0.2f, std::nullopt, test::points_along_x(30)}, test::kInkGuid);
  EXPECT_EQ(loader.error(ribbons), "data.sketch has more than 20 control points (limit)");
}

TEST(TiltSketch, NonFiniteNumbersDoNotPoisonTheScene) {
  TiltLoader loader;
  std::vector<TiltPoint> points = test::points_along_x(4);
  points[1].position.y = std::nanf("");
  points[2].orientation = glm::vec4(std::numeric_limits<float>::infinity());
  points[3].pressure = std::nanf("");
  const Scene scene =
      loader.load(one_stroke({0, glm::vec4(std::nanf("")), 0.2f, std::nullopt, points}, test::kInkGuid));
  for (const glm::vec3& p : scene.meshes[0].positions) EXPECT_TRUE(std::isfinite(p.x + p.y + p.z));
  // A stroke without a usable size draws nothing; a sketch of nothing is refused as such.
  EXPECT_EQ(loader.error(test::tilt_file(
                test::tilt_sketch_data({{0, glm::vec4(1.0f), std::nanf(""), std::nullopt, test::points_along_x(3)}}),
                test::tilt_metadata({test::kInkGuid}))),
            "no geometry: the model has nothing to draw");
}

}  // namespace
}  // namespace thumbgen::scene
