#include "server/media_migration.h"

#include <set>
#include <stdexcept>
#include <vector>

#include "server/s3_signer.h"
#include "server/static_files.h"

namespace thumbgen::server {

namespace {

// The hex digest a content-addressed key names ("thumbs/12/<64 hex>.jpg"), or "" for another kind of key.
std::string named_digest(const std::string& key) {
  const std::size_t slash = key.rfind('/'), dot = key.rfind('.');
  if (slash == std::string::npos || dot == std::string::npos || dot < slash || dot - slash - 1 != 64) return "";
  return key.substr(slash + 1, 64);
}

}  // namespace

MediaCopyResult copy_media(const Storage& from, Storage& to,
                           const std::function<void(const MediaCopyResult&)>& progress) {
  std::set<std::string> present;
  to.list("thumbs/", [&](const StoredObject& object) { present.insert(object.key); });
  std::vector<std::string> keys;
  from.list("thumbs/", [&](const StoredObject& object) { keys.push_back(object.key); });

  MediaCopyResult result;
  for (const std::string& key : keys) {
    if (present.count(key)) {
      ++result.already_there;
      continue;
    }
    std::optional<std::string> bytes = from.read(key);
    if (!bytes) throw std::runtime_error("media " + key + ": listed by the source but gone when read");
    const std::string digest = named_digest(key);
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes->data());
    if (!digest.empty() && sha256_hex({data, bytes->size()}) != digest)
      throw std::runtime_error("media " + key + ": its bytes do not hash to the SHA-256 its key names");
    to.put(key, {data, bytes->size()}, content_type_for(key));
    ++result.copied;
    result.bytes_copied += bytes->size();
    if (progress) progress(result);
  }
  return result;
}

}  // namespace thumbgen::server
