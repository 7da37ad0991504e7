// `thumbgen render --brush-textures https://host/prefix/`, end to end: the real binary, a tiny file server on
// 127.0.0.2 as the gallery's mirror of the brush textures, models that name their brush texture by the export URL.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "platform/texture_decoder.h"
#include "support/brush_fixtures.h"
#include "support/process.h"
#include "support/scratch_dir.h"
#include "support/tiny_http_server.h"

namespace thumbgen {
namespace {

namespace fs = std::filesystem;
using test::TinyHttpServer;

using test::brush_texture_path;
using test::kInkBrush;
using test::kLightBrush;
using test::red_png;

void write_stroke_model(const fs::path& file, const std::string& brush) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << test::brush_stroke_gltf(brush);
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
  TinyHttpServer mirror_{"127.0.0.2",
                         TinyHttpServer::serve({{"/brushes/" + brush_texture_path(kInkBrush), red_png()}})};
  std::string prefix_ = mirror_.origin() + "/brushes/";
  std::string allowed_ = "127.0.0.2:" + std::to_string(mirror_.port());
};

TEST_F(BrushTextureRenderCli, TexturesComeOnceFromThePrefixAndAreReadFromTheCache) {
  write_stroke_model(scratch_ / "models" / "a.gltf", kInkBrush);
  write_stroke_model(scratch_ / "models" / "b.gltf", kInkBrush);
  const test::ProcessResult first = render(prefix_, allowed_);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(mirror_.requests("/brushes/" + brush_texture_path(kInkBrush)), 1);  // two models, one request
  EXPECT_TRUE(fs::is_regular_file(scratch_ / "cache" / brush_texture_path(kInkBrush)));
  for (const char* thumbnail : {"a.gltf.png", "b.gltf.png"}) {
    const glm::ivec3 colour = centre_colour(scratch_ / "out" / thumbnail);
    EXPECT_GT(colour.r, 200) << thumbnail;  // textured: red, not the white of a cube without its texture
    EXPECT_LT(colour.g, 40) << thumbnail;
  }
  // A later run: served from the cache, no request.
  const test::ProcessResult again = render(prefix_, allowed_, true);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(mirror_.requests("/brushes/" + brush_texture_path(kInkBrush)), 1);
  EXPECT_EQ(mirror_.all_requests().size(), 1u);  // and the export's own host was never asked
}

TEST_F(BrushTextureRenderCli, ATextureTheMirrorLacksIsAWarningNotAFailure) {
  write_stroke_model(scratch_ / "models" / "light.gltf", kLightBrush);
  const test::ProcessResult result = render(prefix_, allowed_);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("HTTP 404"), std::string::npos) << result.err;
  EXPECT_TRUE(fs::is_regular_file(scratch_ / "out" / "light.gltf.png"));
  EXPECT_GT(centre_colour(scratch_ / "out" / "light.gltf.png").g, 200);  // drawn without its texture
}

TEST_F(BrushTextureRenderCli, APrefixOnAHostThatIsNotAllowedIsRefusedAtStart) {
  write_stroke_model(scratch_ / "models" / "a.gltf", kInkBrush);
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
