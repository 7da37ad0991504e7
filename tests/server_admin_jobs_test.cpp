// Work distribution for the admin web app (issue 11) over real HTTP against a real `thumbgen serve`: jobs from a
// selection, claims scoped to a selection (never sharing a job, also when claimed at once from many threads),
// exclusions, regenerate with provenance, render settings with their camera precedence, and the importer's sources.
#include <gtest/gtest.h>

#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "support/admin_server.h"
#include "support/server_fixtures.h"

namespace thumbgen {
namespace {

using server::AssetRecord;
using namespace test;

const std::string kJobs = "/api/v1/admin/thumbnail-jobs";
constexpr int kItems = 60;

std::vector<AssetRecord> job_records() {
  std::vector<AssetRecord> records;
  for (int i = 0; i < kItems; ++i) records.push_back(test_asset("job-" + std::to_string(i), 100 + i));
  AssetRecord odd = test_asset("not-viewable", 300, /*compatible=*/false);
  records.push_back(odd);
  AssetRecord owner = test_asset("owner-thumb", 301);
  owner.thumbnail = "https://cdn.example/owner.jpg";
  owner.thumbnail_source = "owner";
  records.push_back(owner);
  AssetRecord imported = test_asset("imported-thumb", 302);
  imported.thumbnail = "https://cdn.example/imported.jpg";
  imported.presentation_params_json =
      R"({"backgroundColor":"#FFAA00","orientingRotation":{"x":0.5,"w":0.5},"camera":{"fov":30,"translation":[0,1,5]}})";
  records.push_back(imported);
  return records;
}

class AdminJobsTest : public AdminServerTest {
 protected:
  void SetUp() override { start_with(job_records(), {"THUMBGEN_MIN_LEASE_SECONDS=1"}); }

  std::string selection(const nlohmann::json& ids) {
    HttpResult made = post("/api/v1/admin/selections", {{"asset_ids", ids}});
    EXPECT_EQ(made.status, 200) << made.body;
    return made.json().value("selection_id", "");
  }
  static std::set<std::string> asset_urls(const nlohmann::json& jobs) {
    std::set<std::string> urls;
    for (const auto& job : jobs) urls.insert(job["asset"]["url"].get<std::string>());
    return urls;
  }
  nlohmann::json row(const std::string& url) {
    HttpResult page = get("/api/v1/admin/assets?q=" + url);
    EXPECT_EQ(page.status, 200) << page.body;
    const nlohmann::json answer = page.json();  // kept: the loop must not run over a destroyed temporary
    for (const auto& item : answer["assets"])
      if (item["url"] == url) return item;
    ADD_FAILURE() << url << " not listed";
    return nullptr;
  }
};
INSTANTIATE_TEST_SUITE_P(Backends, AdminJobsTest, test::kBothBackends, test::backend_name);

TEST_P(AdminJobsTest, AScopedClaimTakesOnlyItsSelectionsAssets) {
  std::string mine = selection({"job-3", "job-4", "job-5", "not-viewable"});
  // Explicit jobs for the selection's missing assets: the not viewer-compatible one too.
  HttpResult created = post(kJobs, {{"selection_id", mine}});
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.json()["created"], 4);

  nlohmann::json compatible = claim({{"scope", {{"selection_id", mine}}}, {"viewer_compatible_only", true}});
  EXPECT_EQ(asset_urls(compatible), (std::set<std::string>{"job-3", "job-4", "job-5"}));
  nlohmann::json rest = claim({{"scope", {{"selection_id", mine}}}});
  EXPECT_EQ(asset_urls(rest), std::set<std::string>{"not-viewable"});
  EXPECT_TRUE(claim({{"scope", {{"selection_id", mine}}}}).empty());
  // The whole queue still holds everything else.
  nlohmann::json whole = claim({{"max", 100}});
  EXPECT_EQ(whole.size(), static_cast<std::size_t>(kItems - 3));
  EXPECT_EQ(asset_urls(whole).count("job-3"), 0u);

