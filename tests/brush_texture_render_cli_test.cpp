// `thumbgen render --brush-textures https://host/prefix/`, end to end: the real binary, a tiny file server on
// 127.0.0.2 as the gallery's mirror of the brush textures, models that name their brush texture by the export URL.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "platform/texture_decoder.h"
#include "render/encode.h"
#include "support/gltf_writer.h"
#include "support/process.h"
#include "support/scratch_dir.h"
#include "support/tiny_http_server.h"

namespace thumbgen {
namespace {

namespace fs = std::filesystem;
using test::TinyHttpServer;

constexpr const char* kInk = "Ink-f5c336cf-5108-4b40-ade9-c687504385ab";
constexpr const char* kLight = "Light-2241cd32-8ba2-48a5-9ee7-2caef7e9ed62";

std::string texture_path(const std::string& brush) { return brush + "/" + brush + "-v10.0-MainTex.png"; }

std::string red_png() {
  scene::Image red{4, 4, std::vector<std::uint8_t>(4 * 4 * 4)};
  for (std::size_t i = 0; i < red.rgba.size(); i += 4) red.rgba[i] = red.rgba[i + 3] = 255;
  const std::vector<std::uint8_t> png = render::encode_image(red, render::ImageFormat::Png, 100);
  return {png.begin(), png.end()};
}

// An unlit white cube whose texture is the brush's, named by the URL an export writes.
void write_stroke_model(const fs::path& file, const std::string& brush) {
  test::SimpleAsset asset;
  asset.meshes.push_back(test::unit_cube());
  const std::string png = red_png();
  asset.meshes[0].texture.assign(png.begin(), png.end());
  asset.meshes[0].unlit = true;
  test::GltfBuilder builder = test::build(asset);
  builder.json["images"][0] = {{"uri", "https://www.tiltbrush.com/shaders/brushes/" + texture_path(brush)}};
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << builder.gltf();
}

glm::ivec3 centre_colour(const fs::path& png_file) {
  std::ifstream in(png_file, std::ios::binary);
  const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  const scene::Image image = platform::TextureDecoder().decode(bytes, 0);
  const std::size_t centre = (static_cast<std::size_t>(image.height / 2) * image.width + image.width / 2) * 4;
  return {image.rgba[centre], image.rgba[centre + 1], image.rgba[centre + 2]};
}

class BrushTextureRenderCli : public ::testing::Test {
 protected:
  test::ProcessResult render(const std::string& prefix, const std::string& allowed, bool force = false) {
    std::vector<std::string> argv{THUMBGEN_BINARY,
                                  "render",
                                  (scratch_ / "models").string(),
                                  "-o",
                                  (scratch_ / "out").string(),
                                  "--format",
                                  "png",
                                  "--size",
                                  "64x64",
                                  "--jobs",
                                  "1",
                                  "--brush-textures",
                                  prefix,
                                  "--brush-texture-cache",
                                  (scratch_ / "cache").string(),
                                  "--allow-host",
                                  allowed};
    if (force) argv.push_back("--force");
    return test::run_process(argv);
  }

  test::ScratchDir scratch_{"brush-render-cli"};
  TinyHttpServer mirror_{"127.0.0.2", TinyHttpServer::serve({{"/brushes/" + texture_path(kInk), red_png()}})};
  std::string prefix_ = mirror_.origin() + "/brushes/";
  std::string allowed_ = "127.0.0.2:" + std::to_string(mirror_.port());
};

TEST_F(BrushTextureRenderCli, TexturesComeOnceFromThePrefixAndAreReadFromTheCache) {
  write_stroke_model(scratch_ / "models" / "a.gltf", kInk);
  write_stroke_model(scratch_ / "models" / "b.gltf", kInk);
  const test::ProcessResult first = render(prefix_, allowed_);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(mirror_.requests("/brushes/" + texture_path(kInk)), 1);  // two models, one request
  EXPECT_TRUE(fs::is_regular_file(scratch_ / "cache" / texture_path(kInk)));
  for (const char* thumbnail : {"a.gltf.png", "b.gltf.png"}) {
    const glm::ivec3 colour = centre_colour(scratch_ / "out" / thumbnail);
    EXPECT_GT(colour.r, 200) << thumbnail;  // textured: red, not the white of a cube without its texture
    EXPECT_LT(colour.g, 40) << thumbnail;
  }
  // A later run: served from the cache, no request.
  const test::ProcessResult again = render(prefix_, allowed_, true);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(mirror_.requests("/brushes/" + texture_path(kInk)), 1);
  EXPECT_EQ(mirror_.all_requests().size(), 1u);  // and the export's own host was never asked
}

TEST_F(BrushTextureRenderCli, ATextureTheMirrorLacksIsAWarningNotAFailure) {
  write_stroke_model(scratch_ / "models" / "light.gltf", kLight);
  const test::ProcessResult result = render(prefix_, allowed_);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("HTTP 404"), std::string::npos) << result.err;
  EXPECT_TRUE(fs::is_regular_file(scratch_ / "out" / "light.gltf.png"));
  EXPECT_GT(centre_colour(scratch_ / "out" / "light.gltf.png").g, 200);  // drawn without its texture
}

TEST_F(BrushTextureRenderCli, APrefixOnAHostThatIsNotAllowedIsRefusedAtStart) {
  write_stroke_model(scratch_ / "models" / "a.gltf", kInk);
  TinyHttpServer elsewhere("127.0.0.3", TinyHttpServer::serve({}));
  const test::ProcessResult result = render(elsewhere.origin() + "/brushes/", allowed_);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("--allow-host 127.0.0.3:" + std::to_string(elsewhere.port())), std::string::npos)
      << result.err;
  EXPECT_FALSE(fs::exists(scratch_ / "out" / "a.gltf.png"));
  EXPECT_EQ(elsewhere.connections(), 0);
}

}  // namespace
}  // namespace thumbgen
