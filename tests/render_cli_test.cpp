// End to end: the real `thumbgen` binary on fixtures written here (a binary STL cube, an ASCII OBJ cube, a
// truncated STL and a missing file).
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "platform/texture_decoder.h"
#include "render/quality_gate.h"
#include "support/process.h"

namespace thumbgen {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

const float kCubeCorners[8][3] = {{-1, -1, -1}, {1, -1, -1}, {1, 1, -1}, {-1, 1, -1},
                                  {-1, -1, 1},  {1, -1, 1},  {1, 1, 1},  {-1, 1, 1}};
const int kCubeTriangles[12][3] = {{0, 2, 1}, {0, 3, 2}, {4, 5, 6}, {4, 6, 7}, {0, 1, 5}, {0, 5, 4},
                                   {3, 6, 2}, {3, 7, 6}, {0, 4, 7}, {0, 7, 3}, {1, 2, 6}, {1, 6, 5}};

// A box ±scale (a cube by default); STL is Z-up by convention, so {0.1, 0.1, 1} is a post standing on its end.
void write_binary_stl_cube(const fs::path& path, const std::array<float, 3>& scale = {1, 1, 1}) {
  std::ofstream file(path, std::ios::binary);
  char header[80] = "binary STL cube written by render_cli_test";
  file.write(header, sizeof header);
  std::uint32_t count = 12;
  file.write(reinterpret_cast<const char*>(&count), 4);
  for (const auto& triangle : kCubeTriangles) {
    float normal[3] = {0, 0, 0};
    file.write(reinterpret_cast<const char*>(normal), sizeof normal);
    for (int corner : triangle) {
      const float point[3] = {kCubeCorners[corner][0] * scale[0], kCubeCorners[corner][1] * scale[1],
                              kCubeCorners[corner][2] * scale[2]};
      file.write(reinterpret_cast<const char*>(point), sizeof point);
    }
    std::uint16_t attributes = 0;
    file.write(reinterpret_cast<const char*>(&attributes), 2);
  }
}

void write_obj_cube(const fs::path& path) {
  std::ofstream file(path);
  file << "# cube\n";
  for (const auto& corner : kCubeCorners) file << "v " << corner[0] << ' ' << corner[1] << ' ' << corner[2] << '\n';
  for (const auto& triangle : kCubeTriangles) {
    file << "f " << triangle[0] + 1 << ' ' << triangle[1] + 1 << ' ' << triangle[2] + 1 << '\n';
  }
}

// Claims 1000 triangles, holds one and a half.
void write_truncated_stl(const fs::path& path) {
  std::ofstream file(path, std::ios::binary);
  char header[80] = {};
  file.write(header, sizeof header);
  std::uint32_t count = 1000;
  file.write(reinterpret_cast<const char*>(&count), 4);
  std::string body(75, '\x01');
  file.write(body.data(), static_cast<std::streamsize>(body.size()));
}

std::string read_head(const fs::path& path, std::size_t bytes) {
  std::ifstream file(path, std::ios::binary);
  std::string head(bytes, '\0');
  file.read(head.data(), static_cast<std::streamsize>(bytes));
  head.resize(static_cast<std::size_t>(file.gcount()));
  return head;
}

class RenderCli : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("thumbgen-render-cli-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "models/sub");
    fs::create_directories(root_ / "models/.cache");
    write_binary_stl_cube(root_ / "models/cube.stl");
    write_obj_cube(root_ / "models/sub/cube.obj");
    write_truncated_stl(root_ / "models/broken.stl");
    write_obj_cube(root_ / "models/.cache/hidden.obj");
    std::ofstream(root_ / "models/sub/texture.png") << "not a model";
  }
  void TearDown() override { fs::remove_all(root_); }

  test::ProcessResult render(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {THUMBGEN_BINARY, "render"});
    return test::run_process(arguments);
  }

  // JSON records by file name, and the summary object.
  static std::map<std::string, json> records(const std::string& out, json* summary = nullptr) {
    std::map<std::string, json> by_file;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      json object = json::parse(line);  // every stdout line is one JSON object
      if (object.contains("summary")) {
        if (summary) *summary = object["summary"];
      } else {
        EXPECT_TRUE(by_file.emplace(object.at("file").get<std::string>(), object).second) << line;
      }
    }
    return by_file;
  }

  fs::path root_;
};

