// Brush textures served from an operator folder in the two layouts it may have: a mirror of the export URLs
// (<Name>-<guid>/<Name>-<guid>-v10.0-MainTex.png) and a copy of the Tilt Brush Toolkit's brush folders
// (<family>/<Brush>/<Brush>.asset with m_Guid / m_DurableName, next to the brush's PNGs).
#include "platform/brush_texture_folder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "platform/folder_access.h"
#include "scene/brush_texture_names.h"
#include "scene/load_error.h"
#include "support/scratch_dir.h"

namespace fs = std::filesystem;
using thumbgen::platform::BrushTextureFolder;
using thumbgen::platform::FolderAccess;
using thumbgen::scene::BrushTextureKind;

namespace {

constexpr const char* kInkGuid = "f5c336cf-5108-4b40-ade9-c687504385ab";
constexpr const char* kOldInkGuid = "c0012095-3ffd-4040-8ee1-fc180d346eaa";

std::string export_url(const std::string& brush, const std::string& guid, const std::string& kind) {
  const std::string folder = brush + "-" + guid;
  return "https://www.tiltbrush.com/shaders/brushes/" + folder + "/" + folder + "-v10.0-" + kind + ".png";
}

void write_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::string as_string(const std::vector<std::uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

// A toolkit brush descriptor as Unity writes it (the fields the folder reads, among others).
std::string asset_text(const std::string& guid, const std::string& durable_name) {
  return "%YAML 1.1\n--- !u!114 &11400000\nMonoBehaviour:\n  m_Name: " + durable_name +
         "_15\n  m_Guid:\n    m_storage: " + guid + "\n  m_DurableName: " + durable_name + "\n  m_IsParticle: 0\n";
}

class BrushTextureFolderTest : public ::testing::Test {
 protected:
  thumbgen::test::ScratchDir scratch_{"brush-textures"};
  fs::path root_ = scratch_.path();
};

}  // namespace

TEST(BrushTextureNames, ParsesExportFileNamesAndPaths) {
  const auto file = thumbgen::scene::parse_brush_texture_file(std::string("Ink-") + kInkGuid + "-v10.0-MainTex.png");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->brush, "Ink");
  EXPECT_EQ(file->guid, kInkGuid);
  EXPECT_EQ(file->kind, BrushTextureKind::MainTex);
  EXPECT_EQ(thumbgen::scene::parse_brush_texture_file("Rising Bubbles-A8147CE1-005E-ABE4-88E8-09A1EAADCC89-v10.0-"
                                                      "BumpMap.png")
                ->guid,
            "a8147ce1-005e-abe4-88e8-09a1eaadcc89");
  EXPECT_EQ(thumbgen::scene::parse_brush_texture_file(std::string("Ink-") + kInkGuid + "-v10.0-vertex.glsl")->kind,
            BrushTextureKind::Other);
  EXPECT_FALSE(thumbgen::scene::parse_brush_texture_file("maintexture.png"));

  EXPECT_EQ(thumbgen::scene::brush_texture_path(export_url("Ink", kInkGuid, "MainTex")),
            std::string("Ink-") + kInkGuid + "/Ink-" + kInkGuid + "-v10.0-MainTex.png");
  EXPECT_EQ(thumbgen::scene::brush_texture_path("HTTPS://h/x/Shaders/Brushes/Rising%20Bubbles-x/a.png?v=1"),
            "Rising Bubbles-x/a.png");
  // Not a brush texture URL, or a path that could leave a folder or name something odd: no path.
  for (const char* url :
       {"https://h/textures/a.png", "https://h/shaders/brushes/", "https://h/shaders/brushes/../x.png",
        "https://h/shaders/brushes/a/../../x.png", "https://h/shaders/brushes/a/b/c.png",
        "https://h/shaders/brushes/.hidden.png", "https://h/shaders/brushes/a%2F..%2Fb.png",
        "https://h/shaders/brushes/a%00.png", "https://h/shaders/brushes/a\\b.png", "file:///x"}) {
    EXPECT_FALSE(thumbgen::scene::brush_texture_path(url)) << url;
  }
  EXPECT_EQ(thumbgen::scene::toolkit_texture_kind("maintexture_normal.png"), BrushTextureKind::BumpMap);
  EXPECT_EQ(thumbgen::scene::toolkit_texture_kind("streakystroke_bump.png"), BrushTextureKind::BumpMap);
  EXPECT_EQ(thumbgen::scene::toolkit_texture_kind("gradient.png"), BrushTextureKind::Other);
  EXPECT_EQ(thumbgen::scene::toolkit_texture_kind("fire.png"), BrushTextureKind::MainTex);
}

