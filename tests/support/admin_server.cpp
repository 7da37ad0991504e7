#include "support/admin_server.h"

#include "support/server_fixtures.h"
#include "support/server_login.h"

namespace thumbgen::test {

void AdminServerTest::start_with(const std::vector<server::AssetRecord>& assets, const std::vector<std::string>& env) {
  server_ = std::make_unique<ServerProcess>();
  database_ = std::make_unique<TestDatabase>(GetParam(), server_->data());
  server_->use_database(database_->setting());
  ASSERT_EQ(server_->add_user("admin", "admin-password", true), 0);
  ASSERT_EQ(server_->add_user("viewer", "viewer-password", false), 0);
  {
    std::filesystem::create_directories(server_->data());
    server::Catalogue catalogue(server_->catalogue_target(), 1);
    for (const server::AssetRecord& asset : assets) catalogue.upsert_asset(asset);
  }
  server_->start({}, env);
  token_ = login_token(server_->port(), "admin", "admin-password");
  viewer_token_ = login_token(server_->port(), "viewer", "viewer-password");
  ASSERT_FALSE(token_.empty()) << server_->log();
}

HttpResult AdminServerTest::get(const std::string& target) const { return get_as(target, token_); }

HttpResult AdminServerTest::get_as(const std::string& target, const std::string& token) const {
  return http_request(server_->port(), "GET", target, "", bearer(token));
}

HttpResult AdminServerTest::post(const std::string& target, const nlohmann::json& body) const {
  return http_request(server_->port(), "POST", target, body.dump(), bearer(token_));
}

HttpResult AdminServerTest::put(const std::string& target, const nlohmann::json& body) const {
  return http_request(server_->port(), "PUT", target, body.dump(), bearer(token_));
}

HttpResult AdminServerTest::upload(const std::string& asset, std::uint8_t shade, const nlohmann::json& extra) const {
  nlohmann::json body = {{"thumbnail_base64", base64(test_jpeg(shade))}};
  if (extra.is_object()) body.update(extra);
  return post("/api/v1/admin/assets/" + asset + "/thumbnail", body);
}

nlohmann::json AdminServerTest::claim(const nlohmann::json& fields) const {
  nlohmann::json body = {{"worker", "test:1"}, {"max", 100}, {"lease_seconds", 300}};
  body.update(fields);
  HttpResult result = post("/api/v1/admin/thumbnail-jobs/claim", body);
  EXPECT_EQ(result.status, 200) << result.body;
  return result.json()["jobs"];
}

HttpResult AdminServerTest::complete(const nlohmann::json& job, std::uint8_t shade, const nlohmann::json& extra) const {
  nlohmann::json body = {{"fencing_token", job["fencing_token"]}, {"thumbnail_base64", base64(test_jpeg(shade))}};
  if (extra.is_object()) body.update(extra);
  return post("/api/v1/admin/thumbnail-jobs/" + job["job_id"].get<std::string>() + "/complete", body);
}

int AdminServerTest::status_for_oversized(const std::string& method, const std::string& target,
                                          std::uint64_t content_length) const {
  return raw_request(server_->port(),
                     method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token_ +
                         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(content_length) +
                         "\r\n\r\n",
                     std::chrono::seconds(5))
      .status;
}

server::Catalogue& AdminServerTest::catalogue() {
  if (!catalogue_) catalogue_ = std::make_unique<server::Catalogue>(server_->catalogue_target(), 1);
  return *catalogue_;
}

}  // namespace thumbgen::test
