// The one list of model extensions (scene/model_formats.h).
#include "scene/model_formats.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "scene/gallery_formats.h"
#include "util/ascii.h"

namespace thumbgen::scene {
namespace {

TEST(ModelFormats, ExtensionsAreUniqueLowerCaseAndTypesAreGalleryTypes) {
  std::set<std::string_view> seen;
  const int unknown_rank = gallery_format_rank("NOT-A-TYPE");
  for (const ModelFormat& format : model_formats()) {
    EXPECT_TRUE(seen.insert(format.extension).second) << format.extension;
    EXPECT_EQ(std::string(format.extension), util::to_lower_ascii(format.extension));
    EXPECT_FALSE(format.name.empty()) << format.extension;
    if (!format.gallery_type.empty()) {
      EXPECT_LT(gallery_format_rank(format.gallery_type), unknown_rank) << format.extension;
    }
  }
}

TEST(ModelFormats, LookupIgnoresCaseAndTheDot) {
  ASSERT_NE(model_format_for("GLB"), nullptr);
  EXPECT_EQ(model_format_for(".Glb"), model_format_for("glb"));
  EXPECT_EQ(model_format_for("glb")->gallery_type, "GLB");
  EXPECT_EQ(model_format_for("ksplat")->gallery_type, "KSPLAT");
  EXPECT_EQ(model_format_for("dae")->gallery_type, "");
  for (const char* none : {"", ".", "png", "bin", "mtl", "blend", "gz", "..glb"})
    EXPECT_EQ(model_format_for(none), nullptr) << none;
}

TEST(ModelFormats, WhatThisBuildLoads) {
  EXPECT_TRUE(loadable_in_this_build(*model_format_for("glb")));
  EXPECT_TRUE(loadable_in_this_build(*model_format_for("spz")));
  EXPECT_EQ(loadable_in_this_build(*model_format_for("fbx")), THUMBGEN_WITH_ASSIMP == 1);
  EXPECT_TRUE(loadable_in_this_build(*model_format_for("tilt")));  // raw sketches: scene/tilt_sketch.cpp
  EXPECT_FALSE(loadable_in_this_build(*model_format_for("usdz")));
}

}  // namespace
}  // namespace thumbgen::scene