TEST_F(BrushTextureFolderTest, MirrorLayoutServesTheUrlPathAndFlatFoldersTheFileName) {
  const std::string ink = std::string("Ink-") + kInkGuid;
  write_file(root_ / "mirror" / ink / (ink + "-v10.0-MainTex.png"), "ink main");
  write_file(root_ / "mirror" / ink / (ink + "-v10.0-BumpMap.png"), "ink bump");
  BrushTextureFolder mirror(root_ / "mirror", 1000);
  EXPECT_EQ(as_string(mirror.read(export_url("Ink", kInkGuid, "MainTex"))), "ink main");
  EXPECT_EQ(as_string(mirror.read(export_url("Ink", kInkGuid, "BumpMap"))), "ink bump");
  EXPECT_FALSE(mirror.find(export_url("Light", "2241cd32-8ba2-48a5-9ee7-2caef7e9ed62", "MainTex")));

  write_file(root_ / "flat" / (ink + "-v10.0-MainTex.png"), "flat ink");
  BrushTextureFolder flat(root_ / "flat", 1000);
  EXPECT_EQ(as_string(flat.read(export_url("Ink", kInkGuid, "MainTex"))), "flat ink");
}

TEST_F(BrushTextureFolderTest, ToolkitLayoutMatchesByGuidThenByDurableName) {
  const fs::path toolkit = root_ / "toolkit";
  write_file(toolkit / "Basic" / "Ink" / "Ink_15.asset", asset_text(kInkGuid, "Ink"));
  write_file(toolkit / "Basic" / "Ink" / "maintexture.png", "ink main");
  write_file(toolkit / "Basic" / "Ink" / "maintexture_normal.png", "ink normal");
  // A single-sided variant: same durable name, another GUID, no textures of its own.
  write_file(toolkit / "Basic" / "InkSingleSided" / "Ink_0.asset", asset_text(kOldInkGuid, "Ink"));
  // Comet: a colour ramp next to its main texture.
  write_file(toolkit / "Basic" / "Comet" / "Comet_16.asset",
             asset_text("1caa6d7d-f015-3f54-3a4b-8b5354d39f81", "Comet"));
  write_file(toolkit / "Basic" / "Comet" / "gradient.png", "ramp");
  write_file(toolkit / "Basic" / "Comet" / "main.png", "comet main");
  write_file(toolkit / "Basic" / "Fire" / "Fire.asset", asset_text("cb92b597-94ca-4255-b017-0e3f42f12f9e", "Fire"));
  write_file(toolkit / "Basic" / "Fire" / "fire.png", "fire");
  BrushTextureFolder folder(toolkit, 1000);

  EXPECT_EQ(as_string(folder.read(export_url("Ink", kInkGuid, "MainTex"))), "ink main");
  EXPECT_EQ(as_string(folder.read(export_url("Ink", kInkGuid, "BumpMap"))), "ink normal");
  // The older GUID's folder has no textures: the durable name finds the brush's.
  EXPECT_EQ(as_string(folder.read(export_url("Ink", kOldInkGuid, "MainTex"))), "ink main");
  // A GUID the toolkit does not know (another version), same name.
  EXPECT_EQ(as_string(folder.read(export_url("Ink", "00000000-1111-2222-3333-444444444444", "MainTex"))), "ink main");
  EXPECT_EQ(as_string(folder.read(export_url("Comet", "1caa6d7d-f015-3f54-3a4b-8b5354d39f81", "MainTex"))),
            "comet main");
  EXPECT_EQ(as_string(folder.read(export_url("Fire", "cb92b597-94ca-4255-b017-0e3f42f12f9e", "MainTex"))), "fire");
  // Fire has no normal map, Light no folder at all: not served (a warning when rendering, never another file).
  EXPECT_FALSE(folder.find(export_url("Fire", "cb92b597-94ca-4255-b017-0e3f42f12f9e", "BumpMap")));
  EXPECT_FALSE(folder.find(export_url("Light", "2241cd32-8ba2-48a5-9ee7-2caef7e9ed62", "MainTex")));
  EXPECT_THROW(folder.read(export_url("Light", "2241cd32-8ba2-48a5-9ee7-2caef7e9ed62", "MainTex")),
               thumbgen::scene::LoadError);
}

