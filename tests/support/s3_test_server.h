// A real S3-compatible server on loopback for the storage tests: @20minutes/s3rver (tests/s3/), which verifies SigV4
// signatures, run by Node as a child process on a free port with a temporary object folder. Needs tests/s3's
// node_modules: ctest installs them first (tests/s3/install.sh, the S3ServerInstall fixture).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "server/s3_client.h"

namespace thumbgen::test {

class S3TestServer {
 public:
  static constexpr const char* kBucket = "thumbgen-test";
  static constexpr const char* kAccessKeyId = "AKIDTHUMBGENTEST";
  // '/' and '+' as real AWS secrets have them.
  static constexpr const char* kSecretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYTHUMBGENKEY";

  // Starts it (throws with its output when it does not answer within 20 s).
  S3TestServer();
  ~S3TestServer();
  S3TestServer(const S3TestServer&) = delete;
  S3TestServer& operator=(const S3TestServer&) = delete;

  // Stops it (SIGTERM); start() brings it back on the same port with the same objects.
  void stop();
  void start();

  unsigned short port() const { return port_; }
  std::string endpoint() const;  // "http://127.0.0.1:PORT"
  // Options for a client of the test bucket: path-style, the test credentials, short retry delays.
  server::S3ClientOptions client_options() const;
  // The environment a `thumbgen serve --storage s3://thumbgen-test/...` needs to reach it.
  std::vector<std::string> serve_environment() const;
  std::string log() const;

 private:
  void launch(unsigned short port);

  std::filesystem::path dir_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
};

}  // namespace thumbgen::test
