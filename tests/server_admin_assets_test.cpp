// The admin web app's asset listing, selections, per-asset camera (issue 11) and up axis (issue 12) over real HTTP
// against a real `thumbgen serve`: auth and limits on every route, search, filters, sort orders, keyset paging while
// the set shrinks, "Select all N matching", camera and up axis validation.
#include <gtest/gtest.h>

#include <set>

#include "server/catalogue_admin.h"
#include "support/admin_server.h"
#include "support/scratch_dir.h"
#include "support/server_fixtures.h"

namespace thumbgen {
namespace {

using server::AssetRecord;
using namespace test;

const std::string kAssets = "/api/v1/admin/assets";
const std::string kSelections = "/api/v1/admin/selections";
constexpr int kItems = 40;

std::vector<AssetRecord> catalogue_records() {
  std::vector<AssetRecord> records;
  for (int i = 0; i < kItems; ++i) {
    char url[16];
    std::snprintf(url, sizeof url, "item-%02d", i);
    AssetRecord record = test_asset(url, 1 + i);
    // Mixed case, so the name order is case-insensitive only if the server makes it so.
    record.name = (i % 2 ? "item " : "Item ") + std::string(url + 5);
    record.owner_displayname = i % 3 ? "Owner A" : "Owner B";
    records.push_back(record);
  }
  AssetRecord teapot = test_asset("teapot", 50);
  teapot.name = "Teapot Classic";
  teapot.owner_displayname = "Utah Graphics";
  teapot.formats = {{"OBJ", "https://cdn.example/teapot.obj", true, {}}};
  records.push_back(teapot);
  AssetRecord fox = test_asset("fox", 51, /*compatible=*/false);
  fox.name = "Quiet Fox";
  fox.formats = {{"FBX", "https://cdn.example/fox.fbx", true, {}}};
  fox.presentation_params_json = R"({"backgroundColor":"#102030","orientingRotation":{"w":1}})";
  records.push_back(fox);
  AssetRecord imported = test_asset("imported", 60);
  imported.thumbnail = "https://cdn.example/t60.jpg";
  records.push_back(imported);
  AssetRecord owner = test_asset("owners", 61);
  owner.thumbnail = "https://cdn.example/t61.jpg";
  owner.thumbnail_source = "owner";
  records.push_back(owner);
  return records;
}

class AdminAssetsTest : public AdminServerTest {
 protected:
  void SetUp() override { start_with(catalogue_records()); }

