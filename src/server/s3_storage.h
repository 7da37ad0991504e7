// Thumbnails in an S3-compatible bucket (AWS S3, Backblaze B2, MinIO): each key is stored as the object
// "<prefix>/<key>". Puts are atomic on S3 (readers see the old object or the whole new one).
#pragma once

#include <memory>
#include <string>

#include "server/s3_client.h"
#include "server/storage.h"

namespace thumbgen::server {

struct S3StorageSettings {
  S3ClientOptions client;
  std::string prefix;      // a valid storage key or "" (the bucket's root); no leading or trailing '/'
  std::string public_url;  // where the bucket's objects are public by object key; "" = through /media/
};

class S3Storage final : public Storage {
 public:
  // Throws std::invalid_argument for a bad prefix, endpoint or bucket name. Sends nothing: see check().
  explicit S3Storage(S3StorageSettings settings);

  std::string put(std::string_view key, std::span<const std::uint8_t> bytes, std::string_view content_type) override;
  std::optional<std::filesystem::path> local_path(std::string_view key) const override;  // always nullopt
  std::optional<std::string> read(std::string_view key) const override;
  // ListObjectsV2, page after page (1,000 keys each).
  void list(std::string_view prefix, const std::function<void(const StoredObject&)>& visit) const override;
  void remove(std::string_view key) override;
  // public_url + "/" + object key when a public URL is set, else served_media_url(base_url, key).
  std::string public_url(std::string_view key, std::string_view base_url) const override;

  // One listing of the prefix: shows at start that the bucket exists and the credentials sign, or throws S3Error
  // naming S3's error code (SignatureDoesNotMatch, NoSuchBucket, ...).
  void check() const;
  // "s3://bucket/prefix at http(s)://host".
  std::string describe() const;

 private:
  std::string object_key(std::string_view key) const;

  std::string prefix_;  // "" or "prefix/"
  std::string public_url_;
  std::unique_ptr<S3Client> client_;
};

}  // namespace thumbgen::server
