#include "scene/tilt_brush.h"

#include <gtest/gtest.h>

using thumbgen::scene::AlphaMode;
using thumbgen::scene::Material;
using thumbgen::scene::tilt_brush_look;

TEST(TiltBrush, RecognisesNameVariants) {
  for (const char* name : {"Light", "light", "brush_Light", "material_Light", "ob-Light", "BRUSH_LIGHT",
                           "mesh_Light_2241cd32-8ba2-48a5-9ee7-2caef7e9ed62_0_0",
                           "Light-2241cd32-8ba2-48a5-9ee7-2caef7e9ed62-v10.0-MainTex.png"}) {
    const auto look = tilt_brush_look(name);
    ASSERT_TRUE(look.has_value()) << name;
    EXPECT_EQ(look->alpha_mode, AlphaMode::Additive) << name;
    EXPECT_TRUE(look->unlit) << name;
  }
}

TEST(TiltBrush, RecognisesGuidsAnywhere) {
  // Tilt Brush glTF 1.0 names materials after the GUID only.
  auto look = tilt_brush_look("material_2241cd32-8ba2-48a5-9ee7-2caef7e9ed62");
  ASSERT_TRUE(look);
  EXPECT_EQ(look->alpha_mode, AlphaMode::Additive);
  look = tilt_brush_look("CB92B597-94CA-4255-B017-0E3F42F12F9E");  // Fire, upper case
  ASSERT_TRUE(look);
  EXPECT_EQ(look->alpha_mode, AlphaMode::Additive);
  look = tilt_brush_look("f5c336cf-5108-4b40-ade9-c687504385ab");  // Ink
  ASSERT_TRUE(look);
  EXPECT_EQ(look->alpha_mode, AlphaMode::Mask);
  EXPECT_FALSE(look->unlit);
}

TEST(TiltBrush, KnownBrushLooks) {
  EXPECT_EQ(tilt_brush_look("brush_Fire")->alpha_mode, AlphaMode::Additive);
  EXPECT_EQ(tilt_brush_look("brush_Rainbow")->alpha_mode, AlphaMode::Additive);
  EXPECT_EQ(tilt_brush_look("brush_Highlighter")->alpha_mode, AlphaMode::Additive);
  EXPECT_EQ(tilt_brush_look("brush_OilPaint")->alpha_mode, AlphaMode::Mask);
  EXPECT_EQ(tilt_brush_look("brush_Flat")->alpha_mode, AlphaMode::Opaque);
  EXPECT_FALSE(tilt_brush_look("brush_Flat")->unlit);
  EXPECT_TRUE(tilt_brush_look("brush_Flat")->double_sided);
  EXPECT_TRUE(tilt_brush_look("brush_Marker")->unlit);
  EXPECT_EQ(tilt_brush_look("Toon")->alpha_mode, AlphaMode::Opaque);
  EXPECT_TRUE(tilt_brush_look("Toon")->unlit);
  EXPECT_FALSE(tilt_brush_look("ShinyHull")->double_sided);
  EXPECT_TRUE(tilt_brush_look("Rising Bubbles").has_value());
  EXPECT_TRUE(tilt_brush_look("rising_bubbles").has_value());
  EXPECT_TRUE(tilt_brush_look("Ink_1").has_value());
}

TEST(TiltBrush, RejectsOtherNames) {
  for (const char* name : {"", "Material", "Material.001", "phong1", "Effect-Texture", "brush_", "Lightning",
                           "00000000-0000-0000-0000-000000000000", "DefaultMaterial"})
    EXPECT_FALSE(tilt_brush_look(name).has_value()) << name;
}

TEST(TiltBrush, ApplySetsTheMaterial) {
  Material material;
  material.name = "brush_Fire";
  ASSERT_TRUE(apply_tilt_brush_look(material));
  EXPECT_EQ(material.alpha_mode, AlphaMode::Additive);
  EXPECT_TRUE(material.unlit);
  EXPECT_TRUE(material.double_sided);
  EXPECT_EQ(material.metallic, 0.0f);

  Material plain;
  plain.name = "Wood";
  EXPECT_FALSE(apply_tilt_brush_look(plain));
  EXPECT_EQ(plain.alpha_mode, AlphaMode::Opaque);
}
