// The pure file-name rules every FileAccess shares (scene/file_names.h) and their use over a list of names
// (scene/file_list.h, what the browser build and reference discovery resolve against).
#include "scene/file_names.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scene/file_list.h"

namespace thumbgen::scene {
namespace {

TEST(FileNames, UrlSchemesAreNotWindowsDrives) {
  for (const char* url : {"http://x/a.png", "HTTPS://x", "file:///etc/passwd", "ftp:x",
                          "data:image/png;base64,AA==", "svn+ssh://host/a", "x-y.z:stuff"})
    EXPECT_TRUE(has_url_scheme(url)) << url;
  for (const char* name : {"C:\\Users\\a.png", "c:/a.png", "a.png", "textures/a:b.png", "1ab:c", ":x", "a b:c", ""})
    EXPECT_FALSE(has_url_scheme(name)) << name;
  EXPECT_TRUE(is_web_url("HTTP://host/a"));
  EXPECT_TRUE(is_web_url("https://host/a"));
  EXPECT_FALSE(is_web_url("ftp://host/a"));
  EXPECT_FALSE(is_web_url("file:///a"));
}

TEST(FileNames, UrlFileNameDropsQueryAndFragment) {
  EXPECT_EQ(url_file_name("https://www.tiltbrush.com/shaders/brushes/Ink-f5c3/Ink-f5c3-v10.0-MainTex.png"),
            "Ink-f5c3-v10.0-MainTex.png");
  EXPECT_EQ(url_file_name("http://host/a/b.png?v=2#top"), "b.png");
  EXPECT_EQ(url_file_name("https://host"), "");
  EXPECT_EQ(url_file_name("https://host/"), "");
}

TEST(FileNames, UrisArePercentDecodedUnlessMalformed) {
  EXPECT_EQ(uri_to_file_name("my%20texture%2Epng"), "my texture.png");
  EXPECT_EQ(uri_to_file_name("%e2%9c%93"), "\xe2\x9c\x93");
  EXPECT_EQ(uri_to_file_name("100%"), "100%");  // a malformed escape: the name as written
  EXPECT_EQ(uri_to_file_name("a%zzb%20c"), "a%zzb%20c");
  EXPECT_EQ(uri_to_file_name("a%00b"), "a%00b");  // never a NUL byte
}

TEST(FileNames, FileNameOfAndSlashes) {
  EXPECT_EQ(file_name_of("a/b\\c.png"), "c.png");
  EXPECT_EQ(file_name_of("c.png"), "c.png");
  EXPECT_EQ(with_forward_slashes("C:\\x\\y.png"), "C:/x/y.png");
  EXPECT_TRUE(is_foreign_absolute("C:/x"));
  EXPECT_TRUE(is_foreign_absolute("C:"));
  EXPECT_TRUE(is_foreign_absolute("//server/share/x"));
  EXPECT_FALSE(is_foreign_absolute("C:x"));
  EXPECT_FALSE(is_foreign_absolute("/home/x"));
}

TEST(FileNames, OneMessagePerProblem) {
  EXPECT_EQ(file_error("", FileProblem::EmptyName), "(empty file name): not found");
  EXPECT_EQ(file_error(std::string_view("a\0b", 3), FileProblem::NulByte), "a\\0b: invalid file name (NUL byte)");
  EXPECT_EQ(file_error("http://x/a", FileProblem::Url),
            "http://x/a: URLs are not allowed, only files in the model folder");
  EXPECT_EQ(file_error("../a", FileProblem::Outside), "../a: outside the model folder");
  EXPECT_EQ(file_error("a.png", FileProblem::NotFound), "a.png: not found");
  EXPECT_EQ(file_too_large_error("big.bin", 2000, 1000), "big.bin: too large (2000 bytes, limit 1000)");
  EXPECT_EQ(name_problem(""), FileProblem::EmptyName);
  EXPECT_EQ(name_problem(std::string_view("a\0", 2)), FileProblem::NulByte);
  EXPECT_EQ(name_problem("https://x/a.png"), FileProblem::Url);
  EXPECT_EQ(name_problem("C:\\a.png"), std::nullopt);
}

TEST(FileNames, LocatesNamesInTheModelFolder) {
  using Place = ModelPath::Place;
  auto expect = [](std::string_view name, std::string_view folder, Place place, std::string_view path) {
    const ModelPath located = locate_in_model_folder(name, folder);
    EXPECT_EQ(located.place, place) << name;
    EXPECT_EQ(located.path, path) << name;
  };
  expect("a/./b/../c.png", "", Place::Inside, "a/c.png");
  expect("textures\\wood.png", "", Place::Inside, "textures/wood.png");
  expect("./a//b.png", "", Place::Inside, "a/b.png");
  expect("../x.png", "", Place::Outside, "../x.png");
  expect("a/../../x.png", "", Place::Outside, "a/../../x.png");
  expect("/etc/passwd", "", Place::Outside, "/etc/passwd");
  expect("/etc/passwd", "/models/duck", Place::Outside, "/etc/passwd");
  expect("/models/duck/tex/a.png", "/models/duck", Place::Inside, "tex/a.png");
  expect("/models/duck/../duck/a.png", "/models/duck/", Place::Inside, "a.png");
  expect("/models/duckling/a.png", "/models/duck", Place::Outside, "/models/duckling/a.png");
  expect("/models/duck/a.png", "models/duck", Place::Outside, "/models/duck/a.png");  // a relative folder
  expect("C:\\Users\\x\\a.png", "", Place::Foreign, "C:/Users/x/a.png");
  expect("\\\\server\\share\\a.png", "", Place::Foreign, "//server/share/a.png");
}

TEST(FileNames, BestByFileNamePrefersTheLongestMatchingPath) {
  const std::vector<std::string> candidates = {"/m/a/tex.png", "/m/b/tex.png", "/m/textures/Wood.PNG", "/m/x.png"};
  EXPECT_EQ(best_by_file_name("D:/project/b/tex.png", candidates), 1u);
  EXPECT_EQ(best_by_file_name("D:/project/A/TEX.PNG", candidates), 0u);
  EXPECT_EQ(best_by_file_name("wood.png", candidates), 2u);
  EXPECT_EQ(best_by_file_name("C:/Users/x/WOOD.png", candidates), 2u);
  EXPECT_EQ(best_by_file_name("tex.png/", candidates), 0u);
  EXPECT_EQ(best_by_file_name("missing.png", candidates), std::nullopt);
  EXPECT_EQ(best_by_file_name("a/..", candidates), std::nullopt);
  EXPECT_EQ(best_by_file_name("", candidates), std::nullopt);
}

TEST(FileNames, BestByFileNameBreaksTiesByDepthThenComponents) {
  // No folder matches: the shallowest wins, then the first by components (not by characters: "a" < "a-b").
  const std::vector<std::string> deep_first = {"m/deep/er/t.png", "m/z/t.png", "m/t.png"};
  EXPECT_EQ(best_by_file_name("q/t.png", deep_first), 2u);
  const std::vector<std::string> same_depth = {"m/a-b/t.png", "m/a/t.png"};
  EXPECT_EQ(best_by_file_name("q/t.png", same_depth), 1u);
  // The model folder's own name counts: an author's path naming it picks the file at the top of the folder.
  const std::vector<std::string> nested = {"/r/model/model/tex.png", "/r/model/tex.png"};
  EXPECT_EQ(best_by_file_name("C:/work/r/model/tex.png", nested), 1u);
  EXPECT_EQ(best_by_file_name("C:/work/model/model/tex.png", nested), 0u);
}

// The cases of folder_access_test.cpp, over a list of names instead of a folder on disk.
class FileListTest : public ::testing::Test {
 protected:
  FileList files_{{"scene.gltf", "textures/Wood.PNG", "a/tex.png", "b/tex.png", "big.bin"}, "/root/model"};

