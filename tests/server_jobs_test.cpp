// The claim protocol of `thumbgen work` over real HTTP on loopback against a real `thumbgen serve` process with a
// temporary catalogue (one fresh server per test, so tests never see each other's claims).
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "render/encode.h"
#include "server/catalogue.h"
#include "support/http_client.h"
#include "support/server_fixtures.h"
#include "support/server_login.h"
#include "support/server_process.h"
#include "support/test_database.h"
#include "util/base64.h"

namespace thumbgen {
namespace {

using server::AssetRecord;
using server::Catalogue;
using namespace test;

constexpr int kAssets = 200;
const std::string kJobs = "/api/v1/admin/thumbnail-jobs";

class ServerJobsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>();
    database_ = std::make_unique<TestDatabase>(GetParam(), server_->data());
    server_->use_database(database_->setting());
    ASSERT_EQ(server_->add_user("admin", "admin-password", true), 0);
    ASSERT_EQ(server_->add_user("viewer", "viewer-password", false), 0);
    {
      std::filesystem::create_directories(server_->data());
      Catalogue catalogue(server_->catalogue_target(), 1);
      for (int i = 0; i < kAssets; ++i) catalogue.upsert_asset(test_asset("asset-" + std::to_string(i), 1000 + i));
      catalogue.upsert_asset(test_asset("not-viewable", 5000, false));
    }
    server_->start({}, {"THUMBGEN_MIN_LEASE_SECONDS=1", "THUMBGEN_MAX_ATTEMPTS=2"});
    token_ = login_token(server_->port(), "admin", "admin-password");
    viewer_token_ = login_token(server_->port(), "viewer", "viewer-password");
    ASSERT_FALSE(token_.empty()) << server_->log();
  }

  HttpResult post(const std::string& target, const nlohmann::json& body, const std::string& token) {
    return http_request(server_->port(), "POST", target, body.dump(), bearer(token));
  }
  HttpResult post(const std::string& target, const nlohmann::json& body) { return post(target, body, token_); }
  HttpResult get(const std::string& target, const std::string& token) {
    return http_request(server_->port(), "GET", target, "", bearer(token));
  }
  nlohmann::json claim(int max, int lease_seconds = 300, const std::string& worker = "test:1") {
    HttpResult result = post(kJobs + "/claim", {{"worker", worker}, {"max", max}, {"lease_seconds", lease_seconds}});
    EXPECT_EQ(result.status, 200) << result.body;
    return result.json()["jobs"];
  }
  // Once the 1 s lease of the only claimable job has run out (THUMBGEN_MIN_LEASE_SECONDS=1), that job claimed by
  // `worker`: asks every 50 ms rather than sleeping a fixed time (the server counts whole seconds: at most 1 s).
  nlohmann::json claim_when_lease_expires(const std::string& worker) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      HttpResult result = post(kJobs + "/claim", {{"worker", worker}, {"max", 1}, {"lease_seconds", 300}});
      if (result.status != 200) {
        ADD_FAILURE() << result.body;
        return nullptr;
      }
      if (!result.json()["jobs"].empty()) return result.json()["jobs"][0];
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "no lease expired within 10 s";
    return nullptr;
  }
  std::string job_path(const nlohmann::json& job, const std::string& action) {
    return kJobs + "/" + job["job_id"].get<std::string>() + "/" + action;
  }
  HttpResult complete(const nlohmann::json& job, const std::string& image_base64) {
    return post(job_path(job, "complete"),
                {{"fencing_token", job["fencing_token"]}, {"thumbnail_base64", image_base64}});
  }
  // Never-tried jobs come before expired leases: lease the other kAssets - 1 (long leases, exact counts so the
  // expiring job is never among them) so the expired one is next.
  void drain_never_tried() {
    EXPECT_EQ(claim(100, 3600, "drain:1").size(), 100u);
    EXPECT_EQ(claim(kAssets - 101, 3600, "drain:1").size(), static_cast<std::size_t>(kAssets - 101));
  }
  Catalogue& catalogue() {
    if (!catalogue_) catalogue_ = std::make_unique<Catalogue>(server_->catalogue_target(), 1);
    return *catalogue_;
  }
  std::set<std::string> missing_urls() {
    std::set<std::string> urls;
    auto page = get("/api/v1/admin/assets/missing-thumbnails?limit=100&viewer_compatible_only=false", token_).json();
    for (const auto& item : page["assets"]) urls.insert(item["url"].get<std::string>());
    return urls;
  }
  nlohmann::json listed(const std::string& url) {
    for (int offset = 0; offset < kAssets + 1; offset += 100) {
      auto page = get("/api/v1/admin/assets/missing-thumbnails?limit=100&viewer_compatible_only=false&offset=" +
                          std::to_string(offset),
                      token_)
                      .json();
      for (const auto& item : page["assets"])
        if (item["url"] == url) return item;
    }
    return nullptr;
  }

  std::unique_ptr<TestDatabase> database_;  // dropped after the server has stopped
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Catalogue> catalogue_;
  std::string token_, viewer_token_;
};
INSTANTIATE_TEST_SUITE_P(Backends, ServerJobsTest, kBothBackends, backend_name);

