// Where validated thumbnails live: local disk (storage_local.h) or an S3-compatible bucket (s3_storage.h), behind
// the same interface and the same keys.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace thumbgen::server {

struct StoredObject {
  std::string key;
  std::int64_t modified_unix = 0;  // when it was last written (Unix seconds)
};

class Storage {
 public:
  virtual ~Storage() = default;
  // Stores bytes under key and returns the stored key. Atomic: readers see the old object or the whole new one.
  // Throws std::invalid_argument for a bad key, std::runtime_error for I/O failures.
  virtual std::string put(std::string_view key, std::span<const std::uint8_t> bytes, std::string_view content_type) = 0;
  // The file to serve for key, which may not exist (nullopt for remote backends or bad keys).
  virtual std::optional<std::filesystem::path> local_path(std::string_view key) const = 0;
  // The whole object (nullopt when there is none, or for a bad key). Throws std::runtime_error when the store cannot
  // answer. What /media/ serves when there is no local_path.
  virtual std::optional<std::string> read(std::string_view key) const = 0;
  // Calls `visit` for every stored object whose key starts with `prefix`, in no set order (temporary files of puts
  // in progress left out). Throws std::runtime_error when the store cannot answer.
  virtual void list(std::string_view prefix, const std::function<void(const StoredObject&)>& visit) const = 0;
  // Removing a missing key is not an error.
  virtual void remove(std::string_view key) = 0;
  virtual std::string public_url(std::string_view key, std::string_view base_url) const = 0;
  // For /readyz: returns when the store answers, throws std::runtime_error with the reason when it cannot. By
  // default one read of a key that never exists (for a bucket: one GET answered 404).
  virtual void check_reachable() const { (void)read("readyz/probe"); }
};

// Keys use only [A-Za-z0-9._/-], no empty segment, no segment starting with "." (so no ".."), no leading or trailing
// '/', at most 512 characters.
bool is_valid_storage_key(std::string_view key);

// Where `thumbgen serve` itself serves a stored key: base_url (trailing '/' trimmed) + "/media/" + key.
std::string served_media_url(std::string_view base_url, std::string_view key);

// Content-addressed thumbnail key: "thumbs/{asset_id}/{sha256_hex}.{extension}" (jpg, png, webp: the stored format).
std::string thumbnail_key(std::int64_t asset_id, std::string_view sha256_hex, std::string_view extension = "jpg");

// Whether `key` is a valid storage key under the asset's own prefix "thumbs/{asset_id}/": the only objects an
// upload to that asset may delete, and the only stored keys an import may point that asset at.
bool is_own_thumbnail_key(std::int64_t asset_id, std::string_view key);

}  // namespace thumbgen::server