TEST_F(RenderCli, RendersABatchWhereOneFileFailsAndOneIsMissing) {
  auto out = root_ / "thumbs";
  auto result = render({(root_ / "models").string(), (root_ / "missing.glb").string(), "-o", out.string(), "--json",
                        "--jobs", "2", "--size", "160x120"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  json summary;
  auto by_file = records(result.out, &summary);
  ASSERT_EQ(by_file.size(), 4u) << result.out;

  EXPECT_EQ(by_file["cube.stl"]["status"], "ok") << by_file["cube.stl"].dump() << result.err;
  EXPECT_EQ(by_file["sub/cube.obj"]["status"], "ok") << by_file["sub/cube.obj"].dump();
  EXPECT_EQ(by_file["cube.stl"]["output"], (out / "cube.stl.jpg").string());
  EXPECT_TRUE(by_file["cube.stl"]["ms"].is_number());
  EXPECT_EQ(read_head(out / "cube.stl.jpg", 3), "\xFF\xD8\xFF");
  EXPECT_EQ(read_head(out / "sub/cube.obj.jpg", 3), "\xFF\xD8\xFF");

  EXPECT_EQ(by_file["broken.stl"]["status"], "failed");
  EXPECT_FALSE(by_file["broken.stl"]["reason"].get<std::string>().empty());
  EXPECT_FALSE(by_file["broken.stl"].contains("output"));
  EXPECT_FALSE(fs::exists(out / "broken.stl.jpg"));
  EXPECT_EQ(by_file["missing.glb"]["status"], "failed");
  EXPECT_EQ(by_file["missing.glb"]["reason"], "no such file or directory");

  EXPECT_EQ(summary["done"], 2);
  EXPECT_EQ(summary["failed"], 2);
  EXPECT_EQ(summary["skipped"], 0);
  EXPECT_NE(result.err.find("4 models: 2 done, 2 failed, 0 skipped"), std::string::npos) << result.err;
  // Nothing but thumbnails is left in the output folder (no temp files, no hidden model rendered).
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(out)) files += entry.is_regular_file();
  EXPECT_EQ(files, 2u);
}

TEST_F(RenderCli, LogLinesNameTheFileAndTheReason) {
  auto result =
      render({(root_ / "models").string(), "-o", (root_ / "thumbs").string(), "--jobs", "1", "--size", "64x64"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find("FAIL broken.stl: "), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("  cube.stl\n"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("ok "), std::string::npos) << result.err;
}

TEST_F(RenderCli, UpToDateThumbnailsAreSkippedUnlessForced) {
  auto out = (root_ / "thumbs").string();
  auto cube = (root_ / "models/cube.stl").string();
  auto first = render({cube, "-o", out, "--json", "--format", "png", "--size", "64x64"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(read_head(root_ / "thumbs/cube.stl.png", 4), "\x89PNG");
  auto second = render({cube, "-o", out, "--json", "--format", "png", "--size", "64x64"});
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_EQ(records(second.out)["cube.stl"]["status"], "skipped");
  auto forced = render({cube, "-o", out, "--json", "--format", "png", "--size", "64x64", "--force"});
  EXPECT_EQ(forced.exit_code, 0);
  EXPECT_EQ(records(forced.out)["cube.stl"]["status"], "ok");
}

// The model's extent in a rendered thumbnail, in pixels (black background).
std::pair<float, float> content_extent(const fs::path& thumbnail) {
  std::ifstream file(thumbnail, std::ios::binary);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const scene::Image image = platform::TextureDecoder().decode(bytes, 0);
  const render::ContentBox box = render::content_box(image, glm::vec4(0, 0, 0, 1));
  EXPECT_FALSE(box.empty) << thumbnail;
  return {(box.right - box.left) * image.width, (box.bottom - box.top) * image.height};
}

TEST_F(RenderCli, AZUpStlStandsUprightAndUpPlusYKeepsTheOldView) {
  fs::create_directories(root_ / "post");
  write_binary_stl_cube(root_ / "post/post.stl", {0.1f, 0.1f, 1.0f});
  const auto post = (root_ / "post/post.stl").string();
  const auto out = root_ / "thumbs";
  auto upright = render({post, "-o", out.string(), "--format", "png", "--size", "160x120", "--json"});
  ASSERT_EQ(upright.exit_code, 0) << upright.err;
  const auto [width, height] = content_extent(out / "post.stl.png");
  EXPECT_GT(height, 2.5f * width) << width << " x " << height;
  // Its camera is reported in the file's own axes, where up is +Z.
  EXPECT_GT(records(upright.out)["post.stl"]["camera"]["up"][2].get<double>(), 0.9);

  auto lying = render({post, "-o", out.string(), "--format", "png", "--size", "160x120", "--force", "--up", "+Y"});
  ASSERT_EQ(lying.exit_code, 0) << lying.err;
  const auto [lying_width, lying_height] = content_extent(out / "post.stl.png");
  EXPECT_GT(lying_width, lying_height) << lying_width << " x " << lying_height;

  auto bad = render({post, "-o", out.string(), "--up", "-Z"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--up: expected +Y or +Z, got '-Z'"), std::string::npos) << bad.err;
}

TEST_F(RenderCli, UsageErrorsExitWithTwo) {
  auto out = (root_ / "thumbs").string();
  EXPECT_EQ(render({}).exit_code, 2);
  EXPECT_EQ(render({"models"}).exit_code, 2);  // no -o
  auto bad_size = render({(root_ / "models").string(), "-o", out, "--size", "huge"});
  EXPECT_EQ(bad_size.exit_code, 2);
  EXPECT_NE(bad_size.err.find("--size"), std::string::npos);
  EXPECT_EQ(render({(root_ / "models").string(), "-o", out, "--format", "gif"}).exit_code, 2);
  EXPECT_EQ(render({(root_ / "models").string(), "-o", out, "--bogus"}).exit_code, 2);
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(RenderCli, VersionAndHelp) {
  auto version = test::run_process({THUMBGEN_BINARY, "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("thumbgen ", 0), 0u) << version.out;
  auto help = render({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* option : {"--size", "--format", "--quality", "--background", "--camera", "--jobs", "--timeout",
                             "--max-memory", "--json", "--force"}) {
    EXPECT_NE(help.out.find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace thumbgen