TEST_P(ServerJobsTest, EveryJobEndpointRequiresAStaffToken) {
  const std::vector<std::pair<std::string, std::string>> endpoints = {
      {"POST", kJobs + "/claim"},
      {"POST", kJobs + "/1/heartbeat"},
      {"POST", kJobs + "/1/complete"},
      {"POST", kJobs + "/1/fail"},
      {"POST", kJobs + "/1/skip"},
      {"POST", kJobs + "/1/release"},
      {"POST", kJobs},
      {"POST", kJobs + "/retry-failed"},
      {"GET", kJobs + "/stats"},
  };
  for (const auto& [method, target] : endpoints) {
    HttpResult none = http_request(server_->port(), method, target, "{}");
    EXPECT_EQ(none.status, 401) << target;
    EXPECT_EQ(none.json()["detail"], "JWT token required") << target;
    HttpResult bad = http_request(server_->port(), method, target, "{}", {{"Authorization", "Bearer x.y.z"}});
    EXPECT_EQ(bad.status, 401) << target;
    EXPECT_EQ(bad.json()["detail"], "Invalid or expired token") << target;
    HttpResult forbidden = http_request(server_->port(), method, target, "{}", bearer(viewer_token_));
    EXPECT_EQ(forbidden.status, 403) << target;
    EXPECT_EQ(forbidden.json()["detail"], "Admin access required") << target;
  }
  EXPECT_EQ(get(kJobs + "/stats", token_).status, 200);
}

TEST_P(ServerJobsTest, ClaimAnswersTheContractShape) {
  nlohmann::json jobs = claim(2);
  ASSERT_EQ(jobs.size(), 2u);
  const auto& job = jobs[0];
  EXPECT_TRUE(job["job_id"].is_string());
  EXPECT_TRUE(job["fencing_token"].is_string());
  EXPECT_NE(job["fencing_token"], jobs[1]["fencing_token"]);
  EXPECT_TRUE(job["lease_expires_at"].get<std::string>().ends_with("Z"));
  EXPECT_EQ(job["attempt"], 1);
  const auto& item = job["asset"];
  EXPECT_EQ(item["id"], 1000);
  EXPECT_EQ(item["id_str"], "1000");
  EXPECT_EQ(item["url"], "asset-0");
  EXPECT_EQ(item["name"], "Name of asset-0");
  EXPECT_EQ(item["owner_displayname"], "Owner");
  EXPECT_EQ(item["formats"][0]["format_type"], "GLB");
  EXPECT_EQ(item["formats"][0]["root_url"], "https://cdn.example/asset-0.glb");
  EXPECT_EQ(item["formats"][0]["is_preferred"], true);

  EXPECT_EQ(post(kJobs + "/claim", {{"max", 0}}).status, 400);
  EXPECT_EQ(post(kJobs + "/claim", {{"max", 101}}).status, 400);
  EXPECT_EQ(post(kJobs + "/claim", {{"lease_seconds", 0}}).status, 400);
  EXPECT_EQ(post(kJobs + "/claim", {{"lease_seconds", 3601}}).status, 400);
  EXPECT_EQ(http_request(server_->port(), "POST", kJobs + "/claim", "{nope", bearer(token_)).status, 400);
  EXPECT_EQ(claim(100, 300).size(), 100u);  // defaults and bounds: 1..100
}

