// glTF materials and textures (src/scene/gltf_materials): factors, extensions, samplers, texture transforms, images
// decoded once, textures that cannot be read (warnings), and the Tilt Brush look.
#include "scene/gltf_materials.h"

#include <gtest/gtest.h>

#include "scene/tilt_brush.h"
#include "support/gltf_loading.h"

namespace thumbgen::scene {
namespace {

using nlohmann::json;
using test::add_triangle;
using test::fake_image;
using test::GltfBuilder;
using test::Loader;
using test::single_mesh;
using test::triangle_primitive;

TEST(GltfLoader, MissingTextureIsAWarningNotAFailure) {
  GltfBuilder b = single_mesh(triangle_primitive(0));
  add_triangle(b);
  b.append("images", {{"uri", "../secret.png"}});
  b.append("images", {{"uri", "data:image/png;base64,AAAA"}});  // decodes to bytes the decoder rejects
  b.append("images", {{"uri", "t.ktx2"}, {"mimeType", "image/ktx2"}});
  for (int i = 0; i < 3; ++i) b.append("textures", {{"source", i}});
  b.append("materials", {{"pbrMetallicRoughness", {{"baseColorTexture", {{"index", 0}}}}},
                         {"emissiveTexture", {{"index", 1}}},
                         {"normalTexture", {{"index", 2}}}});
  b.json["meshes"][0]["primitives"][0]["material"] = 0;
  Loader loader;
  const Scene scene = loader.load(b.gltf());
  EXPECT_EQ(scene.triangle_count(), 1u);
  EXPECT_TRUE(scene.images.empty());
  EXPECT_FALSE(scene.materials[0].base_color_texture.valid());
  EXPECT_FALSE(scene.materials[0].normal_texture.valid());
  ASSERT_EQ(scene.warnings.size(), 3u);
  EXPECT_NE(scene.warnings[0].find("leaves the model folder"), std::string::npos);
  EXPECT_NE(scene.warnings[1].find("KTX2"), std::string::npos);  // normalTexture comes before emissiveTexture
  EXPECT_NE(scene.warnings[2].find("not an image"), std::string::npos);
  EXPECT_EQ(loader.decoder.calls, 1);  // KTX2 is not even tried
}

TEST(GltfLoader, DecodesEachImageOnce) {
  GltfBuilder b = single_mesh(triangle_primitive(0));
  add_triangle(b);
  b.append("images", {{"bufferView", b.add_view(fake_image(2, 2))}, {"mimeType", "image/png"}});
  b.append("textures", {{"source", 0}});
  b.append("textures", {{"source", 0}});
  b.append("materials", {{"pbrMetallicRoughness", {{"baseColorTexture", {{"index", 0}}}}}});
  b.append("materials", {{"emissiveTexture", {{"index", 1}}}});
  Loader loader;
  const Scene scene = loader.load(b.glb());
  EXPECT_EQ(loader.decoder.calls, 1);
  ASSERT_EQ(scene.images.size(), 1u);
  EXPECT_EQ(scene.materials[0].base_color_texture.image, 0);
  EXPECT_EQ(scene.materials[1].emissive_texture.image, 0);
}

TEST(GltfLoader, TextureTransformMatrixFollowsTheExtension) {
  const glm::mat3 m = gltf::texture_transform_matrix({0.5f, 0.25f}, 1.5707964f, {2.0f, 3.0f});
  // uv (1, 0): scaled to (2, 0), rotated by +90° (extension GLSL) to (0, 2), offset to (0.5, 2.25).
  const glm::vec3 uv = m * glm::vec3(1, 0, 1);
  EXPECT_NEAR(uv.x, 0.5f, 1e-5f);
  EXPECT_NEAR(uv.y, 2.25f, 1e-5f);
  const glm::vec3 uv2 = m * glm::vec3(0, 1, 1);  // (0, 3) → (-3, 0) → (-2.5, 0.25)
  EXPECT_NEAR(uv2.x, -2.5f, 1e-5f);
  EXPECT_NEAR(uv2.y, 0.25f, 1e-5f);
}

TEST(GltfLoader, ReadsMaterialFactorsAndExtensions) {
  GltfBuilder b = single_mesh(triangle_primitive(0));
  add_triangle(b);
  b.append("images", {{"bufferView", b.add_view(fake_image(2, 2))}, {"mimeType", "image/png"}});
  b.append("samplers", {{"wrapS", 33071}, {"wrapT", 33648}, {"magFilter", 9728}});
  b.append("textures", {{"source", 0}, {"sampler", 0}});
  b.append(
      "materials",
      {{"pbrMetallicRoughness",
        {{"baseColorFactor", {0.1, 0.2, 0.3, 0.4}},
         {"metallicFactor", 0.3},
         {"roughnessFactor", 0.6},
         {"baseColorTexture",
          {{"index", 0}, {"extensions", {{"KHR_texture_transform", {{"offset", {0.5, 0}}, {"texCoord", 1}}}}}}}}},
       {"emissiveFactor", {1, 0.5, 0}},
       {"normalTexture", {{"index", 0}, {"scale", 0.5}}},
       {"occlusionTexture", {{"index", 0}, {"strength", 0.25}}},
       {"alphaMode", "MASK"},
       {"alphaCutoff", 0.3},
       {"doubleSided", true},
       {"extensions",
        {{"KHR_materials_emissive_strength", {{"emissiveStrength", 4.0}}}, {"KHR_materials_unlit", json::object()}}}});
  b.append("materials", {{"alphaMode", "BLEND"},
                         {"extensions",
                          {{"KHR_materials_pbrSpecularGlossiness",
                            {{"diffuseFactor", {0.9, 0.8, 0.7, 1.0}}, {"diffuseTexture", {{"index", 0}}}}}}}});
  Loader loader;
  const Scene scene = loader.load(b.glb());
  ASSERT_EQ(scene.materials.size(), 2u);
  const Material& m = scene.materials[0];
  EXPECT_EQ(m.base_color, glm::vec4(0.1f, 0.2f, 0.3f, 0.4f));
  EXPECT_FLOAT_EQ(m.metallic, 0.3f);
  EXPECT_FLOAT_EQ(m.roughness, 0.6f);
  EXPECT_EQ(m.base_color_texture.image, 0);
  EXPECT_EQ(m.base_color_texture.texcoord, 1);
  EXPECT_EQ(m.base_color_texture.wrap_s, Wrap::ClampToEdge);
  EXPECT_EQ(m.base_color_texture.wrap_t, Wrap::MirroredRepeat);
  EXPECT_TRUE(m.base_color_texture.nearest);
  EXPECT_FLOAT_EQ(m.base_color_texture.transform[2][0], 0.5f);
  EXPECT_EQ(m.normal_texture.transform, glm::mat3(1.0f));
  EXPECT_FLOAT_EQ(m.normal_scale, 0.5f);
  EXPECT_FLOAT_EQ(m.occlusion_strength, 0.25f);
  EXPECT_EQ(m.emissive, glm::vec3(4, 2, 0));
  EXPECT_EQ(m.alpha_mode, AlphaMode::Mask);
  EXPECT_FLOAT_EQ(m.alpha_cutoff, 0.3f);
  EXPECT_TRUE(m.double_sided);
  EXPECT_TRUE(m.unlit);

  const Material& sg = scene.materials[1];
  EXPECT_EQ(sg.alpha_mode, AlphaMode::Blend);
  EXPECT_FLOAT_EQ(sg.base_color.g, 0.8f);
  EXPECT_FLOAT_EQ(sg.metallic, 0.0f);
  EXPECT_EQ(sg.base_color_texture.image, 0);
  EXPECT_FALSE(sg.unlit);
}

TEST(GltfLoader, SpecGlossAssetWithMetalRoughFallbackUsesTheFallbackAndSkipsItsTextures) {
  GltfBuilder b = single_mesh(triangle_primitive(0));
  add_triangle(b);
  for (int i = 0; i < 2; ++i) {
    b.append("images", {{"bufferView", b.add_view(fake_image(2, 2))}, {"mimeType", "image/png"}});
    b.append("textures", {{"source", i}});
  }
  b.append("materials", {{"pbrMetallicRoughness", {{"baseColorTexture", {{"index", 0}}}, {"metallicFactor", 0.7}}},
                         {"extensions",
                          {{"KHR_materials_pbrSpecularGlossiness",
                            {{"diffuseFactor", {0.9, 0.8, 0.7, 1.0}}, {"diffuseTexture", {{"index", 1}}}}}}}});
  Loader loader;
  const Scene scene = loader.load(b.glb());
  ASSERT_EQ(scene.materials.size(), 1u);
  const Material& m = scene.materials[0];
  EXPECT_EQ(m.base_color_texture.image, 0);
  EXPECT_FLOAT_EQ(m.metallic, 0.7f);
  EXPECT_EQ(m.base_color, glm::vec4(1.0f));
  EXPECT_EQ(scene.images.size(), 1u) << "the spec-gloss diffuse texture was decoded for nothing";
}

TEST(GltfLoader, AppliesTiltBrushLookToBrushMaterials) {
  GltfBuilder b = single_mesh(triangle_primitive(0));
  add_triangle(b);
  b.append("materials", {{"name", "brush_Light"}});
  b.append("materials", {{"name", "PlainOldMaterial"}});
  Loader loader;
  const Scene scene = loader.load(b.glb());
  ASSERT_EQ(scene.materials.size(), 2u);
  Material light;
  light.name = "brush_Light";
  ASSERT_TRUE(apply_tilt_brush_look(light));
  EXPECT_EQ(scene.materials[0].alpha_mode, light.alpha_mode);
  EXPECT_EQ(scene.materials[0].unlit, light.unlit);
  EXPECT_EQ(scene.materials[1].alpha_mode, AlphaMode::Opaque);
}

// The brush GUID of GOOGLE_tilt_brush_material decides, whatever the material is called.
TEST(GltfLoader, RecognisesTheBrushByTheGuidOfItsTiltBrushExtension) {
  GltfBuilder b = single_mesh(triangle_primitive(0));
  add_triangle(b);
  b.append(
      "materials",
      {{"name", "material_0"},
       {"alphaMode", "BLEND"},
       {"extensions", {{"GOOGLE_tilt_brush_material", {{"guid", "cb92b597-94ca-4255-b017-0e3f42f12f9e"}}}}}});  // Fire
  b.append(
      "materials",
      {{"name", "brush_Light"},
       {"extensions", {{"GOOGLE_tilt_brush_material", {{"guid", "f5c336cf-5108-4b40-ade9-c687504385ab"}}}}}});  // Ink
  Loader loader;
  const Scene scene = loader.load(b.glb());
  ASSERT_EQ(scene.materials.size(), 2u);
  EXPECT_EQ(scene.materials[0].alpha_mode, AlphaMode::Additive);
  EXPECT_TRUE(scene.materials[0].unlit);
  EXPECT_EQ(scene.materials[1].alpha_mode, AlphaMode::Mask);  // Ink, not Light
  EXPECT_FALSE(scene.materials[1].unlit);
}

}  // namespace
}  // namespace thumbgen::scene
