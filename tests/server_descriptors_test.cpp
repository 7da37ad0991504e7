// File descriptors and connections (issue 10, item 7), over real HTTP against a real `thumbgen serve` where it can
// be: the open-file limit is raised to the hard limit at start, connections stay within what the descriptors allow,
// one client address cannot take them all, and a file that exists but cannot be opened for want of descriptors is
// 503, never 404 and never a hang.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server/static_files.h"
#include "support/http_client.h"
#include "support/served_model.h"
#include "support/server_process.h"

namespace thumbgen {
namespace {

using test::HttpResult;
using test::IdleConnection;
using test::RawConnection;
using test::ServerProcess;

// "Max open files" of a process: {soft, hard}.
std::pair<std::string, std::string> open_file_limits(pid_t pid) {
  std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(limits, line)) {
    if (!line.starts_with("Max open files")) continue;
    std::istringstream fields(line.substr(std::string("Max open files").size()));
    std::string soft, hard;
    fields >> soft >> hard;
    return {soft, hard};
  }
  return {};
}

// GET on a connection of its own from `source`, answered within 10 s or status 0 (a hang).
HttpResult get_from(const ServerProcess& server, const std::string& target, const std::string& source = "") {
  RawConnection connection(server.port(), source);
  if (!connection.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")) return {};
  return connection.read_response(std::chrono::seconds(10));
}

// Asks until the answer is 200, a bounded number of times: connections a test closed are let go asynchronously.
int eventually_ok(const ServerProcess& server, const std::string& target, const std::string& source = "") {
  int status = 0;
  for (int attempt = 0; attempt < 100 && status != 200; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    status = get_from(server, target, source).status;
  }
  return status;
}

TEST(ServerDescriptorsTest, TheOpenFileLimitIsRaisedToTheHardLimitAtStart) {
  ServerProcess server;
  server.limit_open_files(256, 4096);
  server.start();
  EXPECT_EQ(open_file_limits(server.pid()), std::make_pair(std::string("4096"), std::string("4096")));
}

// 64 descriptors in all, 100 connections held open by a client that sends nothing: a request for a file that
// exists is answered 200 or 503 at once, and 200 once the idle connections are gone.
TEST(ServerDescriptorsTest, AnExistingFileIs200Or503WhenDescriptorsRunOut) {
  ServerProcess server;
  std::string file = test::import_served_model(server).target;
  server.limit_open_files(64, 64);
  // Idle connections would otherwise be closed at the header deadline, which would hide a hang.
  server.start({}, {"THUMBGEN_HEADER_TIMEOUT_MS=600000"});
  ASSERT_EQ(get_from(server, file).status, 200);
  std::vector<std::unique_ptr<IdleConnection>> idle;
  for (int i = 0; i < 100; ++i) idle.push_back(std::make_unique<IdleConnection>(server.port()));
  for (int i = 0; i < 5; ++i) {
    HttpResult result = get_from(server, file);
    EXPECT_TRUE(result.status == 200 || result.status == 503) << "status " << result.status << " " << result.body;
    if (result.status == 503) {
      EXPECT_FALSE(result.header("retry-after").empty());
    }
  }
  idle.clear();
  EXPECT_EQ(eventually_ok(server, file), 200);
  std::string log = server.log();
  EXPECT_NE(log.find("max_connections"), std::string::npos) << log;
}

TEST(ServerDescriptorsTest, OneClientAddressCannotHoldMoreThanItsShare) {
  ServerProcess server;
  server.start({}, {"THUMBGEN_MAX_CONNECTIONS_PER_ADDRESS=4"});
  std::vector<std::unique_ptr<IdleConnection>> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(std::make_unique<IdleConnection>(server.port()));
  // The four are accepted in turn; the fifth from the same address is refused, with a 503.
  HttpResult fifth = get_from(server, "/healthz");
  EXPECT_EQ(fifth.status, 503) << fifth.body;
  EXPECT_FALSE(fifth.header("retry-after").empty());
  // Another address is served meanwhile.
  EXPECT_EQ(get_from(server, "/healthz", "127.0.0.2").status, 200);
  idle.clear();
  EXPECT_EQ(eventually_ok(server, "/healthz"), 200);
}

// In-process: with every descriptor taken, serve_file cannot open a file that exists. That is the server being
// busy (503, try again), not the file being missing (404).
TEST(ServeFileTest, AFileThatCannotBeOpenedForWantOfDescriptorsIs503) {
#if defined(__SANITIZE_ADDRESS__)
  // With every descriptor of the test process taken, the sanitizer runtime's own checks (it opens a pipe to probe
  // memory) fail and report false errors; the real server is covered by AnExistingFileIs200Or503WhenDescriptorsRunOut.
  GTEST_SKIP() << "the sanitizer runtime needs descriptors of its own";
#endif
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("serve-file-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "model.obj") << "v 0 0 0\n";
  server::HttpRequest request(server::http::verb::get, "/files/a/model.obj", 11);
  ASSERT_EQ(server::serve_file(dir / "model.obj", "model/obj", request).status, server::http::status::ok);

  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low{256, saved.rlim_max};
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  std::vector<int> taken;
  for (int fd; (fd = dup(0)) >= 0;) taken.push_back(fd);
  server::ApiResponse response = server::serve_file(dir / "model.obj", "model/obj", request);
  for (int fd : taken) close(fd);
  setrlimit(RLIMIT_NOFILE, &saved);
  std::filesystem::remove_all(dir);

  EXPECT_EQ(response.status, server::http::status::service_unavailable) << response.body;
  EXPECT_FALSE(response.file.has_value());
}

}  // namespace
}  // namespace thumbgen
