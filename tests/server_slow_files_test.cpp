// Slow disks do not stall every connection (issue 10, item 11): a file whose open blocks (a lease, a FIFO, a hung
// network mount) holds no worker, and a file read that blocks holds no I/O thread.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/http_server.h"
#include "server/static_files.h"
#include "support/http_client.h"
#include "support/served_model.h"
#include "support/server_process.h"

// ---- a disk whose reads block -------------------------------------------------------------------------------------
// This executable's read() and pread() stand in for the C library's (the executable's definitions win at link
// time): reads of one chosen descriptor wait until the test lets them go, as on a disk that has stopped answering.
// Every other read goes straight to the kernel.
namespace {
std::atomic<int> g_stuck_fd{-1};
std::atomic<bool> g_reads_released{false};
std::atomic<bool> g_read_waiting{false};

void wait_if_stuck(int fd) {
  if (fd < 0 || fd != g_stuck_fd.load()) return;
  g_read_waiting = true;
  while (!g_reads_released.load()) ::usleep(1000);
}
}  // namespace

extern "C" ssize_t read(int fd, void* buffer, size_t size) {
  wait_if_stuck(fd);
  return ::syscall(SYS_read, fd, buffer, size);
}
extern "C" ssize_t pread(int fd, void* buffer, size_t size, off_t offset) {
  wait_if_stuck(fd);
  return ::syscall(SYS_pread64, fd, buffer, size, offset);
}
extern "C" ssize_t pread64(int fd, void* buffer, size_t size, off64_t offset) {
  wait_if_stuck(fd);
  return ::syscall(SYS_pread64, fd, buffer, size, offset);
}

namespace thumbgen {
namespace {

namespace fs = std::filesystem;
using test::HttpResult;
using test::RawConnection;
using test::ServerProcess;

// GET on a connection of its own, answered within 10 s or status 0 (a stall).
HttpResult get(unsigned short port, const std::string& target) {
  RawConnection connection(port);
  if (!connection.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")) return {};
  return connection.read_response(std::chrono::seconds(10));
}

// A write lease held by another process makes open() of the file wait for up to /proc/sys/fs/lease-break-time
// (45 s), as a file on a hung network mount would. Before the fix, eight such requests held all four workers and
// nothing else was answered.
TEST(ServerSlowFilesTest, AModelFileWhoseOpenBlocksHoldsNoWorker) {
  ServerProcess server;
  test::ServedModel model = test::import_served_model(server);
  server.start();
  ASSERT_EQ(get(server.port(), model.target).status, 200);

  ::signal(SIGIO, SIG_IGN);  // the lease holder is told of each open by SIGIO
  int holder = ::open(model.file.c_str(), O_RDONLY);
  ASSERT_GE(holder, 0);
  // The server closes the file of the answer above just after sending it: until then the lease is refused (EAGAIN).
  int leased = -1;
  for (int attempt = 0; attempt < 200 && leased != 0; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    leased = ::fcntl(holder, F_SETLEASE, F_WRLCK);
    if (leased != 0 && errno != EAGAIN) break;
  }
  if (leased != 0) {
    ::close(holder);
    GTEST_SKIP() << "no file leases here: " << std::strerror(errno);
  }
  std::vector<std::unique_ptr<RawConnection>> waiting;
  for (int i = 0; i < 8; ++i) {
    waiting.push_back(std::make_unique<RawConnection>(server.port()));
    waiting.back()->send("GET " + model.target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  }
  EXPECT_EQ(get(server.port(), "/healthz").status, 200);
  for (auto& connection : waiting) {
    HttpResult result = connection->read_response(std::chrono::seconds(10));
    EXPECT_EQ(result.status, 503) << result.body;  // busy for now: try again
  }
  ::fcntl(holder, F_SETLEASE, F_UNLCK);
  ::close(holder);
  EXPECT_EQ(get(server.port(), model.target).status, 200);
}

// The issue's own example: a model file replaced by a FIFO (open would wait for a writer, reads for data) is not a
// file the server serves, and costs other requests nothing.
TEST(ServerSlowFilesTest, AModelFileThatIsAFifoIsNotServedAndDelaysNothing) {
  ServerProcess server;
  test::ServedModel model = test::import_served_model(server);
  server.start();
  fs::remove(model.file);
  ASSERT_EQ(::mkfifo(model.file.c_str(), 0644), 0);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(get(server.port(), model.target).status, 404);
  EXPECT_EQ(get(server.port(), "/healthz").status, 200);
}

// In-process, on the HTTP layer itself: one I/O thread, and a response whose file read blocks. Before the fix the
// read ran on the I/O thread, and no other connection was answered until it returned.
TEST(HttpServerFileReadsTest, AFileReadThatBlocksHoldsNoIoThread) {
  fs::path dir = fs::temp_directory_path() / ("slow-read-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string content(300'000, 'm');
  std::ofstream(dir / "model.glb", std::ios::binary) << content;

  server::HttpOptions options;
  options.io_threads = 1;
  options.worker_threads = 2;
  server::HttpServer http(options, [&](const server::HttpRequest& request, const std::string&) {
    if (request.target() != "/slow") return server::json_response(server::http::status::ok, {{"status", "ok"}});
    server::ApiResponse response = server::serve_file(dir / "model.glb", "model/gltf-binary", request);
    if (response.file) g_stuck_fd = response.file->file.native_handle();
    return response;
  });
  unsigned short port = http.listen("127.0.0.1", 0);
  std::thread runner([&] { http.run(); });

  RawConnection slow(port);
  slow.send("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  for (int i = 0; i < 1000 && !g_read_waiting; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(g_read_waiting) << "the file was never read";
  EXPECT_EQ(get(port, "/healthz").status, 200);  // while the read is stuck

  g_reads_released = true;
  HttpResult whole = slow.read_response(std::chrono::seconds(10));
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, content);
  http.stop();
  runner.join();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace thumbgen
