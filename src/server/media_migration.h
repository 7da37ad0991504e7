// The media half of `thumbgen migrate`: every stored thumbnail of one store copied into another under the same key
// (file: to s3:, or between buckets).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "server/storage.h"

namespace thumbgen::server {

struct MediaCopyResult {
  std::int64_t copied = 0, already_there = 0;
  std::uint64_t bytes_copied = 0;
};

// Copies every object under "thumbs/" of `from` that `to` lacks. Keys are content-addressed
// (thumbs/<asset id>/<sha256>.<ext>), so an object already at its key in `to` holds the same bytes: running it again
// copies only what is missing, and an interrupted run loses nothing. Each copy is checked against the SHA-256 its key
// names before it is stored. Throws std::runtime_error naming the key when a read, a check or a put fails.
MediaCopyResult copy_media(const Storage& from, Storage& to,
                           const std::function<void(const MediaCopyResult&)>& progress = nullptr);

}  // namespace thumbgen::server
