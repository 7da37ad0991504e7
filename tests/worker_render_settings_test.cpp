// `thumbgen work` with the claim's render_settings (issue 11): each job rendered at its own size and camera, the
// camera used and the renderer version sent back with the thumbnail, a job without settings (an older server)
// rendered with the worker's own options, an asset's "up" standing its model upright, and bad settings failing only
// their job with the reason. The server is a scripted one on loopback that answers the claim protocol and records
// what the worker sends.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "platform/texture_decoder.h"
#include "render/quality_gate.h"
#include "render/view.h"
#include "support/gltf_writer.h"
#include "support/images.h"
#include "support/process.h"
#include "support/scratch_dir.h"
#include "support/tiny_http_server.h"
#include "util/base64.h"

namespace thumbgen {
namespace {

using nlohmann::json;
using test::TinyHttpServer;
using test::TinyReply;

constexpr const char* kJobs = "/api/v1/admin/thumbnail-jobs/";

std::string bar_glb() {
  test::SimpleAsset bar;
  test::SimpleMesh mesh = test::unit_cube();
  for (auto& p : mesh.positions) p *= glm::vec3(0.2f, 0.2f, 2.0f);  // long along Z
  bar.meshes.push_back(mesh);
  const auto bytes = test::write_glb(bar);
  return std::string(bytes.begin(), bytes.end());
}

// The model's extent in pixels in a thumbnail on black.
glm::vec2 content_extent(const std::vector<std::uint8_t>& encoded) {
  const scene::Image image = platform::TextureDecoder().decode(encoded, 0);
  const render::ContentBox box = render::content_box(image, glm::vec4(0, 0, 0, 1));
  EXPECT_FALSE(box.empty);
  return {(box.right - box.left) * image.width, (box.bottom - box.top) * image.height};
}

json claimed_job(const std::string& id, const std::string& origin, const json& render_settings) {
  json job = {{"job_id", id},
              {"fencing_token", "7"},
              {"attempt", 1},
              {"asset",
               {{"id_str", id},
                {"url", "bar-" + id},
                {"name", "bar " + id},
                {"formats",
                 {{{"format_type", "GLB"},
                   {"root_url", origin + "/files/bar.glb"},
                   {"is_preferred", true},
                   {"files", {{{"url", origin + "/files/bar.glb"}, {"path", "bar.glb"}}}}}}}}}};
  if (!render_settings.is_null()) job["render_settings"] = render_settings;
  return job;
}

// {width, height} of a JPEG from its SOF segment.
std::pair<int, int> jpeg_size(const std::vector<std::uint8_t>& jpeg) {
  const std::size_t sof = test::find_sof(jpeg);
  return {jpeg[sof + 7] << 8 | jpeg[sof + 8], jpeg[sof + 5] << 8 | jpeg[sof + 6]};
}

TEST(WorkerRenderSettings, EachJobIsRenderedWithItsSettingsAndReportsTheCameraUsed) {
  const std::string glb = bar_glb();
  const json saved = {{"source", "saved"},
                      {"position", {5.0, 0.0, 0.0}},
                      {"target", {0.0, 0.0, 0.0}},
                      {"up", {0.0, 1.0, 0.0}},
                      {"fov_y_degrees", 40.0}};
  std::string origin;
  TinyHttpServer server("127.0.0.1", [&](const std::string& path, int count) -> TinyReply {
    if (path == "/files/bar.glb") return {200, glb, {}};
    if (path.starts_with("/api/v1/admin/assets/missing-thumbnails")) {
      return {200, R"({"assets": [], "total_count": 3, "has_more": false})", {}};
    }
    if (path == std::string(kJobs) + "claim") {
      if (count > 0) return {200, json{{"jobs", json::array()}}.dump(), {}};
      json jobs = json::array();
      jobs.push_back(claimed_job(
          "1", origin,
          {{"width", 128}, {"height", 80}, {"background", "#102030"}, {"camera", saved}, {"presentation", nullptr}}));
      jobs.push_back(claimed_job("2", origin, nullptr));  // an older server: no render_settings
      jobs.push_back(claimed_job("3", origin, {{"width", 0}, {"height", 80}}));
      jobs.push_back(claimed_job("4", origin, {{"up", "+Z"}}));  // the asset's up axis: the bar stands
      return {200, json{{"jobs", jobs}}.dump(), {}};
    }
    if (path.ends_with("/heartbeat")) return {200, R"({"cancel": false})", {}};
    if (path.ends_with("/complete")) return {200, R"({"thumbnail_url": "http://127.0.0.1/t.jpg"})", {}};
    if (path.ends_with("/fail")) return {200, R"({"success": true, "attempts": 1, "state": "dead"})", {}};
    return {404, R"({"detail": "Not Found"})", {}};
  });
  origin = server.origin();

  test::ScratchDir scratch("worker-render-settings");
  const test::ProcessResult run =
      test::run_process({THUMBGEN_BINARY, "work", "--server", origin, "--token", "scripted", "--once", "--cache",
                         (scratch.path() / "cache").string(), "--size", "96x64", "-j", "1", "--batch", "4"});
  EXPECT_EQ(run.exit_code, 1) << run.err;  // job 3 failed

  // Job 1: its own size, and the saved camera reported back exactly, with the renderer version.
  const auto first = server.bodies(std::string(kJobs) + "1/complete");
  ASSERT_EQ(first.size(), 1u) << run.err;
  const json body = json::parse(first.front());
  EXPECT_EQ(body.value("renderer_version", ""), render::kRendererVersion);
  json expected_camera = saved;
  expected_camera.erase("source");
  EXPECT_EQ(body["camera"], expected_camera);
  std::vector<std::uint8_t> jpeg;
  ASSERT_TRUE(util::decode_base64_strict(body.value("thumbnail_base64", ""), jpeg));
  EXPECT_EQ(jpeg_size(jpeg), std::make_pair(128, 80));

  // Job 2: no settings, so the worker's --size and the auto-framed camera, still reported.
  const auto second = server.bodies(std::string(kJobs) + "2/complete");
  ASSERT_EQ(second.size(), 1u) << run.err;
  const json plain = json::parse(second.front());
  ASSERT_TRUE(plain.contains("camera"));
  EXPECT_EQ(plain["camera"].size(), 4u);
  EXPECT_NE(plain["camera"]["position"], expected_camera["position"]);
  ASSERT_TRUE(util::decode_base64_strict(plain.value("thumbnail_base64", ""), jpeg));
  EXPECT_EQ(jpeg_size(jpeg), std::make_pair(96, 64));
  const glm::vec2 lying = content_extent(jpeg);
  EXPECT_GT(lying.x, lying.y) << lying.x << " x " << lying.y;

  // Job 4: "up": "+Z" stands the bar (long along its file's Z) upright; the camera is still in the file's axes.
  const auto fourth = server.bodies(std::string(kJobs) + "4/complete");
  ASSERT_EQ(fourth.size(), 1u) << run.err;
  const json standing_body = json::parse(fourth.front());
  ASSERT_TRUE(util::decode_base64_strict(standing_body.value("thumbnail_base64", ""), jpeg));
  const glm::vec2 standing = content_extent(jpeg);
  EXPECT_GT(standing.y, 2.5f * standing.x) << standing.x << " x " << standing.y;
  EXPECT_GT(standing_body["camera"]["up"][2].get<double>(), 0.9);

  // Job 3: bad settings fail that job, not retryable, with the field named.
  EXPECT_TRUE(server.bodies(std::string(kJobs) + "3/complete").empty());
  const auto failed = server.bodies(std::string(kJobs) + "3/fail");
  ASSERT_EQ(failed.size(), 1u) << run.err;
  const json failure = json::parse(failed.front());
  EXPECT_EQ(failure.value("reason", ""),
            "bad render settings: render_settings.width: expected a whole number from 1 to 8192");
  EXPECT_EQ(failure.value("retryable", true), false);
}

}  // namespace
}  // namespace thumbgen