  HttpResult unknown = post(kJobs + "/claim", {{"scope", {{"selection_id", "0123456789abcdef0123456789abcdef"}}}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(post(kJobs + "/claim", {{"scope", "everything"}}).status, 400);
  EXPECT_EQ(post(kJobs + "/claim", {{"viewer_compatible_only", "yes"}}).status, 400);
  EXPECT_EQ(post(kJobs, {{"selection_id", 5}}).status, 400);
  EXPECT_EQ(post(kJobs, nlohmann::json::object()).status, 400);
}

TEST_P(AdminJobsTest, ExcludedAssetsAreNotClaimed) {
  nlohmann::json excluded = nlohmann::json::array();
  for (int i = 0; i < kItems; i += 2) excluded.push_back(std::to_string(100 + i));
  nlohmann::json jobs = claim({{"exclude_asset_ids", excluded}});
  ASSERT_EQ(jobs.size(), static_cast<std::size_t>(kItems / 2));
  for (const auto& job : jobs) EXPECT_EQ(std::stoll(job["asset"]["id_str"].get<std::string>()) % 2, 1) << job.dump();

  nlohmann::json too_many = nlohmann::json::array();
  for (int i = 0; i < 1001; ++i) too_many.push_back(std::to_string(i));
  EXPECT_EQ(post(kJobs + "/claim", {{"exclude_asset_ids", too_many}}).status, 400);
  EXPECT_EQ(post(kJobs + "/claim", {{"exclude_asset_ids", {"12x"}}}).status, 400);
  too_many.erase(too_many.size() - 1);  // 1,000 ids (about 6 KB): within the claim's 64 KiB
  EXPECT_EQ(post(kJobs + "/claim", {{"exclude_asset_ids", too_many}}).status, 200);
}

// Several browser tabs and `thumbgen work` processes claim at once, each with its own scope: no job twice, and no
// scoped claim outside its selection.
TEST_P(AdminJobsTest, ConcurrentClaimsWithDifferentScopesNeverShareAJob) {
  nlohmann::json first = nlohmann::json::array(), second = nlohmann::json::array();
  for (int i = 0; i < 20; ++i) first.push_back("job-" + std::to_string(i));
  for (int i = 20; i < 40; ++i) second.push_back("job-" + std::to_string(i));
  const std::string scope_a = selection(first), scope_b = selection(second);
  const std::vector<std::optional<std::string>> scopes = {scope_a, scope_b, std::nullopt,
                                                          scope_a, scope_b, std::nullopt};

  std::mutex mutex;
  std::vector<std::string> claimed_jobs;
  std::map<std::string, std::set<std::string>> assets_by_scope;
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < scopes.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 8; ++round) {
        // Whole-queue claimers take more, so every job is claimed by the end whoever wins each race.
        nlohmann::json body = {{"worker", "t" + std::to_string(t)}, {"max", scopes[t] ? 3 : 5}, {"lease_seconds", 300}};
        if (scopes[t]) body["scope"] = {{"selection_id", *scopes[t]}};
        HttpResult result = post(kJobs + "/claim", body);
        std::lock_guard lock(mutex);
        ASSERT_EQ(result.status, 200) << result.body;
        const nlohmann::json answer = result.json();
        for (const auto& job : answer["jobs"]) {
          claimed_jobs.push_back(job["job_id"]);
          assets_by_scope[scopes[t].value_or("")].insert(job["asset"]["url"]);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(std::set<std::string>(claimed_jobs.begin(), claimed_jobs.end()).size(), claimed_jobs.size());
  std::set<std::string> in_a(first.begin(), first.end()), in_b(second.begin(), second.end());
  for (const auto& url : assets_by_scope[scope_a]) EXPECT_TRUE(in_a.count(url)) << url;
  for (const auto& url : assets_by_scope[scope_b]) EXPECT_TRUE(in_b.count(url)) << url;
  EXPECT_EQ(claimed_jobs.size(), static_cast<std::size_t>(kItems));  // all claimed, none twice
}

TEST_P(AdminJobsTest, RegenerateRendersAgainAndRecordsProvenance) {
  ASSERT_EQ(upload("job-1", 10).status, 200);  // the spec's upload, no new fields: still accepted
  nlohmann::json before = row("job-1");
  EXPECT_EQ(before["thumbnail_source"], "generated");
  EXPECT_TRUE(before["renderer_version"].is_null());
  EXPECT_EQ(before["job_state"], "done");

  HttpResult made = post(kJobs + "/regenerate", {{"asset_ids", {"job-1", "owner-thumb", "imported-thumb", "job-2"}}});
  ASSERT_EQ(made.status, 200) << made.body;
  EXPECT_EQ(made.json()["created"], 2);  // job-1 and the imported one
  EXPECT_EQ(made.json()["skipped_owner"], 1);
  EXPECT_EQ(made.json()["skipped_missing"], 1);
  EXPECT_EQ(row("job-1")["job_state"], "queued");

  std::string scope = selection({"job-1", "imported-thumb", "owner-thumb"});
  nlohmann::json jobs = claim({{"scope", {{"selection_id", scope}}}});
  ASSERT_EQ(asset_urls(jobs), (std::set<std::string>{"job-1", "imported-thumb"}));
  for (const auto& job : jobs) {
    EXPECT_TRUE(job["asset"]["thumbnail_url"].is_string()) << job.dump();
    EXPECT_TRUE(job["asset"]["thumbnail_source"].is_string()) << job.dump();
  }
  const nlohmann::json& job = jobs[0]["asset"]["url"] == "job-1" ? jobs[0] : jobs[1];
  const nlohmann::json camera = {
      {"position", {0, 1, 4}}, {"target", {0, 0, 0}}, {"up", {0, 1, 0}}, {"fov_y_degrees", 45}};
  EXPECT_EQ(complete(job, 99, {{"renderer_version", std::string(101, 'v')}}).status, 400);
  EXPECT_EQ(complete(job, 99, {{"camera", {{"position", {0, 0, 0}}}}}).status, 400);
  HttpResult done = complete(job, 99, {{"renderer_version", "thumbgen-web 2.0"}, {"camera", camera}});
  ASSERT_EQ(done.status, 200) << done.body;
  nlohmann::json after = row("job-1");
  EXPECT_NE(after["thumbnail_url"], before["thumbnail_url"]);
  EXPECT_EQ(after["thumbnail_source"], "generated");
  EXPECT_EQ(after["renderer_version"], "thumbgen-web 2.0");
  EXPECT_EQ(after["thumbnail_camera"]["position"], nlohmann::json({0.0, 1.0, 4.0}));
  EXPECT_EQ(after["job_state"], "done");
  EXPECT_EQ(get("/api/v1/admin/assets?renderer_version=thumbgen-web%202.0").json()["total_count"], 1);
  EXPECT_EQ(complete(job, 98).status, 409);  // the job is done: its token no longer completes

  // Owners' thumbnails only when asked.
  HttpResult replace = post(kJobs + "/regenerate", {{"selection_id", scope}, {"replace_owner_thumbnails", true}});
  ASSERT_EQ(replace.status, 200) << replace.body;
  EXPECT_EQ(replace.json()["created"], 2);  // job-1 again and owner-thumb; imported-thumb is still leased
  EXPECT_EQ(replace.json()["skipped_owner"], 0);
  EXPECT_EQ(post(kJobs + "/regenerate", {{"asset_ids", {"nope"}}}).status, 404);
  EXPECT_EQ(post(kJobs + "/regenerate", {{"asset_ids", {"job-1"}}, {"replace_owner_thumbnails", "no"}}).status, 400);
  EXPECT_EQ(post(kJobs + "/regenerate", nlohmann::json::object()).status, 400);
}

// Review of issue 11: the camera a completion reports is what the renderer used, a fact to record: the limits of a
// camera to render with (PUT .../camera) do not apply, so a good thumbnail of a far-out model is never refused (a
// 400 there made `thumbgen work` fail the job for good and drop the image).
TEST_P(AdminJobsTest, TheCameraARendererUsedIsRecordedAsItCame) {
  nlohmann::json jobs = claim({{"max", 1}});
  ASSERT_EQ(jobs.size(), 1u);
  const nlohmann::json camera = {
      {"position", {1e20, 0, 0}}, {"target", {0, 0, 0}}, {"up", {0, 1, 0}}, {"fov_y_degrees", 45}};
  HttpResult done = complete(jobs[0], 77, {{"camera", camera}});
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(row(jobs[0]["asset"]["url"])["thumbnail_camera"]["position"], nlohmann::json({1e20, 0.0, 0.0}));
}

TEST_P(AdminJobsTest, RetryFailedCanBeLimitedToASelection) {
  std::string scope = selection({"job-7", "job-8"});
  nlohmann::json jobs = claim({{"scope", {{"selection_id", scope}}}});
  ASSERT_EQ(jobs.size(), 2u);
  for (const auto& job : jobs) {
    HttpResult failed = post(kJobs + "/" + job["job_id"].get<std::string>() + "/fail",
                             {{"fencing_token", job["fencing_token"]}, {"reason", "bad model"}, {"retryable", false}});
    ASSERT_EQ(failed.status, 200) << failed.body;
  }
  nlohmann::json other = claim({{"max", 1}});
  ASSERT_EQ(other.size(), 1u);
  ASSERT_EQ(post(kJobs + "/" + other[0]["job_id"].get<std::string>() + "/fail",
                 {{"fencing_token", other[0]["fencing_token"]}, {"retryable", false}})
                .status,
            200);
  EXPECT_EQ(row("job-7")["job_state"], "dead");
  EXPECT_EQ(row("job-7")["last_error"], "bad model");
  EXPECT_EQ(get("/api/v1/admin/assets?thumbnail=failed").json()["total_count"], 3);
  HttpResult retried = post(kJobs + "/retry-failed", {{"selection_id", scope}});
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(retried.json()["requeued"], 2);
  EXPECT_EQ(row("job-7")["job_state"], "queued");

  // A retryable failure waits out its backoff: "backing_off", listed under "failed" and "empty" alike.
  std::string later = selection({"job-30"});
  nlohmann::json retry = claim({{"scope", {{"selection_id", later}}}});
  ASSERT_EQ(retry.size(), 1u);
  ASSERT_EQ(post(kJobs + "/" + retry[0]["job_id"].get<std::string>() + "/fail",
                 {{"fencing_token", retry[0]["fencing_token"]}, {"reason", "timeout"}})
                .status,
            200);
  EXPECT_EQ(row("job-30")["job_state"], "backing_off");
  EXPECT_EQ(row("job-30")["attempts"], 1);
  EXPECT_EQ(get("/api/v1/admin/assets?thumbnail=failed&q=job-30").json()["total_count"], 1);
  EXPECT_EQ(get("/api/v1/admin/assets?thumbnail=empty&q=job-30").json()["total_count"], 1);
}

TEST_P(AdminJobsTest, RenderSettingsFollowSavedThenRunThenPresentation) {
  const nlohmann::json saved = {
      {"position", {3, 2, 1}}, {"target", {0, 0.5, 0}}, {"up", {0, 1, 0}}, {"fov_y_degrees", 35}};
  ASSERT_EQ(put("/api/v1/admin/assets/job-0/camera", {{"camera", saved}}).status, 200);
  std::string scope = selection({"job-0", "job-9"});
  const nlohmann::json render = {
      {"width", 640}, {"height", 360}, {"background", "#ABC"}, {"camera", {{"yaw", 10}, {"pitch", -5}, {"fov", 50}}}};
  for (const nlohmann::json& bad : std::vector<nlohmann::json>{{{"width", 0}},
                                                               {{"width", 100000}},
                                                               {{"background", "red"}},
                                                               {{"camera", {{"pitch", 95}}}},
                                                               {{"camera", "auto"}}}) {
    EXPECT_EQ(post(kJobs + "/claim", {{"render", bad}}).status, 400) << bad.dump();
  }
  nlohmann::json jobs = claim({{"scope", {{"selection_id", scope}}}, {"render", render}});
  ASSERT_EQ(jobs.size(), 2u);
  for (const auto& job : jobs) {
    const nlohmann::json& settings = job["render_settings"];
    EXPECT_EQ(settings["width"], 640);
    EXPECT_EQ(settings["height"], 360);
    EXPECT_EQ(settings["background"], "#aabbcc");
    EXPECT_TRUE(settings["presentation"].is_null());
    if (job["asset"]["url"] == "job-0") {
      EXPECT_EQ(settings["camera"]["source"], "saved");
      EXPECT_EQ(settings["camera"]["position"], nlohmann::json({3.0, 2.0, 1.0}));
      EXPECT_EQ(settings["camera"]["fov_y_degrees"], 35.0);
    } else {
      EXPECT_EQ(settings["camera"], nlohmann::json({{"source", "run"}, {"yaw", 10.0}, {"pitch", -5.0}, {"fov", 50.0}}));
    }
  }

  // Without run settings: the gallery's presentation (camera, background, orienting rotation) as stored.
  ASSERT_EQ(post(kJobs + "/regenerate", {{"asset_ids", {"imported-thumb"}}}).status, 200);
  std::string imported_scope = selection({"imported-thumb"});
  nlohmann::json imported = claim({{"scope", {{"selection_id", imported_scope}}}});
  ASSERT_EQ(imported.size(), 1u);
  const nlohmann::json& settings = imported[0]["render_settings"];
  EXPECT_TRUE(settings["width"].is_null());
  EXPECT_EQ(settings["background"], "#ffaa00");
  EXPECT_EQ(settings["camera"]["source"], "presentation");
  EXPECT_EQ(settings["camera"]["fov"], 30);
  EXPECT_EQ(settings["orienting_rotation"], nlohmann::json({0.5, 0.0, 0.0, 0.5}));
  EXPECT_EQ(settings["presentation"]["backgroundColor"], "#FFAA00");
  EXPECT_EQ(imported[0]["asset"]["thumbnail_source"], "imported");
  EXPECT_EQ(imported[0]["asset"]["thumbnail_url"], "https://cdn.example/imported.jpg");
}

TEST_P(AdminJobsTest, SavingACameraWithRequeueRendersTheAssetAgain) {
  ASSERT_EQ(upload("job-11", 12).status, 200);
  EXPECT_EQ(row("job-11")["job_state"], "done");
  const nlohmann::json camera = {
      {"position", {0, 0, 3}}, {"target", {0, 0, 0}}, {"up", {0, 1, 0}}, {"fov_y_degrees", 60}};
  HttpResult saved = put("/api/v1/admin/assets/job-11/camera", {{"camera", camera}, {"requeue", true}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.json()["requeued"], true);
  std::string scope = selection({"job-11"});
  nlohmann::json jobs = claim({{"scope", {{"selection_id", scope}}}});
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]["render_settings"]["camera"]["source"], "saved");
  // Leased now: a second requeue has nothing to queue.
  EXPECT_EQ(put("/api/v1/admin/assets/job-11/camera", {{"camera", camera}, {"requeue", true}}).json()["requeued"],
            false);
}

TEST_P(AdminJobsTest, TheSavedUpAxisRidesInTheClaimsRenderSettings) {
  ASSERT_EQ(upload("job-12", 12).status, 200);
  HttpResult saved = put("/api/v1/admin/assets/job-12/orientation", {{"up", "+Z"}, {"requeue", true}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.json()["requeued"], true);
  ASSERT_EQ(post(kJobs + "/regenerate", {{"asset_ids", {"job-13"}}}).status, 200);
  nlohmann::json jobs = claim({{"scope", {{"selection_id", selection({"job-12", "job-13"})}}}});
  ASSERT_EQ(jobs.size(), 2u);
  for (const auto& job : jobs) {
    const nlohmann::json& settings = job["render_settings"];
    ASSERT_TRUE(settings.contains("up")) << settings.dump();
    if (job["asset"]["url"] == "job-12") {
      EXPECT_EQ(settings["up"], "+Z");
    } else {
      EXPECT_TRUE(settings["up"].is_null()) << "an asset without one: the file decides";
    }
  }
}

TEST_P(AdminJobsTest, ImportMarksTheThumbnailsItBrings) {
  const std::filesystem::path file = server_->data().parent_path() / "gallery.json";
  std::ofstream(file) << R"([
    {"assetId": "from-gallery", "id": 400, "name": "Gallery piece", "thumbnail": {"url": "https://cdn.example/g.png"},
     "formats": [{"formatType": "GLB", "root": {"url": "https://cdn.example/g.glb"}}]},
    {"assetId": "owner-upload", "id": 401, "name": "Owner piece", "thumbnail": {"url": "https://cdn.example/o.png"},
     "thumbnailSource": "owner", "formats": [{"formatType": "GLB", "root": {"url": "https://cdn.example/o.glb"}}]}
  ])";
  ASSERT_EQ(server_->import({"--json", file.string()}), 0);
  EXPECT_EQ(row("from-gallery")["thumbnail_source"], "imported");
  EXPECT_EQ(row("owner-upload")["thumbnail_source"], "owner");
  HttpResult made = post(kJobs + "/regenerate", {{"asset_ids", {"from-gallery", "owner-upload"}}});
  EXPECT_EQ(made.json()["created"], 1);
  EXPECT_EQ(made.json()["skipped_owner"], 1);
}

}  // namespace
}  // namespace thumbgen
