// The Host check over real HTTP against a real `thumbgen serve` (issue 10, item 6; Django's ALLOWED_HOSTS rule): a
// request whose Host is not a name the server answers to is 400, so a page whose DNS name an attacker re-points at
// the server (DNS rebinding) reaches neither /files/ nor the login from a victim's browser.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/http_client.h"
#include "support/server_process.h"

namespace thumbgen {
namespace {

using test::HttpResult;
using test::raw_request;
using test::ServerProcess;

// GET /healthz with the given Host field ("-": none at all), on a fresh connection.
HttpResult with_host(const ServerProcess& server, const std::string& host, const std::string& version = "HTTP/1.1") {
  std::string field = host == "-" ? "" : "Host: " + host + "\r\n";
  return raw_request(server.port(), "GET /healthz " + version + "\r\n" + field + "Connection: close\r\n\r\n");
}

void expect_answered(const ServerProcess& server, const std::vector<std::string>& hosts) {
  for (const std::string& host : hosts) EXPECT_EQ(with_host(server, host).status, 200) << "Host: " << host;
}

void expect_refused(const ServerProcess& server, const std::vector<std::string>& hosts) {
  for (const std::string& host : hosts) {
    HttpResult result = with_host(server, host);
    EXPECT_EQ(result.status, 400) << "Host: " << host;
    EXPECT_EQ(result.json().value("detail", ""), "Invalid Host header") << "Host: " << host;
  }
}

TEST(ServerHostCheckTest, ByDefaultOnlyTheListenAddressAndLoopbackNamesAreAnswered) {
  ServerProcess server;
  server.start({}, {"THUMBGEN_ALLOWED_HOSTS="});
  const std::string port = std::to_string(server.port());
  expect_answered(server, {"127.0.0.1", "127.0.0.1:" + port, "localhost", "LOCALHOST:" + port, "localhost.",
                           "admin.localhost", "[::1]", "[::1]:" + port});
  expect_refused(server, {"evil.example", "evil.example:" + port, "127.0.0.1.evil.example", "localhost.evil.example",
                          "x", "", "0.0.0.0", "evil.example@127.0.0.1", "127.0.0.1:80a", "127.0.0.1 evil", "[::1",
                          "127.0.0.1:" + port + ":1"});
  // Every route is behind it: the login and the files too.
  for (const char* target : {"/api/v1/login/jwt", "/files/some-asset/model.glb", "/media/thumbs/1/a.jpg"}) {
    HttpResult result = raw_request(server.port(), std::string("POST ") + target +
                                                       " HTTP/1.1\r\nHost: rebound.example\r\nContent-Type: "
                                                       "application/json\r\nContent-Length: 2\r\n\r\n{}");
    EXPECT_EQ(result.status, 400) << target;
  }
  // HTTP/1.1 requires exactly one Host field (RFC 9112 §3.2); HTTP/1.0 may go without.
  EXPECT_EQ(with_host(server, "-").status, 400);
  EXPECT_EQ(raw_request(server.port(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n").status,
            400);
  EXPECT_EQ(with_host(server, "-", "HTTP/1.0").status, 200);
}

TEST(ServerHostCheckTest, ThePublicUrlHostAndConfiguredHostsAreAnswered) {
  ServerProcess server;
  server.start({"--public-url", "https://thumbs.example.org/gallery"},
               {"THUMBGEN_ALLOWED_HOSTS=.gallery.example, admin.example"});
  expect_answered(server, {"thumbs.example.org", "THUMBS.example.org:443", "gallery.example", "a.b.gallery.example",
                           "admin.example", "admin.example:8443", "127.0.0.1", "localhost"});
  expect_refused(server, {"evil.example", "xgallery.example", "gallery.example.evil", "sub.admin.example",
                          "admin.example.evil", "example.org"});
}

TEST(ServerHostCheckTest, AWildcardListenAddressAnswersOnlyLoopbackAndConfiguredNames) {
  ServerProcess server;
  server.start_on("0.0.0.0:0", {}, {"THUMBGEN_ALLOWED_HOSTS=admin.example"});
  expect_answered(server, {"127.0.0.1", "localhost", "[::1]", "admin.example"});
  expect_refused(server, {"0.0.0.0", "10.1.2.3", "192.168.0.10", "evil.example"});
}

TEST(ServerHostCheckTest, StarAnswersEveryHost) {
  ServerProcess server;
  server.start({}, {"THUMBGEN_ALLOWED_HOSTS=*"});
  expect_answered(server, {"evil.example", "10.1.2.3", "127.0.0.1"});
  expect_refused(server, {"evil.example@127.0.0.1", ""});  // still a host name, though
}

}  // namespace
}  // namespace thumbgen
