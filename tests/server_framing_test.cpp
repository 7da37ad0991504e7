// Strict HTTP/1.1 framing over real HTTP against a real `thumbgen serve`: a request body is framed by
// Content-Length or by exactly `Transfer-Encoding: chunked`, anything else is 400 and the connection closes, so no
// body is ever read as a second request (issue 10, item 5).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/http_client.h"
#include "support/server_process.h"

namespace thumbgen {
namespace {

using test::HttpResult;
using test::RawConnection;
using test::ServerProcess;

const std::string kLoginBody = R"({"username":"admin","password":"admin-password"})";
// What a smuggler hides in a body: a whole second request.
const std::string kSmuggled = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

std::string chunked(const std::string& body) {
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", body.size());
  return size + body + "\r\n0\r\n\r\n";
}

std::string login_head(const std::string& framing, const std::string& version = "HTTP/1.1") {
  return "POST /api/v1/login/jwt " + version + "\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + framing +
         "\r\n";
}

class ServerFramingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    ASSERT_EQ(server_->add_user("admin", "admin-password", true), 0);
    server_->start();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ServerProcess* server_;
};

ServerProcess* ServerFramingTest::server_ = nullptr;

TEST_F(ServerFramingTest, TransferEncodingOtherThanChunkedIs400AndNothingElseIsRead) {
  struct Case {
    std::string name, head, body;
  };
  const std::vector<Case> cases = {
      // Not chunked at all: the old server saw no body and then answered the smuggled request too.
      {"gzip", login_head("Transfer-Encoding: gzip\r\n"), kSmuggled},
      {"identity", login_head("Transfer-Encoding: identity\r\n"), kSmuggled},
      {"chunked, gzip", login_head("Transfer-Encoding: chunked, gzip\r\n"), kSmuggled},
      {"unknown coding", login_head("Transfer-Encoding: x-custom\r\n"), kSmuggled},
      {"empty", login_head("Transfer-Encoding: \r\n"), kSmuggled},
      {"gzip with a length", login_head("Transfer-Encoding: gzip\r\nContent-Length: 0\r\n"), kSmuggled},
      // Chunked after another coding: the old server read the coded body as plain JSON and logged the user in.
      {"gzip, chunked", login_head("Transfer-Encoding: gzip, chunked\r\n"), chunked(kLoginBody)},
      {"two fields", login_head("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"), chunked(kLoginBody)},
      {"chunked, chunked", login_head("Transfer-Encoding: chunked, chunked\r\n"), chunked(kLoginBody)},
      // HTTP/1.0 has no chunked coding (RFC 9112 §6.1).
      {"HTTP/1.0", login_head("Transfer-Encoding: chunked\r\n", "HTTP/1.0"), chunked(kLoginBody)},
      // Both framings at once.
      {"length and chunked", login_head("Content-Length: 10\r\nTransfer-Encoding: chunked\r\n"), chunked(kLoginBody)},
  };
  for (const Case& test_case : cases) {
    SCOPED_TRACE(test_case.name);
    RawConnection connection(server_->port());
    ASSERT_TRUE(connection.connected());
    connection.send(test_case.head + test_case.body + kSmuggled);
    HttpResult first = connection.read_response();
    EXPECT_EQ(first.status, 400) << first.body;
    if (test_case.name != "HTTP/1.0") {  // 1.0 closes without saying so
      EXPECT_EQ(first.header("connection"), "close");
    }
    EXPECT_TRUE(connection.closed_by_server()) << "a second response came: the body was read as a request";
  }
}

TEST_F(ServerFramingTest, ExactlyChunkedInAnyCaseIsAccepted) {
  for (const char* coding : {"chunked", "Chunked", "CHUNKED"}) {
    SCOPED_TRACE(coding);
    RawConnection connection(server_->port());
    connection.send(login_head(std::string("Transfer-Encoding: ") + coding + "\r\n") + chunked(kLoginBody) + kSmuggled);
    EXPECT_EQ(connection.read_response().status, 200);
    EXPECT_EQ(connection.read_response().status, 200);  // the pipelined request after it, as a request
  }
}

}  // namespace
}  // namespace thumbgen
