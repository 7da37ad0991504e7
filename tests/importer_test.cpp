// `thumbgen import`: folders of models and Icosa-API-shaped JSON, both idempotent.
#include "server/importer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "support/gltf_writer.h"
#include "support/process.h"
#include "support/scene_builders.h"
#include "support/scratch_dir.h"
#include "support/test_database.h"

namespace thumbgen::server {
namespace {

namespace fs = std::filesystem;

// An ASCII FBX nesting 100,000 scopes: assimp's recursive parser overflows its stack on it (SIGSEGV).
std::string deep_fbx() {
  std::string scopes = "; FBX 7.4.0 project file\n";
  for (int i = 0; i < 100'000; ++i) scopes += "A: {";
  return scopes + std::string(100'000, '}');
}

class ImporterTest : public ::testing::TestWithParam<test::Backend> {
 protected:
  void SetUp() override {
    std::string test_name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : test_name) c = c == '/' ? '_' : c;  // Name/Sqlite: one folder
    dir_ = fs::temp_directory_path() / ("thumbgen-import-" + std::to_string(::getpid()) + "-" + test_name);
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "models" / "duck" / "textures");
    database_ = std::make_unique<test::TestDatabase>(GetParam(), dir_);
    catalogue_ = std::make_unique<Catalogue>(database_->target(), 1);
  }
  void TearDown() override {
    catalogue_.reset();
    database_.reset();
    fs::remove_all(dir_);
  }
  void write(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }
  MissingPage all() {
    MissingQuery query;
    query.viewer_compatible_only = false;
    query.limit = 100;
    return catalogue_->list_missing(query);
  }
  fs::path dir_;
  std::unique_ptr<test::TestDatabase> database_;
  std::unique_ptr<Catalogue> catalogue_;
};
INSTANTIATE_TEST_SUITE_P(Backends, ImporterTest, test::kBothBackends, test::backend_name);

TEST_P(ImporterTest, FolderImportDetectsFormatsByContentAndIsIdempotent) {
  test::SimpleAsset cube;
  cube.meshes.push_back(test::unit_cube());
  cube.nodes.push_back({.mesh = 0, .matrix = glm::mat4(1.0f), .children = {}});
  std::vector<std::uint8_t> glb = test::write_glb(cube);
  std::ofstream(dir_ / "models" / "cube.glb", std::ios::binary)
      .write(reinterpret_cast<const char*>(glb.data()), glb.size());
  write(dir_ / "models" / "duck" / "duck.obj", "mtllib duck.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
  write(dir_ / "models" / "duck" / "duck.mtl", "newmtl a\nmap_Kd textures/a.png\n");
  write(dir_ / "models" / "duck" / "textures" / "a.png", "png");
  write(dir_ / "models" / "notes.txt", "not a model");
  write(dir_ / "models" / ".hidden.glb", "glTF");

  ImportSummary first = import_folder(*catalogue_, dir_ / "models");
  EXPECT_EQ(first.inserted, 2);
  EXPECT_TRUE(first.skipped.empty());
  MissingPage page = all();
  ASSERT_EQ(page.assets.size(), 2u);
  std::map<std::string, std::string> types;
  for (const auto& item : page.assets) types[item.name] = item.formats.at(0).format_type;
  EXPECT_EQ(types["cube"], "GLB");
  EXPECT_EQ(types["duck"], "OBJ");
  std::string duck_url = asset_url_for("duck/duck.obj");
  EXPECT_TRUE(catalogue_->find_served_file(duck_url, "duck.mtl"));
  EXPECT_TRUE(catalogue_->find_served_file(duck_url, "textures/a.png"));
  EXPECT_FALSE(catalogue_->find_served_file(duck_url, "../cube.glb"));

  ImportSummary again = import_folder(*catalogue_, dir_ / "models");
  EXPECT_EQ(again.inserted, 0);
  EXPECT_EQ(again.updated, 0);
  EXPECT_EQ(again.unchanged, 2);
  EXPECT_EQ(catalogue_->count_assets(), 2);
}

// The format type follows the document's own asset.version, even when "asset" comes after the first 64 KiB.
TEST_P(ImporterTest, GltfGenerationIsReadFromTheAssetVersion) {
  test::SimpleAsset cube;
  cube.meshes.push_back(test::unit_cube());
  std::string late = test::write_gltf(cube);
  late.insert(1, R"("extras": {"padding": ")" + std::string(100000, 'x') + R"("}, )");
  write(dir_ / "late.gltf", late);
  write(dir_ / "old.gltf", R"({"asset": {"version": "1.0"}, "meshes": {}})");
  write(dir_ / "broken.gltf", R"({"meshes": [)");
  EXPECT_EQ(detect_format_type(dir_ / "late.gltf"), "GLTF2");
  EXPECT_EQ(detect_format_type(dir_ / "old.gltf"), "GLTF1");
  EXPECT_EQ(detect_format_type(dir_ / "broken.gltf"), "GLTF1");  // as the head suggests; rendering says why
}

// Which files are models comes from scene/model_formats.h: gallery formats nothing renders yet are catalogued by
// their extension, other model files are neither assets without a gallery type nor side files of a neighbour.
TEST_P(ImporterTest, ModelFilesFollowTheFormatTable) {
  write(dir_ / "models" / "cloud.ksplat", "ksplat bytes");
  write(dir_ / "models" / "cubes.vox", "VOX ");
  write(dir_ / "models" / "scene.usdz", "PK");
  write(dir_ / "models" / "not-a.ply", "binary junk");
  write(dir_ / "models" / "duck" / "duck.obj", "mtllib duck.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
  write(dir_ / "models" / "duck" / "duck.dae", "<COLLADA/>");
  write(dir_ / "models" / "duck" / "duck.3ds", "3ds");
  write(dir_ / "models" / "duck" / "duck.mtl", "newmtl a\nmap_Kd duck.png\n");
  write(dir_ / "models" / "duck" / "duck.png", "png");
  EXPECT_EQ(detect_format_type(dir_ / "models" / "cloud.ksplat"), "KSPLAT");
  EXPECT_EQ(detect_format_type(dir_ / "models" / "cubes.vox"), "VOX");
  EXPECT_EQ(detect_format_type(dir_ / "models" / "scene.usdz"), "USDZ");
  EXPECT_EQ(detect_format_type(dir_ / "models" / "not-a.ply"), "");          // its content says it is no PLY
  EXPECT_EQ(detect_format_type(dir_ / "models" / "duck" / "duck.dae"), "");  // no gallery type

  ImportSummary summary = import_folder(*catalogue_, dir_ / "models");
  EXPECT_EQ(summary.inserted, 4);
  const std::string duck = asset_url_for("duck/duck.obj");
  EXPECT_TRUE(catalogue_->find_served_file(duck, "duck.png"));
  EXPECT_FALSE(catalogue_->find_served_file(duck, "duck.dae"));
  EXPECT_FALSE(catalogue_->find_served_file(duck, "duck.3ds"));
}

TEST_P(ImporterTest, UrlsAreStableReadableAndDistinct) {
  EXPECT_EQ(asset_url_for("a/b.glb"), asset_url_for("a/b.glb"));
  EXPECT_NE(asset_url_for("a/b.glb"), asset_url_for("a-b.glb"));
  EXPECT_TRUE(asset_url_for("Cars/Duck.glb").starts_with("cars-duck-glb-"));
}

TEST_P(ImporterTest, JsonImportIsLenientAndIdempotent) {
  nlohmann::json document = nlohmann::json::parse(R"({
    "assets": [
      {"assetId": "abc", "name": "Chair", "authorName": "Ann",
       "formats": [
         {"formatType": "OBJ", "root": {"url": "https://cdn/x.obj"}, "resources": [{"url": "https://cdn/x.mtl"}]},
         {"formatType": "GLB", "root": {"url": "https://cdn/x.glb"}}]},
      {"url": "https://gallery.example/view/def", "id": "9007199254740993", "name": "Big",
       "formats": [{"format_type": "TILT", "root_url": "https://cdn/y.tilt"}]},
      {"url": "has-thumb", "thumbnail": {"url": "https://cdn/t.jpg"},
       "formats": [{"formatType": "GLB", "root": "https://cdn/z.glb"}]},
      {"name": "no id"},
      42
    ]})");
  ImportSummary summary = import_json(*catalogue_, document);
  EXPECT_EQ(summary.inserted, 3);
  EXPECT_EQ(summary.skipped.size(), 2u);
  EXPECT_EQ(catalogue_->find_asset("def")->id, 9007199254740993);
  MissingPage page = all();
  ASSERT_EQ(page.assets.size(), 2u);  // has-thumb has a thumbnail
  for (const auto& item : page.assets) {
    if (item.url == "abc") {
      EXPECT_EQ(item.owner_displayname, "Ann");
      ASSERT_EQ(item.formats.size(), 2u);
      EXPECT_EQ(item.formats[0].format_type, "GLB");  // preferred first
      EXPECT_TRUE(item.formats[0].is_preferred);
    }
  }
  MissingQuery viewer_only;
  EXPECT_EQ(catalogue_->list_missing(viewer_only).total_count, 1);  // the TILT asset is not viewer-compatible
  ImportSummary again = import_json(*catalogue_, document);
  EXPECT_EQ(again.unchanged, 3);
  EXPECT_EQ(again.inserted + again.updated, 0);
}

TEST_P(ImporterTest, JsonImportRefusesRootsItCouldNeverServe) {
  nlohmann::json document = nlohmann::json::parse(R"({
    "assets": [
      {"assetId": "relative", "formats": [{"formatType": "GLB", "root": {"relativePath": "model.glb"}}]},
      {"assetId": "traversal", "formats": [{"formatType": "OBJ", "root": "../../etc/passwd"}]},
      {"assetId": "mixed", "formats": [{"formatType": "GLB", "root": {"url": "https://cdn/m.glb"}},
                                       {"formatType": "OBJ", "root": "/srv/m.obj"}]},
      {"assetId": "other-scheme", "formats": [{"formatType": "GLB", "root": "file:///srv/m.glb"}]},
      {"assetId": "fine", "formats": [{"formatType": "GLB",
                                       "root": {"url": "https://cdn/f.glb", "relativePath": "f.glb"}}]}
    ]})");
  ImportSummary summary = import_json(*catalogue_, document);
  EXPECT_EQ(summary.inserted, 1);
  ASSERT_EQ(summary.skipped.size(), 4u);
  EXPECT_NE(summary.skipped[0].find("assets[0] (relative): format GLB root \"model.glb\" is not an http(s) URL"),
            std::string::npos)
      << summary.skipped[0];
  EXPECT_NE(summary.skipped[0].find("thumbgen import DIR"), std::string::npos);
  EXPECT_NE(summary.skipped[2].find("/srv/m.obj"), std::string::npos) << summary.skipped[2];
  EXPECT_FALSE(catalogue_->find_asset("relative"));
  EXPECT_FALSE(catalogue_->find_asset("mixed"));  // never half a record
  MissingPage page = all();
  ASSERT_EQ(page.assets.size(), 1u);
  EXPECT_EQ(page.assets[0].formats.at(0).root, "https://cdn/f.glb");  // the url wins over relativePath
}

// A model's side-file list is never cut: up to kMaxSideFiles referenced files are published, one more refuses the
// model with the reason (the old importer kept the first 2000 files it happened to list and dropped the rest).
TEST_P(ImporterTest, AModelReferencingTooManyFilesIsRefusedWithTheReason) {
  auto write_model = [&](const fs::path& folder, int textures) {
    fs::create_directories(folder);
    write(folder / "many.obj", "mtllib many.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
    std::string mtl;
    for (int i = 0; i < textures; ++i) {
      mtl += "newmtl m" + std::to_string(i) + "\nmap_Kd t" + std::to_string(i) + ".png\n";
      write(folder / ("t" + std::to_string(i) + ".png"), "png");
    }
    write(folder / "many.mtl", mtl);
  };
  write_model(dir_ / "models" / "at-cap", 1999);  // the MTL and 1999 textures: 2000 side files
  write_model(dir_ / "models" / "over-cap", 2000);
  ImportSummary summary = import_folder(*catalogue_, dir_ / "models");
  EXPECT_EQ(summary.inserted, 1);
  EXPECT_TRUE(catalogue_->find_served_file(asset_url_for("at-cap/many.obj"), "t1998.png"));
  EXPECT_FALSE(catalogue_->find_asset(asset_url_for("over-cap/many.obj")));
  ASSERT_EQ(summary.skipped.size(), 1u);
  EXPECT_NE(summary.skipped[0].find("over-cap/many.obj"), std::string::npos) << summary.skipped[0];
  EXPECT_NE(summary.skipped[0].find("2001 files"), std::string::npos) << summary.skipped[0];
  EXPECT_NE(summary.skipped[0].find("at most 2000"), std::string::npos) << summary.skipped[0];
}

// Reference discovery stops listing after its bound: the model is refused too, not published with a partial list.
TEST_P(ImporterTest, AModelWhoseReferencesCannotAllBeListedIsRefused) {
  nlohmann::json images = nlohmann::json::array();
  for (int i = 0; i < 10'001; ++i) images.push_back({{"uri", "missing-" + std::to_string(i) + ".png"}});
  write(dir_ / "models" / "crowd.gltf", nlohmann::json{{"asset", {{"version", "2.0"}}}, {"images", images}}.dump());
  ImportSummary summary = import_folder(*catalogue_, dir_ / "models");
  EXPECT_EQ(summary.inserted, 0);
  ASSERT_EQ(summary.skipped.size(), 1u);
  EXPECT_NE(summary.skipped[0].find("crowd.gltf: so many references"), std::string::npos) << summary.skipped[0];
}

// Reference discovery hands FBX to Debian's assimp, which is not hardened: an ASCII FBX nesting 100,000 scopes
// overflows the stack of its recursive parser, and that crash took the whole import down. Discovery runs in a child
// process: such a model is imported with its main file only and a warning naming the reason, the next model as
// usual. The fuzzers' assimp hang (a "plY" file) is no PLY by its content, so no model: never handed to assimp.
TEST_P(ImporterTest, AModelWhoseReferenceDiscoveryCrashesPublishesItsMainFileOnly) {
  write(dir_ / "models" / "deep.fbx", deep_fbx());
  write(dir_ / "models" / "duck" / "duck.obj", "mtllib duck.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
  write(dir_ / "models" / "duck" / "duck.mtl", "newmtl a\nmap_Kd textures/a.png\n");
  write(dir_ / "models" / "duck" / "textures" / "a.png", "png");
  fs::copy_file(fs::path(THUMBGEN_SOURCE_DIR) / "fuzz/third-party/assimp-timeout-references.bin",
                dir_ / "models" / "hang.ply");
  ImportOptions options;
  options.references_timeout = std::chrono::seconds(20);  // ample: the crash ends the child at once

  ImportSummary summary = import_folder(*catalogue_, dir_ / "models", options);
  EXPECT_EQ(summary.inserted, 2);
  EXPECT_TRUE(summary.skipped.empty());
  const std::string duck = asset_url_for("duck/duck.obj");
  EXPECT_TRUE(catalogue_->find_served_file(duck, "duck.mtl"));
  EXPECT_TRUE(catalogue_->find_served_file(duck, "textures/a.png"));
  const std::string deep = asset_url_for("deep.fbx");
  EXPECT_TRUE(catalogue_->find_served_file(deep, "deep.fbx"));
  ASSERT_EQ(summary.warnings.size(), 1u);
  EXPECT_TRUE(summary.warnings[0].starts_with("deep.fbx: reference discovery crashed (signal 11, SIGSEGV"))
      << summary.warnings[0];
  EXPECT_TRUE(summary.warnings[0].ends_with(": only the model file is published")) << summary.warnings[0];
  EXPECT_FALSE(catalogue_->find_asset(asset_url_for("hang.ply")));
}

// A model whose discovery outlasts --references-timeout (assimp tokenising a 4 MB ASCII FBX, against 1 ms) is
// killed at the timeout and imported with its main file only; the import goes on.
TEST_P(ImporterTest, AModelWhoseReferenceDiscoveryTimesOutPublishesItsMainFileOnly) {
  std::string properties = "; FBX 7.4.0 project file\n";
  for (int i = 0; i < 200'000; ++i) properties += "P: 1,2,3,4,5,6,7,8\n";
  write(dir_ / "models" / "big.fbx", properties);
  write(dir_ / "models" / "tri.obj", "mtllib tri.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
  write(dir_ / "models" / "tri.mtl", "newmtl a\n");
  ImportOptions options;
  options.references_timeout = std::chrono::milliseconds(1);

  ImportSummary summary = import_folder(*catalogue_, dir_ / "models", options);
  EXPECT_EQ(summary.inserted, 2);
  EXPECT_TRUE(catalogue_->find_served_file(asset_url_for("big.fbx"), "big.fbx"));
  // Thumbgen's own OBJ scanner runs in the importer, unbounded by the timeout.
  EXPECT_TRUE(catalogue_->find_served_file(asset_url_for("tri.obj"), "tri.mtl"));
  ASSERT_EQ(summary.warnings.size(), 1u);
  EXPECT_EQ(summary.warnings[0],
            "big.fbx: reference discovery timed out after 0.001 s: only the model file is published");
}

// The same through the command, which forks the discovery children itself; --references-timeout is checked first.
TEST(ImportCommand, ReferenceDiscoveryCrashesAreWarningsAndTheTimeoutIsAnOption) {
  const test::ScratchDir scratch("import-command");
  const fs::path models = scratch.path() / "models";
  fs::create_directories(models);
  std::ofstream(models / "deep.fbx", std::ios::binary) << deep_fbx();
  std::ofstream(models / "tri.obj", std::ios::binary) << "mtllib tri.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n";
  std::ofstream(models / "tri.mtl", std::ios::binary) << "newmtl a\n";
  const std::string data = (scratch.path() / "data").string();

  const test::ProcessResult bad =
      test::run_process({THUMBGEN_BINARY, "import", models.string(), "--data", data, "--references-timeout", "soon"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--references-timeout: expected a duration"), std::string::npos) << bad.err;

  const test::ProcessResult run =
      test::run_process({THUMBGEN_BINARY, "import", models.string(), "--data", data, "--references-timeout", "20s"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find(": 2 added"), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("warning deep.fbx: reference discovery crashed (signal 11, SIGSEGV"), std::string::npos)
      << run.err;
}

// A JSON record's thumbnail may be an http(s) URL, or a stored key under the record's own prefix; a key of another
// asset (thumbs/<other id>/...) would make an upload to this asset delete that asset's thumbnail, so it is ignored
// with a warning and the asset is listed as missing its thumbnail.
TEST_P(ImporterTest, JsonThumbnailNamingAnotherAssetsStoredKeyIsIgnoredWithAWarning) {
  const std::string sha(64, 'a');
  nlohmann::json document = {{"assets",
                              {{{"id", 1}, {"url", "thief"}, {"thumbnail", "thumbs/2/" + sha + ".jpg"}},
                               {{"id", 2}, {"url", "owner"}, {"thumbnail", {{"url", "thumbs/2/" + sha + ".jpg"}}}},
                               {{"url", "no-id"}, {"thumbnail", "thumbs/3/" + sha + ".jpg"}},
                               {{"id", 4}, {"url", "remote"}, {"thumbnail", {{"url", "https://cdn.example/t.jpg"}}}},
                               {{"id", 5}, {"url", "odd"}, {"thumbnail", "../../keys"}}}}};
  ImportSummary summary = import_json(*catalogue_, document);
  EXPECT_EQ(summary.inserted, 5);
  EXPECT_FALSE(catalogue_->thumbnail_of(1)) << *catalogue_->thumbnail_of(1);
  EXPECT_EQ(catalogue_->thumbnail_of(2), "thumbs/2/" + sha + ".jpg");  // its own prefix
  EXPECT_FALSE(catalogue_->thumbnail_of(catalogue_->find_asset("no-id")->id));
  EXPECT_EQ(catalogue_->thumbnail_of(4), "https://cdn.example/t.jpg");
  EXPECT_FALSE(catalogue_->thumbnail_of(5));
  ASSERT_EQ(summary.warnings.size(), 3u);
  EXPECT_NE(summary.warnings[0].find("assets[0] (thief)"), std::string::npos) << summary.warnings[0];
  EXPECT_NE(summary.warnings[0].find("thumbs/2/"), std::string::npos) << summary.warnings[0];
  EXPECT_NE(summary.warnings[0].find("ignored"), std::string::npos) << summary.warnings[0];
}

}  // namespace
}  // namespace thumbgen::server
