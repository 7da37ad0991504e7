// The thumbnail store of `thumbgen serve`, chosen by --storage / THUMBGEN_STORAGE: "file:" (<data>/media, the
// default), "file:DIR", or "s3://bucket/prefix" with the THUMBGEN_S3_* settings and AWS_* credentials.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/s3_storage.h"
#include "server/server_config.h"
#include "server/storage.h"

namespace thumbgen::server {

struct StorageLocation {
  std::filesystem::path folder;  // file:DIR ("" for plain "file:": <data>/media)
  std::string bucket, prefix;    // s3://bucket/prefix ("" prefix: the bucket's root)
  bool is_s3() const { return !bucket.empty(); }
};

// Throws std::invalid_argument naming what is wrong.
StorageLocation parse_storage_location(std::string_view text);

// The S3 settings of `config` for the bucket `location` names: the endpoint, region, addressing (path-style by
// default for a custom endpoint) and credentials. Throws std::invalid_argument when the credentials are missing.
S3StorageSettings s3_storage_settings(const ServerConfig& config, const StorageLocation& location);

// The opened store, ready for puts: a folder created (and the temporary files of interrupted puts removed), or a
// bucket checked with one listing (throws S3Error naming S3's code, e.g. SignatureDoesNotMatch). Logs which.
std::unique_ptr<Storage> open_media_storage(const ServerConfig& config);

// How young an object the start-up orphan sweep leaves alone (THUMBGEN_ORPHAN_MIN_AGE, default 0 on disk and
// 10 minutes in a bucket that other servers may be uploading to).
std::chrono::seconds orphan_min_age(const ServerConfig& config);

}  // namespace thumbgen::server
