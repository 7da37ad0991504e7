#include "server/s3_storage.h"

#include <stdexcept>

namespace thumbgen::server {

S3Storage::S3Storage(S3StorageSettings settings)
    : public_url_(std::move(settings.public_url)), client_(std::make_unique<S3Client>(std::move(settings.client))) {
  if (!settings.prefix.empty()) {
    if (!is_valid_storage_key(settings.prefix))
      throw std::invalid_argument("S3 prefix '" + settings.prefix + "' is not a valid storage key ([A-Za-z0-9._/-])");
    prefix_ = settings.prefix + "/";
  }
  while (public_url_.ends_with('/')) public_url_.pop_back();
}

std::string S3Storage::object_key(std::string_view key) const {
  if (!is_valid_storage_key(key)) throw std::invalid_argument("invalid storage key");
  return prefix_ + std::string(key);
}

std::string S3Storage::put(std::string_view key, std::span<const std::uint8_t> bytes, std::string_view content_type) {
  client_->put_object(object_key(key), bytes, content_type);
  return std::string(key);
}

std::optional<std::filesystem::path> S3Storage::local_path(std::string_view) const { return std::nullopt; }

std::optional<std::string> S3Storage::read(std::string_view key) const {
  if (!is_valid_storage_key(key)) return std::nullopt;
  return client_->get_object(object_key(key));
}

void S3Storage::list(std::string_view prefix, const std::function<void(const StoredObject&)>& visit) const {
  std::optional<std::string> token;
  do {
    S3ListPage page = client_->list_objects(prefix_ + std::string(prefix), token);
    for (S3ListedObject& object : page.objects) {
      if (!object.key.starts_with(prefix_)) continue;
      std::string key = object.key.substr(prefix_.size());
      if (is_valid_storage_key(key)) visit({std::move(key), object.last_modified_unix});
    }
    token = std::move(page.next_continuation_token);
  } while (token);
}

void S3Storage::remove(std::string_view key) { client_->delete_object(object_key(key)); }

std::string S3Storage::public_url(std::string_view key, std::string_view base_url) const {
  if (public_url_.empty()) return served_media_url(base_url, key);
  return public_url_ + "/" + object_key(key);
}

void S3Storage::check() const { client_->list_objects(prefix_, std::nullopt, 1); }

std::string S3Storage::describe() const {
  const S3ClientOptions& options = client_->options();
  return "s3://" + options.bucket + "/" + prefix_ + " at " +
         (options.endpoint.empty() ? "AWS (" + options.region + ")" : options.endpoint);
}

}  // namespace thumbgen::server
