#include "server/media_storage.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "server/storage_local.h"

namespace thumbgen::server {

StorageLocation parse_storage_location(std::string_view text) {
  StorageLocation location;
  if (text.starts_with("file:")) {
    location.folder = std::string(text.substr(5));
    return location;
  }
  if (!text.starts_with("s3://"))
    throw std::invalid_argument("expected file:, file:DIR or s3://bucket/prefix, got '" + std::string(text) + "'");
  std::string_view rest = text.substr(5);
  const std::size_t slash = rest.find('/');
  location.bucket = std::string(rest.substr(0, slash));
  std::string_view prefix = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  while (prefix.ends_with('/')) prefix.remove_suffix(1);
  location.prefix = std::string(prefix);
  if (location.bucket.empty()) throw std::invalid_argument("s3:// needs a bucket: s3://bucket/prefix");
  if (!location.prefix.empty() && !is_valid_storage_key(location.prefix))
    throw std::invalid_argument("the prefix of '" + std::string(text) +
                                "' may hold only A-Z a-z 0-9 . _ - and '/' between non-empty parts");
  if (!valid_s3_bucket_name(location.bucket))
    throw std::invalid_argument("'" + location.bucket + "' is not a bucket name (3-63 of a-z A-Z 0-9 . -)");
  return location;
}

S3StorageSettings s3_storage_settings(const ServerConfig& config, const StorageLocation& location) {
  if (config.aws_access_key_id.empty() || config.aws_secret_access_key.empty())
    throw std::invalid_argument("storage s3://" + location.bucket +
                                " needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
  S3StorageSettings settings;
  settings.client.endpoint = config.s3_endpoint;
  settings.client.region = config.s3_region.empty() ? "us-east-1" : config.s3_region;
  settings.client.bucket = location.bucket;
  // MinIO, B2 and test servers are reached by path; AWS prefers the bucket in the host name.
  settings.client.path_style = config.s3_path_style.value_or(!config.s3_endpoint.empty());
  settings.client.credentials = {config.aws_access_key_id, config.aws_secret_access_key};
  settings.client.on_retry = [](const std::string& failure, int attempt) {
    spdlog::warn("{} (attempt {}): retrying", failure, attempt);
  };
  settings.prefix = location.prefix;
  settings.public_url = config.s3_public_url;
  return settings;
}

std::unique_ptr<Storage> open_media_storage(const ServerConfig& config) {
  const StorageLocation location = parse_storage_location(config.storage);
  if (!location.is_s3()) {
    auto storage = std::make_unique<LocalStorage>(location.folder.empty() ? config.data / "media" : location.folder);
    if (std::size_t stale = storage->remove_stale_temp_files(); stale > 0) {
      spdlog::info("removed {} temporary file(s) left in {} by interrupted uploads", stale, storage->root().string());
    }
    spdlog::info("thumbnails are stored in {}", storage->root().string());
    return storage;
  }
  auto storage = std::make_unique<S3Storage>(s3_storage_settings(config, location));
  storage->check();
  spdlog::info("thumbnails are stored in {}{}", storage->describe(),
               config.s3_public_url.empty() ? " (served at /media/)" : ", public at " + config.s3_public_url);
  return storage;
}

std::chrono::seconds orphan_min_age(const ServerConfig& config) {
  if (config.orphan_min_age_seconds) return std::chrono::seconds(*config.orphan_min_age_seconds);
  return parse_storage_location(config.storage).is_s3() ? std::chrono::seconds(600) : std::chrono::seconds(0);
}

}  // namespace thumbgen::server