TEST_F(BrushTextureFolderTest, NothingOutsideTheFolderIsRead) {
  const fs::path toolkit = root_ / "toolkit";
  const fs::path outside = root_ / "outside";
  write_file(outside / "Ink" / "Ink_15.asset", asset_text(kInkGuid, "Ink"));
  write_file(outside / "Ink" / "maintexture.png", "secret");
  write_file(outside / "Ink-x" / (std::string("Ink-") + kInkGuid + "-v10.0-MainTex.png"), "secret");
  fs::create_directories(toolkit);
  // A symlinked brush folder leading out, and a symlinked texture next to a real descriptor.
  fs::create_directory_symlink(outside / "Ink", toolkit / "Linked");
  write_file(toolkit / "Basic" / "Ink" / "Ink_15.asset", asset_text(kInkGuid, "Ink"));
  fs::create_symlink(outside / "Ink" / "maintexture.png", toolkit / "Basic" / "Ink" / "maintexture.png");
  fs::create_directory_symlink(outside / "Ink-x", toolkit / "Ink-x");
  BrushTextureFolder folder(toolkit, 1000);
  for (const std::string& url :
       {export_url("Ink", kInkGuid, "MainTex"),
        std::string("https://h/shaders/brushes/Ink-x/Ink-") + kInkGuid + "-v10.0-MainTex.png",
        std::string("https://h/shaders/brushes/../outside/Ink-x/Ink-") + kInkGuid + "-v10.0-MainTex.png"}) {
    EXPECT_FALSE(folder.find(url)) << url;
  }
}

TEST_F(BrushTextureFolderTest, ModelFolderAccessServesUrlsThroughIt) {
  write_file(root_ / "model" / "scene.gltf", "main");
  write_file(root_ / "toolkit" / "Basic" / "Ink" / "Ink.asset", asset_text(kInkGuid, "Ink"));
  write_file(root_ / "toolkit" / "Basic" / "Ink" / "maintexture.png", "ink main");
  FolderAccess files(root_ / "model", 1000, std::make_shared<BrushTextureFolder>(root_ / "toolkit", 1000));
  EXPECT_TRUE(files.exists(export_url("Ink", kInkGuid, "MainTex")));
  EXPECT_EQ(as_string(files.read(export_url("Ink", kInkGuid, "MainTex"))), "ink main");
  EXPECT_FALSE(files.exists(export_url("Ink", kInkGuid, "BumpMap")));
  EXPECT_THROW(files.read("ftp://h/shaders/brushes/Ink/maintexture.png"), thumbgen::scene::LoadError);
}

// Tilt Brush FBX exports name a brush's texture "<Brush>.png" next to the model; without the file there, the brush
// texture folder's main texture of that brush stands in (by durable name, toolkit or mirror layout).
TEST_F(BrushTextureFolderTest, AMissingBrushNamedTextureOfAnFbxExportComesFromTheFolder) {
  write_file(root_ / "model" / "sketch.fbx", "main");
  write_file(root_ / "model" / "Ink.png", "the model's own ink");
  write_file(root_ / "toolkit" / "Basic" / "Paper" / "Paper_15.asset",
             asset_text("f1114e2e-eb8d-4fde-915a-6e653b54e9f5", "Paper"));
  write_file(root_ / "toolkit" / "Basic" / "Paper" / "main.png", "paper main");
  write_file(root_ / "toolkit" / "Basic" / "Paper" / "bump.png", "paper bump");
  write_file(root_ / "toolkit" / "Basic" / "Ink" / "Ink.asset", asset_text(kInkGuid, "Ink"));
  write_file(root_ / "toolkit" / "Basic" / "Ink" / "maintexture.png", "toolkit ink");
  const std::string fire = "Fire-cb92b597-94ca-4255-b017-0e3f42f12f9e";
  write_file(root_ / "toolkit" / fire / (fire + "-v10.0-MainTex.png"), "mirrored fire");
  FolderAccess files(root_ / "model", 1000, std::make_shared<BrushTextureFolder>(root_ / "toolkit", 1000));
  EXPECT_EQ(as_string(files.read("Paper.png")), "paper main");
  EXPECT_EQ(as_string(files.read("C:\\Users\\someone\\Tilt Brush\\Exports\\Untitled_31\\Paper.png")), "paper main");
  EXPECT_EQ(as_string(files.read("Fire.png")), "mirrored fire");
  EXPECT_EQ(as_string(files.read("Ink.png")), "the model's own ink");  // the model's file comes first
  EXPECT_TRUE(files.exists("Paper.png"));
  EXPECT_FALSE(files.exists("Nothing.png"));
  EXPECT_THROW(files.read("Nothing.png"), thumbgen::scene::LoadError);
  EXPECT_THROW(files.read("Paper.jpg"), thumbgen::scene::LoadError);
  // Without a brush texture folder nothing stands in.
  FolderAccess plain(root_ / "model", 1000);
  EXPECT_THROW(plain.read("Paper.png"), thumbgen::scene::LoadError);
}
