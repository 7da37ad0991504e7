// Where validated thumbnails live. Local disk now; S3/B2 later behind the same interface and the same keys.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace thumbgen::server {

class Storage {
 public:
  virtual ~Storage() = default;
  // Stores bytes under key and returns the stored key. Atomic: readers see the old object or the whole new one.
  // Throws std::invalid_argument for a bad key, std::runtime_error for I/O failures.
  virtual std::string put(std::string_view key, std::span<const std::uint8_t> bytes, std::string_view content_type) = 0;
  // The file to serve for key, which may not exist (nullopt for remote backends or bad keys).
  virtual std::optional<std::filesystem::path> local_path(std::string_view key) const = 0;
  // Removing a missing key is not an error.
  virtual void remove(std::string_view key) = 0;
  virtual std::string public_url(std::string_view key, std::string_view base_url) const = 0;
};

// Keys use only [A-Za-z0-9._/-], no empty segment, no segment starting with "." (so no ".."), no leading or trailing
// '/', at most 512 characters.
bool is_valid_storage_key(std::string_view key);

// Content-addressed thumbnail key: "thumbs/{asset_id}/{sha256_hex}.{extension}" (jpg, png, webp: the stored format).
std::string thumbnail_key(std::int64_t asset_id, std::string_view sha256_hex, std::string_view extension = "jpg");

// Whether `key` is a valid storage key under the asset's own prefix "thumbs/{asset_id}/": the only objects an
// upload to that asset may delete, and the only stored keys an import may point that asset at.
bool is_own_thumbnail_key(std::int64_t asset_id, std::string_view key);

}  // namespace thumbgen::server
