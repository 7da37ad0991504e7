#include "cli/file_walk.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace thumbgen::cli {
namespace {
namespace fs = std::filesystem;

class FileWalk : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("thumbgen-file-walk-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    for (const char* file :
         {"models/cars/b.obj", "models/cars/b.mtl", "models/cars/a.glb", "models/cars/a.GLB.png", "models/z.STL",
          "models/duck/duck.gltf", "models/duck/duck0.bin", "models/duck/texture.png", "models/.git/hidden.glb",
          "models/.hidden.obj", "models/splats/s.spz", "models/notes.txt", "models/a/nested/deep/x.ply",
          "models/sketch.tilt", "models/a.obj", "models/a.glb", "loose/thing.dat"}) {
      fs::create_directories((root_ / file).parent_path());
      std::ofstream(root_ / file) << "x";
    }
  }
  void TearDown() override { fs::remove_all(root_); }

  std::vector<std::string> names(const std::vector<ModelFile>& models) {
    std::vector<std::string> result;
    for (const auto& model : models) result.push_back(model.name);
    return result;
  }

  fs::path root_;
};

TEST_F(FileWalk, FindsModelsRecursivelySortedSkippingHiddenAndSideFiles) {
  auto models = collect_model_files({root_ / "models"}, "out", "jpg");
  EXPECT_EQ(names(models),
            (std::vector<std::string>{"a.glb", "a.obj", "a/nested/deep/x.ply", "cars/a.glb", "cars/b.obj",
                                      "duck/duck.gltf", "sketch.tilt", "splats/s.spz", "z.STL"}));
  for (const auto& model : models) EXPECT_TRUE(model.problem.empty()) << model.name << ": " << model.problem;
}

TEST_F(FileWalk, MapsOutputsUnderTheOutputFolderKeepingTheModelExtension) {
  auto models = collect_model_files({root_ / "models"}, "out", "png");
  ASSERT_EQ(models.size(), 9u);
  EXPECT_EQ(models[0].output, fs::path("out/a.glb.png"));
  EXPECT_EQ(models[1].output, fs::path("out/a.obj.png"));  // a.obj and a.glb do not collide
  EXPECT_EQ(models[3].output, fs::path("out/cars/a.glb.png"));
  EXPECT_EQ(models[3].source, root_ / "models/cars/a.glb");
}

TEST_F(FileWalk, ExplicitFilesUseTheirNameAndAnyExtension) {
  auto models = collect_model_files({root_ / "loose/thing.dat", root_ / "models/cars/b.obj"}, "out", "jpg");
  ASSERT_EQ(models.size(), 2u);
  // Several files: named relative to the folder they share.
  EXPECT_EQ(models[0].name, "loose/thing.dat");
  EXPECT_EQ(models[0].output, fs::path("out/loose/thing.dat.jpg"));
  EXPECT_EQ(models[1].name, "models/cars/b.obj");
  EXPECT_EQ(models[1].output, fs::path("out/models/cars/b.obj.jpg"));
  // One file: its own name.
  auto single = collect_model_files({root_ / "models/cars/b.obj"}, "out", "jpg");
  ASSERT_EQ(single.size(), 1u);
  EXPECT_EQ(single[0].output, fs::path("out/b.obj.jpg"));
}

TEST_F(FileWalk, SameFileNameInDifferentFoldersDoesNotClash) {
  auto models = collect_model_files({root_ / "models/a.glb", root_ / "models/cars/a.glb"}, "out", "jpg");
  ASSERT_EQ(models.size(), 2u);
  EXPECT_TRUE(models[0].problem.empty());
  EXPECT_TRUE(models[1].problem.empty());
  EXPECT_EQ(models[0].output, fs::path("out/a.glb.jpg"));
  EXPECT_EQ(models[1].output, fs::path("out/cars/a.glb.jpg"));
}

TEST_F(FileWalk, MissingInputIsReportedNotDropped) {
  auto models = collect_model_files({root_ / "nope.glb", root_ / "models/z.STL"}, "out", "jpg");
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].name, "nope.glb");
  EXPECT_EQ(models[0].problem, "no such file or directory");
  EXPECT_TRUE(models[1].problem.empty());
}

TEST_F(FileWalk, SameModelTwiceIsListedOnceAndNameClashesFail) {
  // models/cars (a folder: its a.glb is named "a.glb") and models/a.glb given twice (one file: also "a.glb").
  auto models = collect_model_files({root_ / "models/cars", root_ / "models/a.glb", root_ / "models/cars/../a.glb"},
                                    "out", "jpg");
  ASSERT_EQ(models.size(), 3u);  // cars/a.glb, cars/b.obj, a.glb (once)
  EXPECT_TRUE(models[0].problem.empty());
  EXPECT_TRUE(models[1].problem.empty());
  EXPECT_NE(models[2].problem.find("already used"), std::string::npos);
}

TEST_F(FileWalk, OrderIsDeterministic) {
  auto first = collect_model_files({root_ / "models"}, "out", "jpg");
  auto second = collect_model_files({root_ / "models"}, "out", "jpg");
  EXPECT_EQ(names(first), names(second));
}

TEST(ModelExtension, KnownFormatsOnlyCaseInsensitive) {
  for (const char* yes : {".glb", ".GLTF", ".obj", ".ply", ".stl", ".fbx", ".dae", ".3ds", ".3mf", ".lwo", ".off", ".x",
                          ".ac", ".spz", ".splat", ".ksplat", ".sog", ".vox", ".tilt"}) {
    EXPECT_TRUE(is_model_extension(yes)) << yes;
  }
  // Gallery formats nothing here reads yet are not picked up (the importer still catalogues them).
  for (const char* no :
       {".bin", ".png", ".jpg", ".mtl", ".txt", ".ktx2", "", ".blend", "glb", ".usdz"}) {
    EXPECT_FALSE(is_model_extension(no)) << no;
  }
}

}  // namespace
}  // namespace thumbgen::cli
