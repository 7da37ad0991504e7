#include "platform/folder_access.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include "platform/brush_texture_folder.h"
#include "scene/file_list.h"
#include "scene/file_names.h"
#include "scene/load_error.h"

namespace fs = std::filesystem;
using thumbgen::platform::BrushTextureFolder;
using thumbgen::platform::FolderAccess;
using thumbgen::scene::LoadError;

namespace {

void write_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::string as_string(const std::vector<std::uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

// A model folder with nested files, a sibling folder outside it and symlinks pointing out.
class FolderAccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("thumbgen_folder_access_" + std::to_string(std::random_device{}()));
    model_ = root_ / "model";
    write_file(model_ / "scene.gltf", "main");
    write_file(model_ / "textures" / "Wood.PNG", "wood");
    write_file(model_ / "a" / "tex.png", "a");
    write_file(model_ / "b" / "tex.png", "b");
    write_file(model_ / "big.bin", std::string(2000, 'x'));
    write_file(root_ / "outside" / "secret.txt", "secret");
    write_file(root_ / "model2" / "neighbour.txt", "neighbour");
    fs::create_symlink(root_ / "outside" / "secret.txt", model_ / "link_out.txt");
    fs::create_directory_symlink(root_ / "outside", model_ / "dir_link");
    fs::create_symlink(model_ / "textures" / "Wood.PNG", model_ / "link_in.png");
  }
  void TearDown() override { fs::remove_all(root_); }

  void expect_error(std::string_view name, const std::string& reason) {
    FolderAccess files(model_, 1000);
    try {
      files.read(name);
      FAIL() << "read(" << name << ") should have failed";
    } catch (const LoadError& e) {
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
    }
    EXPECT_FALSE(files.exists(name)) << name;
  }

  fs::path root_, model_;
};

TEST_F(FolderAccessTest, ReadsFilesRelativeToTheFolder) {
  FolderAccess files(model_, 1000);
  EXPECT_EQ(as_string(files.read("scene.gltf")), "main");
  EXPECT_EQ(as_string(files.read("textures/Wood.PNG")), "wood");
  EXPECT_EQ(as_string(files.read("./textures/../textures/Wood.PNG")), "wood");
  EXPECT_EQ(as_string(files.read("link_in.png")), "wood");  // a symlink that stays inside is fine
  EXPECT_TRUE(files.exists("textures/Wood.PNG"));
}

TEST_F(FolderAccessTest, AbsolutePathInsideTheFolderIsRead) {
  FolderAccess files(model_, 1000);
  EXPECT_EQ(as_string(files.read((model_ / "textures" / "Wood.PNG").string())), "wood");
}

TEST_F(FolderAccessTest, RefusesPathsThatLeaveTheFolder) {
  expect_error("../outside/secret.txt", "outside the model folder");
  expect_error("textures/../../outside/secret.txt", "outside the model folder");
  expect_error((root_ / "outside" / "secret.txt").string(), "outside the model folder");
  expect_error("/etc/passwd", "outside the model folder");
  expect_error("../model2/neighbour.txt", "outside the model folder");  // a sibling sharing the name prefix
}

TEST_F(FolderAccessTest, RefusesSymlinksThatPointOutside) {
  expect_error("link_out.txt", "outside the model folder");
  expect_error("dir_link/secret.txt", "outside the model folder");
  // The name fallback never finds files reached only through links out of the folder.
  expect_error("secret.txt", "not found");
}

TEST_F(FolderAccessTest, RefusesUrlsAndNulBytes) {
  for (const char* url : {"http://example.com/a.png", "https://example.com/tex.png", "file:///etc/passwd",
                          "ftp://host/Wood.PNG", "HTTPS://host/Wood.PNG"})
    expect_error(url, "URLs are not allowed");
  expect_error(std::string_view("Wood.PNG\0.txt", 13), "NUL");
}

TEST_F(FolderAccessTest, FindsWindowsPathsByFileName) {
  FolderAccess files(model_, 1000);
  EXPECT_EQ(as_string(files.read("C:\\Users\\artist\\Desktop\\wood.png")), "wood");
  EXPECT_EQ(as_string(files.read("C:/Users/artist/WOOD.png")), "wood");
  EXPECT_EQ(as_string(files.read("\\\\server\\share\\Wood.PNG")), "wood");
  EXPECT_EQ(as_string(files.read("textures\\Wood.PNG")), "wood");
  EXPECT_TRUE(files.exists("D:\\x\\wood.png"));
}