  nlohmann::json list(const std::string& query) {
    HttpResult result = get(kAssets + "?" + query);
    EXPECT_EQ(result.status, 200) << query << ": " << result.body;
    return result.json();
  }
  std::vector<std::string> urls(const nlohmann::json& page) {
    std::vector<std::string> out;
    for (const auto& row : page["assets"]) out.push_back(row["url"]);
    return out;
  }
  // Every url of the listing for `query`, page by page (`limit` rows each).
  std::vector<std::string> all_urls(const std::string& query, int limit) {
    std::vector<std::string> out;
    std::string cursor;
    for (int pages = 0; pages < 100; ++pages) {
      nlohmann::json page =
          list(query + "&limit=" + std::to_string(limit) + (cursor.empty() ? "" : "&after=" + cursor));
      for (const auto& url : urls(page)) out.push_back(url);
      if (!page["has_more"].get<bool>()) break;
      cursor = page["next_cursor"];
    }
    return out;
  }
  std::string selection_of(const nlohmann::json& body) {
    HttpResult result = post(kSelections, body);
    EXPECT_EQ(result.status, 200) << result.body;
    return result.json().value("selection_id", "");
  }
};
INSTANTIATE_TEST_SUITE_P(Backends, AdminAssetsTest, test::kBothBackends, test::backend_name);

TEST_P(AdminAssetsTest, EveryRouteRequiresAStaffTokenBeforeItsBody) {
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", kAssets},
      {"PUT", kAssets + "/1/camera"},
      {"PUT", kAssets + "/1/orientation"},
      {"POST", kSelections},
      {"GET", kSelections + "/0123456789abcdef0123456789abcdef"},
      {"POST", "/api/v1/admin/thumbnail-jobs/regenerate"},
  };
  for (const auto& [method, target] : routes) {
    HttpResult none = http_request(server_->port(), method, target, method == "GET" ? "" : "{}");
    EXPECT_EQ(none.status, 401) << method << " " << target;
    HttpResult forged =
        http_request(server_->port(), method, target, method == "GET" ? "" : "{}", {{"Authorization", "Bearer x.y.z"}});
    EXPECT_EQ(forged.status, 401) << method << " " << target;
    HttpResult viewer = http_request(server_->port(), method, target, method == "GET" ? "" : "{}",
                                     {{"Authorization", "Bearer " + viewer_token_}});
    EXPECT_EQ(viewer.status, 403) << method << " " << target;
    EXPECT_EQ(viewer.json()["detail"], "Admin access required");
  }
}

TEST_P(AdminAssetsTest, BodiesOverEachRoutesLimitAre413) {
  EXPECT_EQ(status_for_oversized("POST", kSelections, 4 * 1024 * 1024 + 1), 413);
  EXPECT_EQ(status_for_oversized("PUT", kAssets + "/1/camera", 4 * 1024 + 1), 413);
  EXPECT_EQ(status_for_oversized("PUT", kAssets + "/1/orientation", 1024 + 1), 413);
  EXPECT_EQ(status_for_oversized("POST", "/api/v1/admin/thumbnail-jobs/claim", 64 * 1024 + 1), 413);
  EXPECT_EQ(status_for_oversized("POST", "/api/v1/admin/thumbnail-jobs/regenerate", 256 * 1024 + 1), 413);
  EXPECT_EQ(status_for_oversized("GET", kAssets, 1), 413);
  // A PUT is JSON like every POST.
  HttpResult form = http_request(server_->port(), "PUT", kAssets + "/1/camera", "camera=1",
                                 {{"Authorization", "Bearer " + token_}, {"Content-Type", "text/plain"}});
  EXPECT_EQ(form.status, 415);
}

TEST_P(AdminAssetsTest, BadQueriesAre400WithTheirReason) {
  for (const std::string query : {"sort=size", "thumbnail=some", "viewer_compatible=maybe", "source=camera", "limit=0",
                                  "limit=x", "after=not-a-cursor", "after=YTEKaWQKMQ", "format=GL%20B"}) {
    HttpResult result = get(kAssets + "?" + query);
    EXPECT_EQ(result.status, 400) << query << ": " << result.body;
    EXPECT_TRUE(result.json()["detail"].is_string()) << query;
  }
  EXPECT_EQ(get(kAssets + "?selection=0123456789abcdef0123456789abcdef").status, 404);
  // A cursor of one sort order is refused under another.
  std::string cursor = list("sort=name&limit=2")["next_cursor"];
  HttpResult other = get(kAssets + "?sort=id&after=" + cursor);
  EXPECT_EQ(other.status, 400);
  EXPECT_NE(other.json()["detail"].get<std::string>().find("another sort order"), std::string::npos);
}

TEST_P(AdminAssetsTest, RowsCarryTheContractsFields) {
  nlohmann::json page = list("q=fox");
  ASSERT_EQ(page["assets"].size(), 1u) << page.dump();
  const nlohmann::json& fox = page["assets"][0];
  EXPECT_EQ(fox["id"], "51");
  EXPECT_EQ(fox["url"], "fox");
  EXPECT_EQ(fox["name"], "Quiet Fox");
  EXPECT_EQ(fox["owner"], "Owner");
  ASSERT_EQ(fox["formats"].size(), 1u);
  EXPECT_EQ(fox["formats"][0]["format_type"], "FBX");
  EXPECT_EQ(fox["formats"][0]["root_url"], "https://cdn.example/fox.fbx");
  EXPECT_EQ(fox["formats"][0]["is_preferred"], true);
  EXPECT_EQ(fox["is_viewer_compatible"], false);
  EXPECT_TRUE(fox["thumbnail_url"].is_null());
  EXPECT_TRUE(fox["thumbnail_source"].is_null());
  EXPECT_TRUE(fox["renderer_version"].is_null());
  EXPECT_TRUE(fox["thumbnail_updated_at"].is_null());
  EXPECT_TRUE(fox["job_state"].is_null());  // not viewer-compatible: no job until one is asked for
  EXPECT_EQ(fox["attempts"], 0);
  EXPECT_TRUE(fox["last_error"].is_null());
  EXPECT_TRUE(fox["camera"].is_null());
  EXPECT_EQ(fox["presentation_params"]["backgroundColor"], "#102030");
  EXPECT_EQ(page["total_count"], 1);
  EXPECT_EQ(page["has_more"], false);
  EXPECT_TRUE(page["next_cursor"].is_null());

  nlohmann::json imported = list("q=imported")["assets"][0];
  EXPECT_EQ(imported["thumbnail_url"], "https://cdn.example/t60.jpg");
  EXPECT_EQ(imported["thumbnail_source"], "imported");
  EXPECT_TRUE(imported["thumbnail_updated_at"].is_string());
  EXPECT_EQ(list("q=item-03")["assets"][0]["job_state"], "queued");
}

TEST_P(AdminAssetsTest, SearchMatchesSubstringsOfNameUrlAndOwnerInAnyCase) {
  EXPECT_EQ(urls(list("q=TEAPOT")), std::vector<std::string>{"teapot"});        // name, other case
  EXPECT_EQ(urls(list("q=utah%20graph")), std::vector<std::string>{"teapot"});  // owner, with a space
  EXPECT_EQ(urls(list("q=eapo")), std::vector<std::string>{"teapot"});          // inside a word
  EXPECT_EQ(list("q=item-1").value("total_count", 0), 10);                      // url
  EXPECT_EQ(list("q=owner%20b&limit=1")["total_count"], 14);                    // owner: items 0, 3, ..., 39
  EXPECT_EQ(urls(list("q=Fo")), std::vector<std::string>{"fox"});               // two characters: LIKE
  EXPECT_EQ(urls(list("q=50")), std::vector<std::string>{"teapot"});            // an id
  EXPECT_EQ(list("q=%22%20OR%20%22").value("total_count", -1), 0);              // quotes are text, not syntax
  EXPECT_EQ(list("q=100%25").value("total_count", -1), 0);                      // so is %
}

// Review of issue 11: whatever bytes the search box sends are text, never FTS5 or LIKE syntax, and never a 500.
TEST_P(AdminAssetsTest, AnySearchTextIsAnsweredAsText) {
  for (const std::string q : {"%22",          "%22%22",    "a%22b%22c", "*",          "abc*",
                              "NEAR(a%20b)",  "-abc",      "%5Eabc",    "a%20OR%20b", "%FF%FE%FD",
                              "%C3",          "%C3%28%C3", "%E2%82",    "(((",        "x:y",
                              "%7B%7D%5B%5D", "%25%25%25", "%5C%5C%5C", "%20%20%20",  "item-0%20AND%20item"}) {
    HttpResult result = get(kAssets + "?q=" + q);
    EXPECT_EQ(result.status, 200) << q << ": " << result.body;
    HttpResult selection = post(kSelections, {{"filter", {{"q", q}}}});
    EXPECT_NE(selection.status, 500) << q << ": " << selection.body;
  }
  EXPECT_EQ(get(kAssets + "?q=" + std::string(200, 'a')).status, 200);
  EXPECT_EQ(get(kAssets + "?q=" + std::string(201, 'a')).status, 400);
}

TEST_P(AdminAssetsTest, FiltersSelectByThumbnailFormatCompatibilityAndSource) {
  const int total = kItems + 4;
  EXPECT_EQ(list("")["total_count"], total);
  EXPECT_EQ(list("thumbnail=empty")["total_count"], total - 2);
  EXPECT_EQ(list("thumbnail=has")["total_count"], 2);
  EXPECT_EQ(urls(list("format=obj")), std::vector<std::string>{"teapot"});
  EXPECT_EQ(urls(list("viewer_compatible=false")), std::vector<std::string>{"fox"});
  EXPECT_EQ(urls(list("source=owner")), std::vector<std::string>{"owners"});
  EXPECT_EQ(urls(list("source=imported")), std::vector<std::string>{"imported"});

  ASSERT_EQ(upload("item-05", 40, {{"renderer_version", "thumbgen 9.1"}}).status, 200);
  ASSERT_EQ(upload("item-06", 50).status, 200);
  EXPECT_EQ(urls(list("source=generated")), (std::vector<std::string>{"item-05", "item-06"}));
  EXPECT_EQ(urls(list("renderer_version=thumbgen%209.1")), std::vector<std::string>{"item-05"});
  EXPECT_EQ(list("thumbnail=has")["total_count"], 4);

  // Failed: a dead job, or an error that still stands.
  EXPECT_EQ(list("thumbnail=failed")["total_count"], 0);
  ASSERT_EQ(post(kAssets + "/item-07/thumbnail-failure", {{"reason", "loader crashed"}}).status, 200);
  nlohmann::json failed = list("thumbnail=failed");
  EXPECT_EQ(urls(failed), std::vector<std::string>{"item-07"});
  EXPECT_EQ(failed["assets"][0]["last_error"], "loader crashed");
  // Filters combine.
  EXPECT_EQ(list("thumbnail=empty&q=item-0&viewer_compatible=true")["total_count"], 8);
}

TEST_P(AdminAssetsTest, SortOrdersAreTotalAndCaseInsensitiveByName) {
  std::vector<std::string> by_id = all_urls("sort=id", 7);
  ASSERT_EQ(by_id.size(), static_cast<std::size_t>(kItems + 4));
  EXPECT_EQ(by_id.front(), "item-00");
  EXPECT_EQ(by_id.back(), "owners");
  std::vector<std::string> by_id_desc = all_urls("sort=-id", 7);
  EXPECT_EQ(std::vector<std::string>(by_id.rbegin(), by_id.rend()), by_id_desc);

  std::vector<std::string> by_name = all_urls("sort=name&q=item", 6);
  ASSERT_EQ(by_name.size(), static_cast<std::size_t>(kItems));
  for (int i = 0; i < kItems; ++i) {
    char url[16];
    std::snprintf(url, sizeof url, "item-%02d", i);
    EXPECT_EQ(by_name[static_cast<std::size_t>(i)], url);  // "Item 00" < "item 01" < "Item 02" ...
  }
  std::vector<std::string> by_name_desc = all_urls("sort=-name&q=item", 6);
  EXPECT_EQ(std::vector<std::string>(by_name.rbegin(), by_name.rend()), by_name_desc);

  catalogue().with_connection([](server::sql::Connection& db) {
    db.exec(db.dialect() == server::sql::Dialect::Postgres
                ? "UPDATE assets SET updated_at = updated_at - interval '100 seconds'"
                : "UPDATE assets SET updated_at = updated_at - 100");
  });
  ASSERT_EQ(upload("item-10", 60).status, 200);  // the most recently updated
  EXPECT_EQ(list("sort=-updated&limit=1")["assets"][0]["url"], "item-10");
  std::vector<std::string> by_updated = all_urls("sort=updated", 9);
  EXPECT_EQ(by_updated.back(), "item-10");
  EXPECT_EQ(std::set<std::string>(by_updated.begin(), by_updated.end()).size(), by_id.size());
}

// The original's offset paging skipped assets as "Empty" shrank under it. Here every asset still empty when the
// admin reaches its place is listed exactly once, whatever left the set meanwhile, in every sort order.
TEST_P(AdminAssetsTest, KeysetPagingNeverSkipsRowsWhenTheSetShrinks) {
  int shade = 1;
  for (const std::string sort : {"id", "-id", "name", "-name"}) {
    std::vector<std::string> listed;
    std::string cursor;
    for (int pages = 0; pages < 50; ++pages) {
      nlohmann::json page =
          list("thumbnail=empty&q=item&limit=5&sort=" + sort + (cursor.empty() ? "" : "&after=" + cursor));
      for (const auto& url : urls(page)) listed.push_back(url);
      // The admin generates this page's thumbnails: they leave "Empty" before the next page is asked for.
      for (const auto& url : urls(page)) {
        ASSERT_EQ(upload(url, static_cast<std::uint8_t>(shade++ % 250)).status, 200);
      }
      if (!page["has_more"].get<bool>()) break;
      cursor = page["next_cursor"];
    }
    std::set<std::string> unique(listed.begin(), listed.end());
    EXPECT_EQ(unique.size(), listed.size()) << sort << ": a row was listed twice";
    EXPECT_EQ(listed.size(), static_cast<std::size_t>(kItems)) << sort << ": rows were skipped";
    // Empty them again for the next order.
    catalogue().with_connection([](server::sql::Connection& db) {
      db.exec(
          "UPDATE assets SET thumbnail = NULL, preview_image = NULL, thumbnail_source = NULL WHERE url LIKE 'item-%'");
    });
  }
}

// SQLite's plans; PostgreSQL's are pinned on a catalogue large enough for its planner to use the indexes
// (catalogue_test: CataloguePostgresTest).
using AdminAssetsSqliteTest = AdminAssetsTest;
INSTANTIATE_TEST_SUITE_P(Sqlite, AdminAssetsSqliteTest, ::testing::Values(test::Backend::Sqlite), test::backend_name);

TEST_P(AdminAssetsSqliteTest, NameOrderAndPositionsUseTheIndex) {
  server::AssetListQuery query;
  query.sort = server::AssetSort::Name;
  query.after = server::AssetPosition{5, 0, "item 05"};
  std::string plan = server::explain_admin_assets(catalogue(), query);
  EXPECT_NE(plan.find("assets_by_name"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  query.sort = server::AssetSort::UpdatedDesc;
  plan = server::explain_admin_assets(catalogue(), query);
  EXPECT_NE(plan.find("assets_by_updated"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
}

TEST_P(AdminAssetsTest, SelectionsOfIdsOrUrlsSurviveAndListTheirAssets) {
  std::string id = selection_of({{"asset_ids", {"1", "item-02", 2, "teapot", "1"}}});
  ASSERT_EQ(id.size(), 32u);
  HttpResult info = get(kSelections + "/" + id);
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(info.json()["selection_id"], id);
  EXPECT_EQ(info.json()["count"], 4);
  EXPECT_TRUE(info.json()["created_at"].is_string());
  EXPECT_TRUE(info.json()["filter"].is_null());
  EXPECT_EQ(all_urls("selection=" + id, 3), (std::vector<std::string>{"item-00", "item-01", "item-02", "teapot"}));
  EXPECT_NE(selection_of({{"asset_ids", {"1"}}}), id);  // every selection its own random id

  EXPECT_EQ(get(kSelections + "/" + id.substr(0, 31) + (id.back() == '0' ? "1" : "0")).status, 404);
  EXPECT_EQ(post(kSelections, {{"asset_ids", {"1", "nope"}}}).status, 404);
  EXPECT_EQ(post(kSelections, nlohmann::json::object()).status, 400);
  EXPECT_EQ(post(kSelections, {{"asset_ids", {"1"}}, {"filter", {{"q", "x"}}}}).status, 400);
  EXPECT_EQ(post(kSelections, {{"asset_ids", "1"}}).status, 400);
  EXPECT_EQ(post(kSelections, {{"filter", {{"thumb", "empty"}}}}).status, 400);
  EXPECT_EQ(post(kSelections, {{"filter", {{"thumbnail", "maybe"}}}}).status, 400);
}

TEST_P(AdminAssetsTest, ASelectionHoldsUpTo100000IdsOrUrls) {
  // 100,000 urls of 30 characters: about 3.3 MB, far over the 256 KiB of the other id lists.
  AssetRecord long_url = test_asset("a-url-of-exactly-thirty-chars0", 70);
  catalogue().upsert_asset(long_url);
  nlohmann::json ids = nlohmann::json::array();
  for (int i = 0; i < 100'000; ++i) ids.push_back(long_url.url);
  HttpResult made = post(kSelections, {{"asset_ids", ids}});
  ASSERT_EQ(made.status, 200) << made.body;
  EXPECT_EQ(made.json()["count"], 1);
  ids.push_back(long_url.url);
  HttpResult too_many = post(kSelections, {{"asset_ids", ids}});
  EXPECT_EQ(too_many.status, 400);
  EXPECT_NE(too_many.body.find("100000"), std::string::npos) << too_many.body;
}

// "Select all N matching": the ids are fixed when the selection is made.
TEST_P(AdminAssetsTest, AFilterSelectionKeepsTheAssetsItMatchedWhenMade) {
  HttpResult made =
      post(kSelections, {{"filter", {{"q", "item-1"}, {"thumbnail", "empty"}, {"viewer_compatible", true}}}});
  ASSERT_EQ(made.status, 200) << made.body;
  EXPECT_EQ(made.json()["count"], 10);
  std::string id = made.json()["selection_id"];
  nlohmann::json info = get(kSelections + "/" + id).json();
  EXPECT_EQ(info["filter"]["q"], "item-1");
  EXPECT_EQ(info["filter"]["thumbnail"], "empty");
  EXPECT_EQ(info["filter"]["viewer_compatible"], "true");

  catalogue().upsert_asset(test_asset("item-1-late", 80));  // matches the filter now, was not there then
  ASSERT_EQ(upload("item-10", 9).status, 200);              // no longer matches, still selected
  EXPECT_EQ(list("selection=" + id)["total_count"], 10);
  EXPECT_EQ(list("selection=" + id + "&thumbnail=has")["total_count"], 1);
}

TEST_P(AdminAssetsTest, OldSelectionsArePrunedWhenANewOneIsMade) {
  std::string old_id = selection_of({{"asset_ids", {"1"}}});
  catalogue().with_connection([](server::sql::Connection& db) {
    db.exec(db.dialect() == server::sql::Dialect::Postgres
                ? "UPDATE selections SET created_at = created_at - interval '8 days'"
                : "UPDATE selections SET created_at = created_at - 8 * 24 * 3600");
  });
  EXPECT_EQ(get(kSelections + "/" + old_id).status, 200);  // expired but not yet pruned
  selection_of({{"asset_ids", {"2"}}});
  EXPECT_EQ(get(kSelections + "/" + old_id).status, 404);
}

TEST_P(AdminAssetsTest, AUsersOldestSelectionsGoBeyondTheirAllowance) {
  std::string first = selection_of({{"asset_ids", {"1"}}});
  std::string second = selection_of({{"asset_ids", {"2"}}});
  for (int i = 2; i < server::kSelectionsKeptPerUser; ++i) selection_of({{"asset_ids", {"3"}}});
  EXPECT_EQ(get(kSelections + "/" + first).status, 200);  // exactly the allowance so far
  selection_of({{"asset_ids", {"4"}}});
  EXPECT_EQ(get(kSelections + "/" + first).status, 404);
  EXPECT_EQ(get(kSelections + "/" + second).status, 200);
}

TEST_P(AdminAssetsTest, ACameraIsValidatedStoredListedAndCleared) {
  const nlohmann::json camera = {
      {"position", {1.5, 2, 3}}, {"target", {0, 0, 0}}, {"up", {0, 1, 0}}, {"fov_y_degrees", 40}};
  const std::vector<nlohmann::json> bad = {
      {{"camera", {{"position", {1, 2}}, {"target", {0, 0, 0}}, {"up", {0, 1, 0}}, {"fov_y_degrees", 40}}}},
      {{"camera", {{"position", {1, 2, "3"}}, {"target", {0, 0, 0}}, {"up", {0, 1, 0}}, {"fov_y_degrees", 40}}}},
      {{"camera", {{"position", {1, 2, 3}}, {"target", {1, 2, 3}}, {"up", {0, 1, 0}}, {"fov_y_degrees", 40}}}},
      {{"camera", {{"position", {1, 2, 3}}, {"target", {0, 0, 0}}, {"up", {0, 1, 0}}, {"fov_y_degrees", 0.5}}}},
      {{"camera", {{"position", {1, 2, 3}}, {"target", {0, 0, 0}}, {"up", {0, 1, 0}}, {"fov_y_degrees", 180}}}},
      {{"camera", {{"position", {0, 5, 0}}, {"target", {0, 0, 0}}, {"up", {0, 1, 0}}, {"fov_y_degrees", 40}}}},
      {{"camera", {{"position", {1, 2, 3}}, {"target", {0, 0, 0}}, {"up", {0, 0, 0}}, {"fov_y_degrees", 40}}}},
      {{"camera", {{"position", {1, 2, 3}}, {"target", {0, 0, 0}}, {"up", {0, 1, 0}}}}},
      {{"camera", "front"}},
      {{"requeue", true}},
      {{"camera", nullptr}, {"requeue", "yes"}},
  };
  for (const nlohmann::json& body : bad) {
    HttpResult result = put(kAssets + "/teapot/camera", body);
    EXPECT_EQ(result.status, 400) << body.dump() << ": " << result.body;
  }
  HttpResult huge =
      http_request(server_->port(), "PUT", kAssets + "/teapot/camera",
                   R"({"camera":{"position":[1e999,0,0],"target":[0,0,0],"up":[0,1,0],"fov_y_degrees":40}})",
                   {{"Authorization", "Bearer " + token_}});
  EXPECT_EQ(huge.status, 400) << huge.body;  // not finite
  EXPECT_EQ(put(kAssets + "/nope/camera", {{"camera", camera}}).status, 404);
  EXPECT_TRUE(list("q=teapot")["assets"][0]["camera"].is_null());

  HttpResult stored = put(kAssets + "/teapot/camera", {{"camera", camera}});
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(stored.json()["success"], true);
  EXPECT_EQ(stored.json()["camera"]["fov_y_degrees"], 40.0);
  EXPECT_EQ(stored.json()["requeued"], false);
  nlohmann::json listed = list("q=teapot")["assets"][0]["camera"];
  EXPECT_EQ(listed["position"], nlohmann::json({1.5, 2.0, 3.0}));
  EXPECT_EQ(listed["up"], nlohmann::json({0.0, 1.0, 0.0}));

  ASSERT_EQ(put(kAssets + "/50/camera", {{"camera", nullptr}}).status, 200);
  EXPECT_TRUE(list("q=teapot")["assets"][0]["camera"].is_null());
}

TEST_P(AdminAssetsTest, AnUpAxisIsValidatedStoredListedAndCleared) {
  const std::vector<nlohmann::json> bad = {
      nlohmann::json::object(),
      {{"up", "+X"}},
      {{"up", "-Z"}},
      {{"up", "up"}},
      {{"up", ""}},
      {{"up", 2}},
      {{"up", {"+Z"}}},
      {{"up", {{"axis", "+Z"}}}},
      {{"up", "+Z"}, {"requeue", "yes"}},
      {{"requeue", true}},
  };
  for (const nlohmann::json& body : bad) {
    HttpResult result = put(kAssets + "/teapot/orientation", body);
    EXPECT_EQ(result.status, 400) << body.dump() << ": " << result.body;
    EXPECT_TRUE(result.json()["detail"].is_string()) << body.dump();
  }
  EXPECT_EQ(put(kAssets + "/teapot/orientation", {{"up", "+X"}}).json()["detail"],
            "up is required (\"+Y\", \"+Z\" or null)");
  for (const std::string raw : {"[\"+Z\"]", "\"+Z\"", "{\"up\":", "{\"up\":\"+Z\"}{}"}) {
    HttpResult result = http_request(server_->port(), "PUT", kAssets + "/teapot/orientation", raw,
                                     {{"Authorization", "Bearer " + token_}});
    EXPECT_EQ(result.status, 400) << raw << ": " << result.body;
  }
  EXPECT_EQ(put(kAssets + "/nope/orientation", {{"up", "+Z"}}).status, 404);
  EXPECT_TRUE(list("q=teapot")["assets"][0]["up"].is_null()) << "nothing stored by the refused requests";

  // Stored in the renderer's spelling, whatever case came in.
  HttpResult stored = put(kAssets + "/teapot/orientation", {{"up", "z"}});
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(stored.json(), nlohmann::json({{"success", true}, {"up", "+Z"}, {"requeued", false}}));
  EXPECT_EQ(list("q=teapot")["assets"][0]["up"], "+Z");
  EXPECT_TRUE(list("q=fox")["assets"][0]["up"].is_null()) << "per asset";
  ASSERT_EQ(put(kAssets + "/50/orientation", {{"up", "+Y"}}).status, 200);  // by id too
  EXPECT_EQ(list("q=teapot")["assets"][0]["up"], "+Y");

  ASSERT_EQ(put(kAssets + "/teapot/orientation", {{"up", nullptr}}).status, 200);
  EXPECT_TRUE(list("q=teapot")["assets"][0]["up"].is_null());
}

// Review of issue 11: a camera the server stores must be one every renderer takes (render/render_settings.cpp
// camera_from_json, in float): otherwise each render of the asset fails with "bad render settings" until the admin
// clears it. The renderer takes fov 1-170 and float coordinates whose distance and up length are finite and non-zero.
TEST_P(AdminAssetsTest, ACameraTheRendererWouldRefuseIsRefusedWhenSaved) {
  auto with = [](nlohmann::json position, nlohmann::json target, nlohmann::json up, double fov) {
    return nlohmann::json{{"camera", {{"position", position}, {"target", target}, {"up", up}, {"fov_y_degrees", fov}}}};
  };
  const std::vector<nlohmann::json> bad = {
      with({1, 2, 3}, {0, 0, 0}, {0, 1, 0}, 175),          // fov the renderer refuses (1..170)
      with({1e200, 0, 0}, {0, 0, 0}, {0, 1, 0}, 40),       // not a float
      with({1e30, 0, 0}, {-1e30, 0, 0}, {0, 1, 0}, 40),    // distance overflows a float
      with({1, 2, 3}, {1, 2, 3.00000001}, {0, 1, 0}, 40),  // the same point in float
      with({1, 2, 3}, {0, 0, 0}, {1e-30, 0, 0}, 40),       // up is zero in float
  };
  for (const nlohmann::json& body : bad) {
    HttpResult result = put(kAssets + "/teapot/camera", body);
    EXPECT_EQ(result.status, 400) << body.dump() << ": " << result.body;
  }
  EXPECT_EQ(put(kAssets + "/teapot/camera", with({1e6, 2, 3}, {0, 0, 0}, {0, 1, 0}, 170)).status, 200);
}

// Thumbnails stored before migration 5 get a source (an http(s) URL came from an import, a key from an upload) and
// the rows are found by search at once (the index is built from the existing rows).
TEST(AdminCatalogueMigration, RowsFromBeforeVersion5GetASourceAndAreSearchable) {
  test::ScratchDir dir{"thumbgen-admin-migration"};
  {
    server::sql::Connection old(dir.path() / "c.sqlite3");
    server::migrate(old, 4);
    old.exec(
        "INSERT INTO assets (id, url, name, thumbnail, created_at, updated_at) VALUES "
        "(1, 'old-import', 'Old Lighthouse', 'https://cdn.example/l.jpg', 1, 1), "
        "(2, 'old-upload', 'Old Windmill', 'thumbs/2/abc.jpg', 1, 1), (3, 'old-missing', 'Old Barn', NULL, 1, 1)");
  }
  server::Catalogue catalogue(dir.path() / "c.sqlite3", 1);
  server::AssetListQuery query;
  query.filter.search = "old ";
  server::AssetListPage page = server::list_admin_assets(catalogue, query, 100);
  ASSERT_EQ(page.rows.size(), 3u);
  EXPECT_EQ(page.rows[0].thumbnail_source, "imported");
  EXPECT_EQ(page.rows[1].thumbnail_source, "generated");
  EXPECT_EQ(page.rows[1].thumbnail_updated_at, 1);
  EXPECT_FALSE(page.rows[2].thumbnail_source);
  query.filter.search = "windmill";
  EXPECT_EQ(server::list_admin_assets(catalogue, query, 100).total_count, 1);
}

// Migration 6 gives every asset an up axis column, empty for the rows it finds, that holds only the two axes.
TEST(AdminCatalogueMigration, RowsFromBeforeVersion6HaveNoUpAxisAndOnlyAxesAreStored) {
  test::ScratchDir dir{"thumbgen-up-migration"};
  {
    server::sql::Connection old(dir.path() / "c.sqlite3");
    server::migrate(old, 5);
    old.exec("INSERT INTO assets (id, url, name, created_at, updated_at) VALUES (1, 'old-part', 'Old Bracket', 1, 1)");
  }
  server::Catalogue catalogue(dir.path() / "c.sqlite3", 1);
  auto row = [&] {
    return catalogue.with_connection([](server::sql::Connection& db) { return server::read_admin_asset(db, 1, 100); });
  };
  ASSERT_TRUE(row());
  EXPECT_FALSE(row()->up_axis);
  server::set_saved_up_axis(catalogue, 1, "+Z");
  EXPECT_EQ(row()->up_axis, "+Z");
  EXPECT_THROW(server::set_saved_up_axis(catalogue, 1, "sideways"), server::sql::Error);
  EXPECT_EQ(row()->up_axis, "+Z");
}

}  // namespace
}  // namespace thumbgen
