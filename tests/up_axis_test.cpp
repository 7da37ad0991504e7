// Up axes (scene/up_axis.h): the turns, the format table's Z-up convention as load_scene applies it, and an FBX
// file's declared axes (an FBX written here by assimp's own exporter, its GlobalSettings then set to 3ds Max's
// +Z up, front -Y). The model itself stays in the file's axes; only Scene::upright says how to stand it up.
#include "scene/up_axis.h"

#include <assimp/scene.h>
#include <gtest/gtest.h>

#include <array>
#include <assimp/Exporter.hpp>
#include <assimp/Importer.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

#include "scene/load.h"
#include "scene/model_formats.h"
#include "support/gltf_loading.h"

namespace thumbgen::scene {
namespace {

// Rotations of unit axes are exact to float rounding.
constexpr float kAxisEps = 1e-5f;

// A bar 0.2 × 0.2 × 2 standing along +Z from the origin, as an OBJ (outward-wound quads).
std::string tall_bar_obj() {
  std::ostringstream obj;
  for (float z : {0.0f, 2.0f})
    for (auto [x, y] : {std::pair{-0.1f, -0.1f}, {0.1f, -0.1f}, {0.1f, 0.1f}, {-0.1f, 0.1f}})
      obj << "v " << x << ' ' << y << ' ' << z << '\n';
  obj << "f 1 4 3 2\nf 5 6 7 8\nf 1 2 6 5\nf 2 3 7 6\nf 3 4 8 7\nf 4 1 5 8\n";
  return obj.str();
}

// The same bar as an ASCII STL (the quads split into triangles; STL carries no indices).
std::string tall_bar_stl() {
  const float c[8][3] = {{-0.1f, -0.1f, 0}, {0.1f, -0.1f, 0}, {0.1f, 0.1f, 0}, {-0.1f, 0.1f, 0},
                         {-0.1f, -0.1f, 2}, {0.1f, -0.1f, 2}, {0.1f, 0.1f, 2}, {-0.1f, 0.1f, 2}};
  const int quads[6][4] = {{0, 3, 2, 1}, {4, 5, 6, 7}, {0, 1, 5, 4}, {1, 2, 6, 5}, {2, 3, 7, 6}, {3, 0, 4, 7}};
  std::ostringstream stl;
  stl << "solid bar\n";
  for (const auto& q : quads) {
    for (const auto& t : {std::array{q[0], q[1], q[2]}, std::array{q[0], q[2], q[3]}}) {
      stl << "facet normal 0 0 0\nouter loop\n";
      for (int i : t) stl << "vertex " << c[i][0] << ' ' << c[i][1] << ' ' << c[i][2] << '\n';
      stl << "endloop\nendfacet\n";
    }
  }
  stl << "endsolid bar\n";
  return stl.str();
}

// The bar written by assimp's ASCII FBX exporter (which declares +Y up, front +Z), optionally re-declared as
// 3ds Max's +Z up, front -Y: the geometry is the same bytes either way.
std::string bar_fbx(bool declare_z_up) {
  const std::string obj = tall_bar_obj();
  Assimp::Importer importer;
  const aiScene* scene = importer.ReadFileFromMemory(obj.data(), obj.size(), 0, "obj");
  if (scene == nullptr) throw std::runtime_error(importer.GetErrorString());
  Assimp::Exporter exporter;
  const aiExportDataBlob* blob = exporter.ExportToBlob(scene, "fbxa");
  if (blob == nullptr) throw std::runtime_error(exporter.GetErrorString());
  std::string fbx(static_cast<const char*>(blob->data), blob->size);
  if (declare_z_up) {
    auto set = [&](const std::string& name, int from, int to) {
      const std::string prefix = "P: \"" + name + "\", \"int\", \"Integer\", \"\", ";
      const auto at = fbx.find(prefix + std::to_string(from) + "\n");
      if (at == std::string::npos)
        throw std::runtime_error("the exporter wrote no " + name + " " + std::to_string(from));
      fbx.replace(at, prefix.size() + std::to_string(from).size(), prefix + std::to_string(to));
    };
    set("UpAxis", 1, 2);
    set("FrontAxis", 2, 1);
    set("FrontAxisSign", 1, -1);
  }
  return fbx;
}

// The bar as Tilt Brush exports FBX: its header's SceneInfo names the application (as the real exports do).
std::string tilt_brush_bar_fbx(const std::string& application) {
  std::string fbx = bar_fbx(false);
  const auto at = fbx.find("\tCreator: ");
  if (at == std::string::npos) throw std::runtime_error("the exporter wrote no Creator");
  fbx.insert(at,
             "\tSceneInfo: \"SceneInfo::GlobalInfo\", \"UserData\" {\n\t\tProperties70:  {\n"
             "\t\t\tP: \"Original|ApplicationName\", \"KString\", \"\", \"\", \"" +
                 application + "\"\n\t\t}\n\t}\n");
  return fbx;
}

Scene load(const std::string& name, const std::string& content) {
  test::MemoryFiles files;
  test::FakeDecoder decoder;
  files.files[name] = std::vector<std::uint8_t>(content.begin(), content.end());
  return load_scene(name, files, decoder, LoadLimits{});
}

TEST(UpAxis, NamesParseAndPrint) {
  EXPECT_EQ(parse_up_axis("+Z"), UpAxis::PlusZ);
  EXPECT_EQ(parse_up_axis("z"), UpAxis::PlusZ);
  EXPECT_EQ(parse_up_axis("+y"), UpAxis::PlusY);
  for (const char* bad : {"", "-Z", "+X", "up", "+ZZ"}) EXPECT_FALSE(parse_up_axis(bad)) << bad;
  EXPECT_STREQ(up_axis_name(UpAxis::PlusZ), "+Z");
  EXPECT_STREQ(up_axis_name(UpAxis::PlusY), "+Y");
}

TEST(UpAxis, PlusZUpTurnsZOntoYAndTheZUpFrontTowardsTheDefaultView) {
  const glm::quat turn = upright_rotation(UpAxis::PlusZ);
  test::expect_near(turn * glm::vec3(0, 0, 1), {0, 1, 0}, kAxisEps);
  test::expect_near(turn * glm::vec3(0, -1, 0), {0, 0, 1},
                    kAxisEps);  // Z-up tools' front (-Y) faces the default view (+Z)
  test::expect_near(turn * glm::vec3(1, 0, 0), {1, 0, 0}, kAxisEps);
  const glm::quat none = upright_rotation(UpAxis::PlusY);
  test::expect_near(none * glm::vec3(0.3f, 0.5f, 0.7f), {0.3f, 0.5f, 0.7f}, kAxisEps);
}

TEST(UpAxis, DeclaredAxisSystems) {
  // 3ds Max (and the FBX SDK's "Max" system): +Z up, front -Y, +X right: the same turn as the Z-up convention.
  const auto max = upright_rotation(AxisSystem{2, 1, 1, -1, 0, 1});
  ASSERT_TRUE(max);
  test::expect_near(*max * glm::vec3(0, 0, 1), {0, 1, 0}, kAxisEps);
  test::expect_near(*max * glm::vec3(0, -1, 0), {0, 0, 1}, kAxisEps);
  // The FBX default (+Y up, front +Z, +X): no turn.
  const auto y_up = upright_rotation(AxisSystem{});
  ASSERT_TRUE(y_up);
  test::expect_near(*y_up * glm::vec3(0.3f, 0.5f, 0.7f), {0.3f, 0.5f, 0.7f}, kAxisEps);
  // -Y up (upside down) with front +Z would mirror X if taken whole: the up axis alone is turned.
  const auto down = upright_rotation(AxisSystem{1, -1, 2, 1, 0, 1});
  ASSERT_TRUE(down);
  test::expect_near(*down * glm::vec3(0, -1, 0), {0, 1, 0}, kAxisEps);
  // Nonsense: no turn at all.
  EXPECT_FALSE(upright_rotation(AxisSystem{3, 1, 2, 1, 0, 1}));
  EXPECT_FALSE(upright_rotation(AxisSystem{2, 0, 1, -1, 0, 1}));
}

TEST(UpAxis, TheFormatTableNamesTheZUpFormats) {
  for (const char* z_up : {"stl", "3mf", "amf"}) EXPECT_EQ(model_format_for(z_up)->up, UpAxis::PlusZ) << z_up;
  for (const char* y_up : {"glb", "gltf", "obj", "fbx", "ply", "dae", "spz"})
    EXPECT_EQ(model_format_for(y_up)->up, UpAxis::PlusY) << y_up;
}

TEST(UpAxis, AnStlIsZUpAndKeepsItsOwnAxes) {
  const Scene stl = load("bar.stl", tall_bar_stl());
  ASSERT_TRUE(stl.upright);
  test::expect_near(*stl.upright * glm::vec3(0, 0, 1), {0, 1, 0}, kAxisEps);
  // The geometry itself is as the file has it: still 2 long along Z.
  const Bounds bounds = test::world_bounds(stl);
  EXPECT_NEAR(bounds.size().z, 2.0f, 1e-5f);
  EXPECT_NEAR(bounds.size().y, 0.2f, 1e-5f);
  // The same bar as OBJ (a +Y-up format) is not turned.
  EXPECT_FALSE(load("bar.obj", tall_bar_obj()).upright);
}

TEST(UpAxis, AnFbxDeclaringZUpIsTurnedAndOneDeclaringYUpIsNot) {
  const Scene z_up = load("bar.fbx", bar_fbx(true));
  ASSERT_TRUE(z_up.upright);
  test::expect_near(*z_up.upright * glm::vec3(0, 0, 1), {0, 1, 0}, kAxisEps);
  test::expect_near(*z_up.upright * glm::vec3(0, -1, 0), {0, 0, 1}, kAxisEps);
  EXPECT_NEAR(test::world_bounds(z_up).size().z, 2.0f, 1e-4f);  // assimp leaves the geometry in the file's axes

  const Scene y_up = load("bar.fbx", bar_fbx(false));
  EXPECT_FALSE(y_up.upright);
}

TEST(UpAxis, ATiltBrushFbxIsSeenFromTheArtistsSide) {
  // The artist faced +Z: the sketch's front faces -Z and must come round to the default view's +Z, turning about +Y
  // (not mirrored: +X goes to -X).
  for (const char* application : {"Tilt Brush", "Open Brush"}) {
    const Scene tilt = load("bar.fbx", tilt_brush_bar_fbx(application));
    ASSERT_TRUE(tilt.upright) << application;
    test::expect_near(*tilt.upright * glm::vec3(0, 0, -1), {0, 0, 1}, kAxisEps);
    test::expect_near(*tilt.upright * glm::vec3(0, 1, 0), {0, 1, 0}, kAxisEps);
    test::expect_near(*tilt.upright * glm::vec3(1, 0, 0), {-1, 0, 0}, kAxisEps);
  }
  // Another application's FBX with the same SceneInfo is left as it is.
  EXPECT_FALSE(load("bar.fbx", tilt_brush_bar_fbx("Blender")).upright);
}

}  // namespace
}  // namespace thumbgen::scene
