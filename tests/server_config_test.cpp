// `thumbgen serve` settings: file < environment, validation, listen addresses, the public URL.
#include "server/server_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace thumbgen::server {
namespace {

TEST(ServerConfigTest, EnvironmentOverridesTheFile) {
  auto file = std::filesystem::temp_directory_path() / ("thumbgen-config-" + std::to_string(::getpid()) + ".json");
  std::ofstream(file) << R"({"listen": "0.0.0.0:9000", "token_ttl": 600, "cors_origins": ["https://a", "https://b"]})";
  std::map<std::string, std::string> env = {{"THUMBGEN_TOKEN_TTL", "120"}, {"THUMBGEN_DATA", "/srv/data"}};
  auto getenv = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  ServerConfig config = load_server_config(file, getenv);
  EXPECT_EQ(config.listen, "0.0.0.0:9000");
  EXPECT_EQ(config.token_ttl_seconds, 120);
  EXPECT_EQ(config.data, std::filesystem::path("/srv/data"));
  EXPECT_EQ(config.http.cors_origins, (std::vector<std::string>{"https://a", "https://b"}));
  EXPECT_EQ(effective_public_url(config, 9000), "http://127.0.0.1:9000");

  std::ofstream(file) << R"({"no_such_setting": 1})";
  EXPECT_THROW(load_server_config(file, getenv), std::runtime_error);
  env["THUMBGEN_TOKEN_TTL"] = "soon";
  EXPECT_THROW(load_server_config(std::nullopt, getenv), std::runtime_error);
  std::filesystem::remove(file);
}

TEST(ServerConfigTest, ListenAddresses) {
  EXPECT_EQ(split_listen_address("127.0.0.1:8080"), (std::pair<std::string, unsigned short>{"127.0.0.1", 8080}));
  EXPECT_EQ(split_listen_address("[::1]:0").first, "::1");
  EXPECT_EQ(split_listen_address(":80").first, "0.0.0.0");
  EXPECT_THROW(split_listen_address("localhost"), std::invalid_argument);
  EXPECT_THROW(split_listen_address("h:99999"), std::invalid_argument);
}

}  // namespace
}  // namespace thumbgen::server
