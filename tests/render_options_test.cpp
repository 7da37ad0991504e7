#include "cli/render_options.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

namespace thumbgen::cli {
namespace {

using namespace std::chrono_literals;

TEST(ImageSize, ParsesWidthByHeight) {
  auto size = parse_image_size("1280x720");
  EXPECT_EQ(size.width, 1280);
  EXPECT_EQ(size.height, 720);
  EXPECT_EQ(parse_image_size("64X48").width, 64);
}

TEST(ImageSize, RejectsBadSizes) {
  for (const char* bad : {"", "1280", "1280x", "x720", "0x720", "1280x0", "-5x5", "12.5x10", "1280*720", "99999x10",
                          "1280x720x3", "axb"}) {
    EXPECT_THROW(parse_image_size(bad), std::invalid_argument) << bad;
  }
}

TEST(Background, ParsesHexColoursAndTransparent) {
  auto colour = parse_background("#ff8000");
  EXPECT_FLOAT_EQ(colour.r, 1.0f);
  EXPECT_NEAR(colour.g, 128 / 255.0f, 1e-6);
  EXPECT_FLOAT_EQ(colour.b, 0.0f);
  EXPECT_FLOAT_EQ(colour.a, 1.0f);
  EXPECT_FLOAT_EQ(parse_background("#FFF").g, 1.0f);
  EXPECT_FLOAT_EQ(parse_background("transparent").a, 0.0f);
  EXPECT_FLOAT_EQ(parse_background("#000000").a, 1.0f);
}

TEST(Background, RejectsOtherText) {
  for (const char* bad : {"", "#", "ff8000", "#ff80", "#gg0000", "#ff800000", "red", "#ff8000 "}) {
    EXPECT_THROW(parse_background(bad), std::invalid_argument) << bad;
  }
}

TEST(Camera, ParsesYawPitchAndOptionalFov) {
  auto angles = parse_camera("30,20");
  EXPECT_FLOAT_EQ(angles.yaw_degrees, 30);
  EXPECT_FLOAT_EQ(angles.pitch_degrees, 20);
  EXPECT_FLOAT_EQ(angles.vfov_degrees, 45);
  angles = parse_camera("-45.5,-10,50");
  EXPECT_FLOAT_EQ(angles.yaw_degrees, -45.5);
  EXPECT_FLOAT_EQ(angles.pitch_degrees, -10);
  EXPECT_FLOAT_EQ(angles.vfov_degrees, 50);
}

TEST(Camera, RejectsBadAngles) {
  for (const char* bad : {"", "30", "30,", "30,20,50,1", "a,b", "30,95", "30,20,0", "30,20,180", "30;20", "nan,1"}) {
    EXPECT_THROW(parse_camera(bad), std::invalid_argument) << bad;
  }
}

TEST(Duration, ParsesUnits) {
  EXPECT_EQ(parse_duration("30s"), 30s);
  EXPECT_EQ(parse_duration("500ms"), 500ms);
  EXPECT_EQ(parse_duration("2m"), 120s);
  EXPECT_EQ(parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(parse_duration("45"), 45s);
}

TEST(Duration, RejectsBadDurations) {
  for (const char* bad : {"", "s", "-1s", "0s", "10h", "30 s", "30sec", "1e9s", "25h"}) {
    EXPECT_THROW(parse_duration(bad), std::invalid_argument) << bad;
  }
}

TEST(MemorySize, ParsesBinaryUnits) {
  EXPECT_EQ(parse_memory_size("2G"), 2ull << 30);
  EXPECT_EQ(parse_memory_size("512M"), 512ull << 20);
  EXPECT_EQ(parse_memory_size("512m"), 512ull << 20);
  EXPECT_EQ(parse_memory_size("1.5GiB"), 3ull << 29);
  EXPECT_EQ(parse_memory_size("2GB"), 2ull << 30);
  EXPECT_EQ(parse_memory_size("none"), 0u);
}

TEST(MemorySize, RejectsBadSizes) {
  for (const char* bad : {"", "G", "2X", "-1G", "1K", "12", "2 G", "2Gi"}) {
    EXPECT_THROW(parse_memory_size(bad), std::invalid_argument) << bad;
  }
}

// The whole command line through CLI11, as `thumbgen render` sees it.
RenderOptions parse(std::vector<std::string> argv) {
  CLI::App app;
  RenderArguments args;
  add_render_arguments(app, args);
  std::reverse(argv.begin(), argv.end());  // CLI11 takes a reversed vector
  app.parse(argv);
  return resolve_render_options(args);
}

TEST(RenderOptions, Defaults) {
  auto options = parse({"models", "-o", "out"});
  ASSERT_EQ(options.inputs.size(), 1u);
  EXPECT_EQ(options.inputs[0], "models");
  EXPECT_EQ(options.output_dir, "out");
  EXPECT_EQ(options.job.view.width, 1280);
  EXPECT_EQ(options.job.view.height, 720);
  EXPECT_EQ(options.job.format, render::ImageFormat::Jpeg);
  EXPECT_EQ(options.job.quality, 85);
  EXPECT_FALSE(options.job.view.camera.has_value());
  EXPECT_FALSE(options.job.view.background_chosen);  // the model's own (a Tilt Brush environment), else black
  EXPECT_EQ(options.job.view.background, glm::vec4(0.0f, 0.0f, 0.0f, 1.0f));
  EXPECT_FALSE(options.job.view.up.has_value());  // the file's declaration, else its format's convention
  EXPECT_EQ(options.jobs, default_job_count());
  EXPECT_GE(options.jobs, 1);
  EXPECT_EQ(options.timeout, 30s);
#if defined(__SANITIZE_ADDRESS__)
  EXPECT_EQ(options.max_memory_bytes, 0u);
#else
  EXPECT_EQ(options.max_memory_bytes, 4ull << 30);
#endif
  EXPECT_FALSE(options.json);
  EXPECT_FALSE(options.force);
}

TEST(RenderOptions, EveryOption) {
  auto options = parse({"a.glb",     "dir", "-o",           "out",         "--size",   "640x480", "--format", "webp",
                        "--quality", "70",  "--background", "transparent", "--camera", "10,5,60", "--jobs",   "3",
                        "--timeout", "2m",  "--max-memory", "512M",        "--json",   "--force"});
  EXPECT_EQ(options.inputs.size(), 2u);
  EXPECT_EQ(options.job.view.width, 640);
  EXPECT_EQ(options.job.format, render::ImageFormat::Webp);
  EXPECT_EQ(options.job.quality, 70);
  EXPECT_FLOAT_EQ(options.job.view.background.a, 0.0f);
  EXPECT_TRUE(options.job.view.background_chosen);
  ASSERT_TRUE(options.job.view.camera.has_value());
  EXPECT_FLOAT_EQ(options.job.view.camera->vfov_degrees, 60);
  EXPECT_EQ(options.jobs, 3);
  EXPECT_EQ(options.timeout, 120s);
  EXPECT_EQ(options.max_memory_bytes, 512ull << 20);
  EXPECT_TRUE(options.json);
  EXPECT_TRUE(options.force);
  EXPECT_EQ(parse({"a", "-o", "b", "--up", "+Z"}).job.view.up, scene::UpAxis::PlusZ);
  EXPECT_EQ(parse({"a", "-o", "b", "--up", "+Y"}).job.view.up, scene::UpAxis::PlusY);
  EXPECT_EQ(parse({"a", "-o", "b", "--format", "PNG"}).job.format, render::ImageFormat::Png);
  EXPECT_EQ(parse({"a", "-o", "b", "--format", "jpeg"}).job.format, render::ImageFormat::Jpeg);
}

TEST(RenderOptions, RejectsBadValuesNamingTheOption) {
  auto message = [](std::vector<std::string> argv) {
    try {
      parse(std::move(argv));
    } catch (const std::invalid_argument& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message({"a", "-o", "b", "--format", "gif"}).find("--format"), std::string::npos);
  EXPECT_NE(message({"a", "-o", "b", "--quality", "0"}).find("--quality"), std::string::npos);
  EXPECT_NE(message({"a", "-o", "b", "--quality", "101"}).find("--quality"), std::string::npos);
  EXPECT_NE(message({"a", "-o", "b", "--jobs", "-1"}).find("--jobs"), std::string::npos);
  EXPECT_NE(message({"a", "-o", "b", "--size", "big"}).find("--size"), std::string::npos);
  EXPECT_NE(message({"a", "-o", "b", "--timeout", "soon"}).find("--timeout"), std::string::npos);
  EXPECT_EQ(message({"a", "-o", "b", "--up", "-Z"}), "--up: expected +Y or +Z, got '-Z'");
}

TEST(RenderOptions, MissingInputsOrOutputIsAParseError) {
  EXPECT_THROW(parse({"-o", "out"}), CLI::ParseError);
  EXPECT_THROW(parse({"models"}), CLI::ParseError);
}

}  // namespace
}  // namespace thumbgen::cli
