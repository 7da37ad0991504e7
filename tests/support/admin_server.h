// A `thumbgen serve` with a staff and a non-staff user and a catalogue the test fills, for the tests of the admin
// web app's routes (issue 11): JSON requests, uploads, claims and a direct catalogue handle.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/catalogue.h"
#include "support/http_client.h"
#include "support/server_process.h"
#include "support/test_database.h"

namespace thumbgen::test {

// Parameterised by the catalogue's engine: INSTANTIATE_TEST_SUITE_P(Backends, Suite, kBothBackends, backend_name).
class AdminServerTest : public ::testing::TestWithParam<Backend> {
 protected:
  // Writes `assets` into a fresh catalogue, starts the server (with `env` added) and logs both users in.
  void start_with(const std::vector<server::AssetRecord>& assets, const std::vector<std::string>& env = {});

  HttpResult get(const std::string& target) const;
  HttpResult get_as(const std::string& target, const std::string& token) const;
  HttpResult post(const std::string& target, const nlohmann::json& body) const;
  HttpResult put(const std::string& target, const nlohmann::json& body) const;
  // The spec's upload of a grey JPEG of `shade` (with extra body fields), by id or url.
  HttpResult upload(const std::string& asset, std::uint8_t shade, const nlohmann::json& extra = {}) const;
  // Claims with these extra fields (worker "test:1", lease 300 s unless given); the "jobs" list.
  nlohmann::json claim(const nlohmann::json& fields) const;
  HttpResult complete(const nlohmann::json& job, std::uint8_t shade, const nlohmann::json& extra = {}) const;
  // A request with only headers and this Content-Length, admin token attached: the server must refuse it (413)
  // before any body byte is sent.
  int status_for_oversized(const std::string& method, const std::string& target, std::uint64_t content_length) const;
  server::Catalogue& catalogue();

  std::unique_ptr<TestDatabase> database_;  // dropped after the server has stopped
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<server::Catalogue> catalogue_;
  std::string token_, viewer_token_;
};

}  // namespace thumbgen::test
