// The whole pipeline on files: load → frame → render → quality gate → encode, and its camera fall-backs.
#include "platform/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <glm/gtc/matrix_transform.hpp>

#include "platform/texture_decoder.h"
#include "render/encode.h"
#include "support/gltf_writer.h"

namespace fs = std::filesystem;
using namespace thumbgen;

namespace {

class Pipeline : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pipeline_ = new platform::ThumbnailPipeline(); }
  static void TearDownTestSuite() { delete pipeline_; }
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("thumbgen-pipeline-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    options_.view.width = 320;
    options_.view.height = 180;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::vector<std::uint8_t>& bytes) {
    std::ofstream(dir_ / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return dir_ / name;
  }

  // A unit cube seen by one authored camera at `eye` looking at `target`.
  fs::path cube_with_camera(const std::string& name, glm::vec3 eye, glm::vec3 target) {
    test::SimpleAsset asset;
    asset.meshes.push_back(test::unit_cube());
    asset.cameras.push_back({});
    asset.nodes.push_back({.mesh = 0, .camera = -1, .matrix = glm::mat4(1.0f), .children = {}});
    asset.nodes.push_back(
        {.mesh = -1, .camera = 0, .matrix = glm::inverse(glm::lookAt(eye, target, {0, 1, 0})), .children = {}});
    return write(name, test::write_glb(asset));
  }

  static platform::ThumbnailPipeline* pipeline_;
  fs::path dir_;
  platform::JobOptions options_;
};
platform::ThumbnailPipeline* Pipeline::pipeline_ = nullptr;

bool has_warning(const platform::JobResult& result, const std::string& part) {
  for (const auto& warning : result.warnings) {
    if (warning.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_F(Pipeline, RendersAndEncodesAJpeg) {
  test::SimpleAsset asset;
  asset.meshes.push_back(test::unit_cube());
  const platform::JobResult result = pipeline_->run(write("cube.glb", test::write_glb(asset)), options_);
  ASSERT_TRUE(result.ok) << result.reason;
  ASSERT_GT(result.encoded.size(), 3u);
  EXPECT_EQ(result.encoded[0], 0xFF);
  EXPECT_EQ(result.encoded[1], 0xD8);
  EXPECT_EQ(result.detected_format, "glTF 2.0 (GLB)");
  EXPECT_EQ(result.triangles, 12u);
}

TEST_F(Pipeline, AuthoredCameraThatFramesTheModelIsKept) {
  const platform::JobResult result = pipeline_->run(cube_with_camera("good.glb", {0, 0, 3}, {0, 0, 0}), options_);
  ASSERT_TRUE(result.ok) << result.reason;
  EXPECT_FALSE(has_warning(result, "own camera"));
}

TEST_F(Pipeline, AuthoredCameraLookingAwayFallsBackToAutoFraming) {
  const platform::JobResult result = pipeline_->run(cube_with_camera("away.glb", {0, 0, 3}, {0, 0, 10}), options_);
  ASSERT_TRUE(result.ok) << result.reason;
  EXPECT_TRUE(has_warning(result, "showed nothing useful"));
}

TEST_F(Pipeline, FarAwayAuthoredCameraIsReframedAlongItsDirection) {
  const platform::JobResult result = pipeline_->run(cube_with_camera("far.glb", {0, 0, 60}, {0, 0, 0}), options_);
  ASSERT_TRUE(result.ok) << result.reason;
  EXPECT_TRUE(has_warning(result, "left the model small"));
}

TEST_F(Pipeline, CorruptFileFailsWithItsReason) {
  const platform::JobResult result = pipeline_->run(write("bad.glb", {'g', 'l', 'T', 'F', 2, 0, 0, 0}), options_);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.reason.find("GLB"), std::string::npos) << result.reason;
}

// A JSON parse error quotes the token it stopped in: for a truncated data URI that is the rest of the file. The
// reason stays one readable line (logs, JSON records and the catalogue keep it).
TEST_F(Pipeline, ReasonsQuotingHugeInputsAreCut) {
  test::SimpleAsset asset;
  asset.meshes.push_back(test::unit_cube());
  asset.meshes[0].texture.assign(200000, 'x');
  std::string text = test::write_gltf(asset);
  text.resize(text.size() / 2);  // cut inside the image's data URI
  const platform::JobResult result = pipeline_->run(write("cut.gltf", {text.begin(), text.end()}), options_);
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.reason.starts_with("invalid glTF JSON: ")) << result.reason.substr(0, 200);
  EXPECT_LE(result.reason.size(), 303u);
  EXPECT_TRUE(result.reason.ends_with("...")) << result.reason;
}

TEST_F(Pipeline, MissingFileFails) {
  const platform::JobResult result = pipeline_->run(dir_ / "nothing.glb", options_);
  EXPECT_FALSE(result.ok);
  EXPECT_FALSE(result.reason.empty());
}

TEST_F(Pipeline, LoadOnlyParsesWithoutRendering) {
  test::SimpleAsset asset;
  asset.meshes.push_back(test::unit_cube());
  const platform::JobResult result =
      platform::ThumbnailPipeline::load_only(write("c.glb", test::write_glb(asset)), options_);
  EXPECT_TRUE(result.ok) << result.reason;
  EXPECT_TRUE(result.encoded.empty());
}

// Tilt Brush exports name brush textures by URL; an operator's brush texture folder stands in for the web.
TEST_F(Pipeline, BrushTextureUrlsAreServedFromTheBrushTextureFolder) {
  scene::Image red{4, 4, std::vector<std::uint8_t>(4 * 4 * 4)};
  for (std::size_t i = 0; i < red.rgba.size(); i += 4) red.rgba[i] = red.rgba[i + 3] = 255;
  test::SimpleAsset asset;
  asset.meshes.push_back(test::unit_cube());
  asset.meshes[0].texture = render::encode_image(red, render::ImageFormat::Png, 100);
  asset.meshes[0].unlit = true;
  test::GltfBuilder builder = test::build(asset);
  const std::string url = "https://www.tiltbrush.com/shaders/brushes/Ink-f5c336cf/Ink-f5c336cf-v10.0-MainTex.png";
  builder.json["images"][0] = {{"uri", url}};
  const std::string gltf = builder.gltf();
  const fs::path model = write("stroke.gltf", std::vector<std::uint8_t>(gltf.begin(), gltf.end()));
  const fs::path brushes = dir_ / "brushes";
  fs::create_directories(brushes);
  write("brushes/Ink-f5c336cf-v10.0-MainTex.png", asset.meshes[0].texture);

  auto centre_colour = [&](const platform::JobResult& result) {
    EXPECT_TRUE(result.ok) << result.reason;
    const scene::Image image = platform::TextureDecoder().decode(result.encoded, 0);
    const std::size_t centre = (static_cast<std::size_t>(image.height / 2) * image.width + image.width / 2) * 4;
    return glm::ivec3(image.rgba[centre], image.rgba[centre + 1], image.rgba[centre + 2]);
  };
  options_.format = render::ImageFormat::Png;
  const glm::ivec3 untextured = centre_colour(pipeline_->run(model, options_));
  EXPECT_GT(untextured.g, 200);  // white: the URL is refused and the texture left out
  options_.brush_texture_folder = brushes;
  const glm::ivec3 textured = centre_colour(pipeline_->run(model, options_));
  EXPECT_GT(textured.r, 200);
  EXPECT_LT(textured.g, 40);
  EXPECT_LT(textured.b, 40);
}
