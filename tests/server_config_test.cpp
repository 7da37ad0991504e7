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

ServerConfig config_from(const std::map<std::string, std::string>& env) {
  return load_server_config(std::nullopt, [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

TEST(ServerConfigTest, AdminAppSettings) {
  ServerConfig defaults = config_from({});
  EXPECT_TRUE(defaults.admin_dir.empty());
  EXPECT_EQ(defaults.session_max_age_seconds, 43200);
  EXPECT_EQ(defaults.thumbnail_format, ThumbnailFormat::Jpeg);
  EXPECT_EQ(defaults.thumbnail_quality, 85);
  EXPECT_EQ(defaults.pause_release_seconds, 600);
  EXPECT_TRUE(defaults.extra_origins.empty());

  ServerConfig set = config_from({{"THUMBGEN_ADMIN_DIR", "/opt/thumbgen/admin"},
                                  {"THUMBGEN_SESSION_MAX_AGE", "3600"},
                                  {"THUMBGEN_THUMBNAIL_FORMAT", "png"},
                                  {"THUMBGEN_THUMBNAIL_QUALITY", "92"},
                                  {"THUMBGEN_PAUSE_RELEASE", "120"},
                                  {"THUMBGEN_EXTRA_ORIGINS", "https://cdn.example, http://[::1]:8081"}});
  EXPECT_EQ(set.admin_dir, std::filesystem::path("/opt/thumbgen/admin"));
  EXPECT_EQ(set.session_max_age_seconds, 3600);
  EXPECT_EQ(set.thumbnail_format, ThumbnailFormat::Png);
  EXPECT_EQ(set.thumbnail_quality, 92);
  EXPECT_EQ(set.pause_release_seconds, 120);
  EXPECT_EQ(set.extra_origins, (std::vector<std::string>{"https://cdn.example", "http://[::1]:8081"}));

  EXPECT_THROW(config_from({{"THUMBGEN_THUMBNAIL_FORMAT", "gif"}}), std::runtime_error);
  EXPECT_THROW(config_from({{"THUMBGEN_THUMBNAIL_QUALITY", "0"}}), std::runtime_error);
  EXPECT_THROW(config_from({{"THUMBGEN_THUMBNAIL_QUALITY", "101"}}), std::runtime_error);
  EXPECT_THROW(config_from({{"THUMBGEN_SESSION_MAX_AGE", "10"}}), std::runtime_error);
  // Origins go into a header: anything but a bare http(s) origin is refused, never passed on.
  for (const char* bad :
       {"https://cdn.example/path", "cdn.example", "ftp://cdn.example", "https://a.example; script-src *",
        "https://user@cdn.example", "'unsafe-inline'", "https://CDN.example", "*"}) {
    EXPECT_THROW(config_from({{"THUMBGEN_EXTRA_ORIGINS", bad}}), std::runtime_error) << bad;
  }
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