  std::string resolved(std::string_view name) {
    const FileLookup lookup = files_.resolve(name);
    return lookup.found() ? lookup.file : file_error(name, lookup.problem);
  }
};

TEST_F(FileListTest, ListedNamesResolveToThemselves) {
  EXPECT_EQ(resolved("scene.gltf"), "scene.gltf");
  EXPECT_EQ(resolved("textures/Wood.PNG"), "textures/Wood.PNG");
  EXPECT_EQ(resolved("./textures/../textures/Wood.PNG"), "textures/Wood.PNG");
  EXPECT_EQ(resolved("/root/model/textures/Wood.PNG"), "textures/Wood.PNG");
}

TEST_F(FileListTest, NamesThatDoNotResolveFallBackByFileName) {
  EXPECT_EQ(resolved("C:\\Users\\artist\\Desktop\\wood.png"), "textures/Wood.PNG");
  EXPECT_EQ(resolved("\\\\server\\share\\Wood.PNG"), "textures/Wood.PNG");
  EXPECT_EQ(resolved("TEXTURES/wood.png"), "textures/Wood.PNG");
  EXPECT_EQ(resolved("/home/artist/project/Wood.png"), "textures/Wood.PNG");
  EXPECT_EQ(resolved("../elsewhere/wood.png"), "textures/Wood.PNG");
  EXPECT_EQ(resolved("D:\\project\\b\\tex.png"), "b/tex.png");
  EXPECT_EQ(resolved("D:\\project\\A\\TEX.PNG"), "a/tex.png");
  EXPECT_EQ(resolved("tex.png"), "a/tex.png");  // two equally good: the first by components, never a refusal
}

TEST_F(FileListTest, RefusalsSayWhy) {
  EXPECT_EQ(resolved("../outside/secret.txt"), "../outside/secret.txt: outside the model folder");
  EXPECT_EQ(resolved("/etc/passwd"), "/etc/passwd: outside the model folder");
  EXPECT_EQ(resolved("missing.png"), "missing.png: not found");
  EXPECT_EQ(resolved("textures"), "textures: not found");
  EXPECT_EQ(resolved(""), "(empty file name): not found");
  EXPECT_EQ(resolved("https://example.com/tex.png"),
            "https://example.com/tex.png: URLs are not allowed, only files in the model folder");
  EXPECT_EQ(resolved("file:///etc/passwd"), "file:///etc/passwd: URLs are not allowed, only files in the model folder");
  EXPECT_EQ(resolved(std::string_view("Wood.PNG\0.txt", 13)), "Wood.PNG\\0.txt: invalid file name (NUL byte)");
}

TEST(FileList, NamesAreNormalisedAndThoseLeavingTheFolderDropped) {
  const FileList files({"b\\c.png", "./a.png", "../x.png", "/abs.png", "a.png", "d/../e.png", ""});
  EXPECT_EQ(files.names(), (std::vector<std::string>{"a.png", "b/c.png", "e.png"}));
  EXPECT_EQ(files.resolve("b/c.png").file, "b/c.png");
  EXPECT_FALSE(files.resolve("x.png").found());
}

}  // namespace
}  // namespace thumbgen::scene