// The worker fetches exactly the files the catalogue publishes with each format: the claim answer lists them (the
// main file first), each with its URL and, for files the server serves itself, its path in the asset's folder.
TEST_P(ServerJobsTest, ClaimAnswerListsEachFormatsPublishedFiles) {
  AssetRecord asset = test_asset("with-files", 9000);
  asset.files_root = "/srv/models/with-files";
  asset.formats = {{"GLTF2",
                    "scene.gltf",
                    true,
                    {{"scene.gltf", "model/gltf+json"},
                     {"scene.bin", "application/octet-stream"},
                     {"textures/a b.png", "image/png"}}},
                   {"GLB", "https://cdn.example/with-files.glb", false, {}}};
  catalogue().upsert_asset(asset);  // queued with the others: claim them all
  nlohmann::json item;
  for (int round = 0; round < 3 && item.is_null(); ++round) {
    for (const auto& job : claim(100, 3600, "files:1"))
      if (job["asset"]["url"] == "with-files") item = job["asset"];
  }
  ASSERT_FALSE(item.is_null());
  const std::string files = "http://127.0.0.1:" + std::to_string(server_->port()) + "/files/with-files/";
  ASSERT_EQ(item["formats"].size(), 2u) << item.dump();
  const auto& gltf = item["formats"][0];
  EXPECT_EQ(gltf["root_url"], files + "scene.gltf");
  EXPECT_EQ(gltf["files"], nlohmann::json::parse(R"([
      {"path": "scene.gltf", "url": ")" + files + R"(scene.gltf"},
      {"path": "scene.bin", "url": ")" + files + R"(scene.bin"},
      {"path": "textures/a b.png", "url": ")" + files +
                                                 R"(textures/a%20b.png"}])"))
      << item.dump();
  // A remote format without a resource list: its main file alone, by URL.
  EXPECT_EQ(item["formats"][1]["files"], nlohmann::json::parse(R"([{"url": "https://cdn.example/with-files.glb"}])"));
}

TEST_P(ServerJobsTest, ConcurrentClaimersGetEveryAssetExactlyOnce) {
  constexpr int kThreads = 8, kClaimsPerThread = 50;
  std::mutex mutex;
  std::map<std::string, int> claims_per_asset;
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kClaimsPerThread; ++i) {
        HttpResult result =
            post(kJobs + "/claim", {{"worker", "w:" + std::to_string(t)}, {"max", 1}, {"lease_seconds", 300}});
        if (result.status != 200) {
          ++errors;
          continue;
        }
        nlohmann::json body = result.json();
        std::lock_guard lock(mutex);
        for (const auto& job : body["jobs"]) ++claims_per_asset[job["asset"]["url"].get<std::string>()];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(claims_per_asset.size(), static_cast<std::size_t>(kAssets));
  for (const auto& [url, count] : claims_per_asset) EXPECT_EQ(count, 1) << url;
  auto stats = get(kJobs + "/stats", token_).json();
  EXPECT_EQ(stats["leased"], kAssets);
  EXPECT_EQ(stats["queued"], 0);
}

TEST_P(ServerJobsTest, AnExpiredLeaseReturnsTheJobAndFencesTheOldHolder) {
  nlohmann::json old = claim(1, 1)[0];
  drain_never_tried();
  nlohmann::json fresh = claim_when_lease_expires("test:2");
  EXPECT_EQ(fresh["job_id"], old["job_id"]);
  EXPECT_EQ(fresh["attempt"], 2);

  HttpResult beat = post(job_path(old, "heartbeat"), {{"fencing_token", old["fencing_token"]}, {"lease_seconds", 60}});
  EXPECT_EQ(beat.status, 409);
  EXPECT_EQ(beat.json()["detail"], "Stale fencing token");
  EXPECT_EQ(complete(old, base64(test_jpeg(10))).status, 409);
  EXPECT_FALSE(catalogue().thumbnail_of(1000).has_value());  // nothing stored
  EXPECT_EQ(post(job_path(old, "fail"), {{"fencing_token", old["fencing_token"]}, {"reason", "late"}}).status, 409);

  HttpResult current =
      post(job_path(fresh, "heartbeat"), {{"fencing_token", fresh["fencing_token"]}, {"lease_seconds", 60}});
  EXPECT_EQ(current.status, 200) << current.body;
  EXPECT_EQ(current.json()["cancel"], false);
  EXPECT_EQ(post(kJobs + "/999999/heartbeat", {{"fencing_token", "1"}}).status, 404);
  EXPECT_EQ(post(job_path(fresh, "heartbeat"), {{"lease_seconds", 60}}).status, 400);
}

TEST_P(ServerJobsTest, CompleteStoresThroughTheUploadValidation) {
  nlohmann::json job = claim(1)[0];
  ASSERT_TRUE(missing_urls().contains("asset-0"));
  std::vector<std::uint8_t> corrupt = test_jpeg(30);
  corrupt.resize(corrupt.size() / 2);
  HttpResult bad = complete(job, base64(corrupt));
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(complete(job, "@@@").status, 400);
  EXPECT_EQ(complete(job, "R0lGODlhAQABAAAAACw=").status, 415);
  EXPECT_EQ(get(kJobs + "/stats", token_).json()["leased"], 1);  // still leased

  HttpResult good = complete(job, base64(test_jpeg(120)));
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(good.json()["success"], true);
  EXPECT_EQ(good.json()["asset_url"], "asset-0");
  std::string thumbnail_url = good.json()["thumbnail_url"];
  std::string key = *catalogue().thumbnail_of(1000);
  EXPECT_TRUE(thumbnail_url.ends_with(key)) << thumbnail_url;
  EXPECT_EQ(get("/media/" + key, "").status, 200);
  EXPECT_FALSE(missing_urls().contains("asset-0"));
  auto stats = get(kJobs + "/stats", token_).json();
  EXPECT_EQ(stats["done"], 1);
  EXPECT_EQ(stats["leased"], 0);
  EXPECT_EQ(complete(job, base64(test_jpeg(121))).status, 409);  // once done, the token is spent
  EXPECT_EQ(*catalogue().thumbnail_of(1000), key);
}

TEST_P(ServerJobsTest, TheSpecUploadTakesTheAssetOutOfTheQueue) {
  nlohmann::json job = claim(1)[0];
  ASSERT_EQ(post("/api/v1/admin/assets/asset-0/thumbnail", {{"thumbnail_base64", base64(test_jpeg(50))}}).status, 200);
  std::string key = *catalogue().thumbnail_of(1000);
  EXPECT_EQ(complete(job, base64(test_jpeg(60))).status, 409);
  EXPECT_EQ(*catalogue().thumbnail_of(1000), key);
  EXPECT_EQ(post(job_path(job, "heartbeat"), {{"fencing_token", job["fencing_token"]}}).status, 409);
  EXPECT_EQ(get(kJobs + "/stats", token_).json()["done"], 1);
}

TEST_P(ServerJobsTest, FailuresBackOffDieAfterMaxAttemptsAndRetryFailedRequeues) {
  // THUMBGEN_MAX_ATTEMPTS=2: one lease lost, then a reported failure makes it dead.
  nlohmann::json first = claim(1, 1)[0];
  drain_never_tried();
  nlohmann::json second = claim_when_lease_expires("test:1");
  ASSERT_EQ(second["job_id"], first["job_id"]);
  HttpResult failed =
      post(job_path(second, "fail"),
           {{"fencing_token", second["fencing_token"]}, {"reason", "loader crashed"}, {"retryable", true}});
  ASSERT_EQ(failed.status, 200) << failed.body;
  EXPECT_EQ(failed.json()["success"], true);
  EXPECT_EQ(failed.json()["attempts"], 2);
  EXPECT_EQ(failed.json()["state"], "dead");
  EXPECT_TRUE(failed.json()["next_attempt_at"].is_string());
  nlohmann::json item = listed("asset-0");
  EXPECT_EQ(item["thumbnail_state"], "dead");
  EXPECT_EQ(item["thumbnail_attempts"], 2);
  EXPECT_EQ(item["thumbnail_last_error"], "loader crashed");
  EXPECT_EQ(item["id_str"], "1000");  // the spec's fields stay

  // A retryable first failure backs off for 60 s: the job is not handed out again now.
  ASSERT_EQ(post(kJobs, {{"asset_ids", nlohmann::json::array({"not-viewable"})}}).json()["created"], 1);
  nlohmann::json other = claim(1)[0];
  ASSERT_EQ(other["asset"]["url"], "not-viewable");
  HttpResult backoff =
      post(job_path(other, "fail"), {{"fencing_token", other["fencing_token"]}, {"reason", "timeout"}});
  ASSERT_EQ(backoff.status, 200);
  EXPECT_EQ(backoff.json()["state"], "queued");
  EXPECT_EQ(backoff.json()["attempts"], 1);
  EXPECT_TRUE(claim(100).empty());  // neither the backed-off nor the dead job

  EXPECT_EQ(get(kJobs + "/stats", token_).json()["dead"], 1);
  HttpResult retried = post(kJobs + "/retry-failed", {{"asset_ids", nlohmann::json::array({"asset-0"})}});
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(retried.json()["requeued"], 1);
  nlohmann::json revived = claim(1)[0];
  EXPECT_EQ(revived["job_id"], first["job_id"]);
  EXPECT_EQ(revived["attempt"], 1);
  EXPECT_EQ(post(kJobs + "/retry-failed", nlohmann::json::object()).json()["requeued"], 0);
}

TEST_P(ServerJobsTest, ReleaseHandsTheJobBackUntriedAndInItsPlace) {
  nlohmann::json job = claim(1)[0];
  ASSERT_EQ(job["asset"]["url"], "asset-0");
  HttpResult released = post(job_path(job, "release"), {{"fencing_token", job["fencing_token"]}});
  ASSERT_EQ(released.status, 200) << released.body;
  EXPECT_EQ(released.json()["success"], true);
  EXPECT_EQ(released.json()["attempts"], 0);
  EXPECT_EQ(released.json()["state"], "queued");
  EXPECT_EQ(get(kJobs + "/stats", token_).json()["leased"], 0);
  // First in the queue again, at once (no backoff), and still its first attempt.
  nlohmann::json again = claim(1)[0];
  EXPECT_EQ(again["job_id"], job["job_id"]);
  EXPECT_EQ(again["attempt"], 1);
  EXPECT_EQ(post(job_path(job, "release"), {{"fencing_token", job["fencing_token"]}}).status, 409);
  EXPECT_EQ(post(job_path(again, "release"), nlohmann::json::object()).status, 400);
  EXPECT_EQ(post(kJobs + "/999999/release", {{"fencing_token", "1"}}).status, 404);
  nlohmann::json item = listed("asset-0");
  EXPECT_EQ(item["thumbnail_attempts"], 1);
}

TEST_P(ServerJobsTest, SkipAsksTheHolderToCancel) {
  nlohmann::json job = claim(1)[0];
  HttpResult skip = post(job_path(job, "skip"), nlohmann::json::object());
  ASSERT_EQ(skip.status, 200) << skip.body;
  EXPECT_EQ(skip.json()["success"], true);
  HttpResult beat = post(job_path(job, "heartbeat"), {{"fencing_token", job["fencing_token"]}, {"lease_seconds", 60}});
  ASSERT_EQ(beat.status, 200);
  EXPECT_EQ(beat.json()["cancel"], true);
  HttpResult failed =
      post(job_path(job, "fail"),
           {{"fencing_token", job["fencing_token"]}, {"reason", "skipped by admin"}, {"retryable", false}});
  EXPECT_EQ(failed.json()["state"], "dead");
  EXPECT_EQ(post(kJobs + "/424242/skip", nlohmann::json::object()).status, 404);
}

TEST_P(ServerJobsTest, ExplicitJobsMakeANonViewerCompatibleAssetClaimable) {
  EXPECT_EQ(claim(100).size(), 100u);
  EXPECT_EQ(claim(100).size(), 100u);
  EXPECT_TRUE(claim(100).empty());  // not-viewable is not in the queue
  HttpResult created = post(kJobs, {{"asset_ids", nlohmann::json::array({"not-viewable"})}});
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.json()["created"], 1);
  nlohmann::json jobs = claim(100);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]["asset"]["url"], "not-viewable");
  EXPECT_EQ(post(kJobs, {{"asset_ids", nlohmann::json::array({"5000"})}}).status, 200);  // ids work too
  EXPECT_EQ(post(kJobs, {{"asset_ids", nlohmann::json::array({"no-such-asset"})}}).status, 404);
  EXPECT_EQ(post(kJobs, {{"asset_ids", "not-a-list"}}).status, 400);
  EXPECT_EQ(post(kJobs, nlohmann::json::object()).status, 400);
}

TEST_P(ServerJobsTest, StatsCountEveryState) {
  auto stats = get(kJobs + "/stats", token_).json();
  EXPECT_EQ(stats["queued"], kAssets);
  EXPECT_EQ(stats["leased"], 0);
  nlohmann::json jobs = claim(3);
  ASSERT_EQ(complete(jobs[0], base64(test_jpeg(1))).status, 200);
  ASSERT_EQ(post(job_path(jobs[1], "fail"), {{"fencing_token", jobs[1]["fencing_token"]}, {"retryable", false}}).status,
            200);
  stats = get(kJobs + "/stats", token_).json();
  EXPECT_EQ(stats["queued"], kAssets - 3);
  EXPECT_EQ(stats["leased"], 1);
  EXPECT_EQ(stats["done"], 1);
  EXPECT_EQ(stats["dead"], 1);
}

}  // namespace
}  // namespace thumbgen
