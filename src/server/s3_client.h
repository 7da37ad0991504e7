// A small S3 API client (libcurl, SigV4 from s3_signer.h) with just what thumbnail storage needs: PutObject with
// Content-MD5, GetObject, DeleteObject and ListObjectsV2. Timeouts on every request; 5xx, 429, S3's RequestTimeout
// and connection failures are retried with exponential backoff and jitter; every failure is an S3Error that names
// the operation, s3://bucket/key, the endpoint and S3's error code.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/s3_signer.h"

namespace thumbgen::server {

struct S3ClientOptions {
  std::string endpoint;  // "http(s)://host[:port]"; empty: AWS, https://s3.<region>.amazonaws.com
  std::string region = "us-east-1";
  std::string bucket;
  bool path_style = false;  // https://host/bucket/key rather than https://bucket.host/key
  SigV4Credentials credentials;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{60000};
  int attempts = 4;                                  // tries per request, the first included
  std::chrono::milliseconds first_retry_delay{250};  // doubled per retry (with jitter), at most 8 s
  std::uint64_t max_object_bytes = 64 << 20;         // larger GetObject answers fail (thumbnails are small)
  // Called before each retry with what failed (the server logs it; tests act on it).
  std::function<void(const std::string& failure, int attempt)> on_retry;
};

class S3Error : public std::runtime_error {
 public:
  S3Error(const std::string& message, std::string code, long http_status)
      : std::runtime_error(message), code_(std::move(code)), http_status_(http_status) {}
  // S3's <Code> ("SignatureDoesNotMatch", "NoSuchBucket", ...); "" when no S3 answer came (connection failures).
  const std::string& code() const { return code_; }
  long http_status() const { return http_status_; }  // 0 without an HTTP answer

 private:
  std::string code_;
  long http_status_;
};

struct S3ListedObject {
  std::string key;
  std::int64_t last_modified_unix = 0;
};

struct S3ListPage {
  std::vector<S3ListedObject> objects;
  std::optional<std::string> next_continuation_token;  // set while more pages follow
};

// Bucket names S3, B2 and MinIO accept (3-63 of a-z A-Z 0-9 . -), all safe unencoded in a host name and a path.
bool valid_s3_bucket_name(std::string_view bucket);

class S3Client {
 public:
  // Throws std::invalid_argument for an endpoint that is not http(s)://host[:port] or a bad bucket name.
  explicit S3Client(S3ClientOptions options);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  void put_object(std::string_view key, std::span<const std::uint8_t> bytes, std::string_view content_type);
  // nullopt when there is no such key.
  std::optional<std::string> get_object(std::string_view key);
  // Deleting a missing key is not an error (S3 answers 204 either way).
  void delete_object(std::string_view key);
  // One ListObjectsV2 page of keys starting with `prefix` (at most `max_keys`, which S3 caps at 1000).
  S3ListPage list_objects(std::string_view prefix, const std::optional<std::string>& continuation_token,
                          int max_keys = 1000);

  // "s3://bucket" and where it is reached, for messages.
  std::string describe() const;
  const S3ClientOptions& options() const { return options_; }

 private:
  struct Call;
  struct Response {
    long status = 0;
    std::string body;
  };
  // Sends `call` with retries; the last answer (any status), or throws S3Error after the last failed try.
  Response send(const Call& call);
  [[noreturn]] void fail(const Call& call, const Response& response) const;

  S3ClientOptions options_;
  std::string scheme_, host_;  // the host header (with the bucket when virtual-hosted, ":port" when not default)
  class HandlePool;
  std::unique_ptr<HandlePool> handles_;
};

}  // namespace thumbgen::server
