#include "support/s3_test_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace thumbgen::test {

namespace fs = std::filesystem;

namespace {

const fs::path kPackage = fs::path(THUMBGEN_SOURCE_DIR) / "tests" / "s3";

}  // namespace

S3TestServer::S3TestServer() {
  if (!fs::exists(kPackage / "node_modules" / "@20minutes" / "s3rver" / "package.json"))
    throw std::runtime_error("the S3 test server is not installed: run bash tests/s3/install.sh (ctest does)");
  char pattern[] = "/tmp/thumbgen-s3-test-XXXXXX";
  if (!::mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  fs::create_directories(dir_ / "objects");
  launch(0);
}

S3TestServer::~S3TestServer() {
  stop();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

void S3TestServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

void S3TestServer::start() {
  if (pid_ > 0) return;
  // The port may linger briefly after the stop: try again for a while.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    try {
      launch(port_);
      return;
    } catch (const std::runtime_error&) {
      if (std::chrono::steady_clock::now() > deadline) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void S3TestServer::launch(unsigned short port) {
  const fs::path log_path = dir_ / "s3rver.log";
  fs::remove(log_path);
  // s3rver makes its ListObjectsV2 continuation tokens with DES, which Node 20's OpenSSL 3 keeps in the legacy
  // provider.
  std::vector<std::string> args = {"/usr/bin/env",
                                   "node",
                                   "--openssl-legacy-provider",
                                   (kPackage / "s3_test_server.js").string(),
                                   (dir_ / "objects").string(),
                                   std::to_string(port),
                                   kBucket,
                                   kAccessKeyId,
                                   kSecretAccessKey};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("cannot start the S3 test server");
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed test never leaves a server behind
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGTERM, SIG_DFL);
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log >= 0) {
      ::dup2(log, 1);
      ::dup2(log, 2);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = log();
    if (auto at = text.find("listening "); at != std::string::npos && text.find('\n', at) != std::string::npos) {
      port_ = static_cast<unsigned short>(std::stoi(text.substr(at + 10)));
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("the S3 test server exited early:\n" + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();
  throw std::runtime_error("the S3 test server did not start:\n" + log());
}

std::string S3TestServer::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

server::S3ClientOptions S3TestServer::client_options() const {
  server::S3ClientOptions options;
  options.endpoint = endpoint();
  options.bucket = kBucket;
  options.path_style = true;
  options.credentials = {kAccessKeyId, kSecretAccessKey};
  options.attempts = 3;
  options.first_retry_delay = std::chrono::milliseconds(20);
  options.connect_timeout = std::chrono::milliseconds(2000);
  return options;
}

std::vector<std::string> S3TestServer::serve_environment() const {
  return {"THUMBGEN_S3_ENDPOINT=" + endpoint(), std::string("AWS_ACCESS_KEY_ID=") + kAccessKeyId,
          std::string("AWS_SECRET_ACCESS_KEY=") + kSecretAccessKey};
}

std::string S3TestServer::log() const {
  std::ifstream in(dir_ / "s3rver.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace thumbgen::test