TEST_F(FolderAccessTest, FindsFilesByNameIgnoringCase) {
  FolderAccess files(model_, 1000);
  EXPECT_EQ(as_string(files.read("TEXTURES/wood.png")), "wood");
  EXPECT_EQ(as_string(files.read("maps/wood.png")), "wood");
  // A path from the author's machine resolves by name, inside the folder only.
  EXPECT_EQ(as_string(files.read("/home/artist/project/Wood.png")), "wood");
  EXPECT_EQ(as_string(files.read("../elsewhere/wood.png")), "wood");
}

TEST_F(FolderAccessTest, PrefersTheSameNamedFileWhoseFoldersMatch) {
  FolderAccess files(model_, 1000);
  EXPECT_EQ(as_string(files.read("D:\\project\\b\\tex.png")), "b");
  EXPECT_EQ(as_string(files.read("D:\\project\\A\\TEX.PNG")), "a");
}

TEST_F(FolderAccessTest, ReportsMissingAndDirectories) {
  expect_error("missing.png", "missing.png: not found");
  expect_error("textures", "not found");
  expect_error("", "not found");
}

TEST_F(FolderAccessTest, RefusesFilesOverTheSizeLimit) {
  expect_error("big.bin", "big.bin: too large (2000 bytes, limit 1000)");
  FolderAccess roomy(model_, 2000);
  EXPECT_EQ(roomy.read("big.bin").size(), 2000u);
}

// The browser build and reference discovery resolve over a list of names (scene::FileList): apart from symlinks,
// which only the disk can follow, they find the same file or fail with the same message.
TEST_F(FolderAccessTest, ResolvesLikeTheSameRulesOverItsListOfNames) {
  FolderAccess files(model_, 10'000);
  const thumbgen::scene::FileList listed(files.file_names(), files.folder().generic_string());
  EXPECT_EQ(listed.names(), (std::vector<std::string>{"a/tex.png", "b/tex.png", "big.bin", "link_in.png", "scene.gltf",
                                                      "textures/Wood.PNG"}));
  for (const std::string& name : std::vector<std::string>{"scene.gltf",
                                                          "textures/Wood.PNG",
                                                          "./textures/../textures/Wood.PNG",
                                                          "TEXTURES/wood.png",
                                                          "maps/wood.png",
                                                          "C:\\Users\\artist\\WOOD.png",
                                                          "\\\\server\\share\\Wood.PNG",
                                                          "D:\\project\\b\\tex.png",
                                                          "D:\\project\\A\\TEX.PNG",
                                                          "tex.png",
                                                          "/home/artist/Wood.png",
                                                          "../elsewhere/wood.png",
                                                          "../outside/secret.txt",
                                                          "/etc/passwd",
                                                          "missing.png",
                                                          "textures",
                                                          "",
                                                          "https://example.com/tex.png",
                                                          (model_ / "textures" / "Wood.PNG").string(),
                                                          "link_in.png",
                                                          "tex.png/"}) {
    const thumbgen::scene::FileLookup lookup = listed.resolve(name);
    if (lookup.found()) {
      EXPECT_EQ(files.read(name), files.read(lookup.file)) << name;
    } else {
      try {
        files.read(name);
        ADD_FAILURE() << name << " resolves on disk but not in the list";
      } catch (const LoadError& e) {
        EXPECT_EQ(e.what(), thumbgen::scene::file_error(name, lookup.problem)) << name;
      }
    }
  }
}

}  // namespace

TEST_F(FolderAccessTest, WebUrlsAreServedByFileNameFromTheBrushTextureFolder) {
  const fs::path brushes = root_ / "brushes";
  write_file(brushes / "Ink-f5c336cf" / "Ink-f5c336cf-v10.0-MainTex.png", "ink");
  FolderAccess files(model_, 1000, std::make_shared<BrushTextureFolder>(brushes, 1000));
  EXPECT_EQ(
      as_string(files.read("https://www.tiltbrush.com/shaders/brushes/Ink-f5c336cf/Ink-f5c336cf-v10.0-MainTex.png")),
      "ink");
  EXPECT_EQ(as_string(files.read("HTTP://host/elsewhere/Ink-f5c336cf-v10.0-MainTex.png?v=2#x")), "ink");
  EXPECT_EQ(as_string(files.read("scene.gltf")), "main");  // model files as before
  for (const char* missing :
       {"https://www.tiltbrush.com/shaders/brushes/Other/Other-MainTex.png", "https://host", "https://host/"}) {
    try {
      files.read(missing);
      FAIL() << missing << " should not resolve";
    } catch (const LoadError& e) {
      EXPECT_NE(std::string(e.what()).find("not found"), std::string::npos) << e.what();
    }
  }
  // Other schemes stay refused, and nothing outside either folder is reachable through a URL.
  EXPECT_THROW(files.read("file:///etc/passwd"), LoadError);
  EXPECT_THROW(files.read("https://host/../outside/secret.txt"), LoadError);
  EXPECT_THROW(files.read("https://host/secret.txt"), LoadError);
}
