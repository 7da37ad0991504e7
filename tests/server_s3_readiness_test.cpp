// /readyz with thumbnails in a bucket (issue 14): not ready while the S3 endpoint is down, with the reason; the
// storage's verdict is kept for THUMBGEN_READY_CACHE seconds so probes do not each reach the bucket.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/http_client.h"
#include "support/s3_test_server.h"
#include "support/server_process.h"

namespace thumbgen {
namespace {

using test::http_request;
using test::HttpResult;

std::vector<std::string> with(std::vector<std::string> environment, const std::vector<std::string>& more) {
  environment.insert(environment.end(), more.begin(), more.end());
  return environment;
}

TEST(ServerS3Readiness, NotReadyWhileTheEndpointIsDown) {
  test::S3TestServer s3;
  test::ServerProcess server;
  server.start({"--storage", "s3://thumbgen-test/gallery/"},
               with(s3.serve_environment(), {"THUMBGEN_READY_CACHE=0", "THUMBGEN_METRICS_LISTEN=off"}));
  HttpResult ready = http_request(server.port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;

  s3.stop();
  HttpResult down = http_request(server.port(), "GET", "/readyz");
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_EQ(down.json()["checks"]["storage"], "unavailable");
  EXPECT_EQ(down.json()["checks"]["catalogue"], "ok");
  EXPECT_TRUE(down.json()["detail"].get<std::string>().starts_with("storage: ")) << down.body;
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz").status, 200);  // alive all the same

  s3.start();
  EXPECT_EQ(http_request(server.port(), "GET", "/readyz").status, 200);
}

TEST(ServerS3Readiness, TheVerdictIsKeptForTheCachePeriod) {
  test::S3TestServer s3;
  test::ServerProcess server;
  server.start({"--storage", "s3://thumbgen-test/gallery/"},
               with(s3.serve_environment(), {"THUMBGEN_READY_CACHE=3600", "THUMBGEN_METRICS_LISTEN=off"}));
  EXPECT_EQ(http_request(server.port(), "GET", "/readyz").status, 200);
  s3.stop();
  // Within the hour the bucket is not asked again: a flood of probes costs it nothing.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(http_request(server.port(), "GET", "/readyz").status, 200);
}

}  // namespace
}  // namespace thumbgen
