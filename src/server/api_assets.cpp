// The admin asset endpoints: missing-thumbnails listing, thumbnail upload, thumbnail-failure.
#include <charconv>
#include <nlohmann/json.hpp>

#include "server/api_handlers.h"

namespace thumbgen::server {

namespace {

template <class T>
std::optional<T> parse_integer(std::string_view text) {
  T value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<bool> parse_bool(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  return std::nullopt;
}

// The keyset cursor: "<next_attempt_at>_<id>" of the last asset of a page. Opaque to clients.
std::string make_cursor(const MissingAsset& asset) {
  return std::to_string(asset.next_attempt_at) + "_" + std::to_string(asset.id);
}

std::optional<std::pair<std::int64_t, std::int64_t>> parse_cursor(std::string_view text) {
  std::size_t separator = text.find('_');
  if (separator == std::string_view::npos) return std::nullopt;
  auto when = parse_integer<std::int64_t>(text.substr(0, separator));
  auto id = parse_integer<std::int64_t>(text.substr(separator + 1));
  if (!when || !id) return std::nullopt;
  return std::make_pair(*when, *id);
}

constexpr int kDefaultLimit = 50, kMaxLimit = 100;

}  // namespace

ApiResponse Api::missing_thumbnails(ApiRequest& request) {
  auto staff = require_staff(request);
  if (auto* denied = std::get_if<ApiResponse>(&staff)) return std::move(*denied);
  const std::string& user = std::get<UserRecord>(staff).username;

  MissingQuery query;
  query.limit = kDefaultLimit;
  if (auto it = request.query.find("limit"); it != request.query.end()) {
    auto limit = parse_integer<long long>(it->second);
    if (!limit || *limit < 1)
      return error_response(http::status::bad_request, "limit must be an integer from 1 to 100");
    query.limit = static_cast<int>(std::min<long long>(*limit, kMaxLimit));  // the spec's max: clamp
  }
  if (auto it = request.query.find("offset"); it != request.query.end()) {
    auto offset = parse_integer<long long>(it->second);
    if (!offset || *offset < 0)
      return error_response(http::status::bad_request, "offset must be a non-negative integer");
    query.offset = *offset;
  }
  if (auto it = request.query.find("viewer_compatible_only"); it != request.query.end()) {
    auto flag = parse_bool(it->second);
    if (!flag) return error_response(http::status::bad_request, "viewer_compatible_only must be true or false");
    query.viewer_compatible_only = *flag;
  }
  if (auto it = request.query.find("after"); it != request.query.end() && !it->second.empty()) {
    query.after = parse_cursor(it->second);
    if (!query.after) return error_response(http::status::bad_request, "after: invalid cursor");
  }

  int page_size = query.limit;
  query.limit = page_size + 1;  // one extra row tells has_more exactly
  MissingPage page = catalogue_.list_missing(query);
  bool has_more = static_cast<int>(page.assets.size()) > page_size;
  if (has_more) page.assets.resize(static_cast<std::size_t>(page_size));

  nlohmann::json assets = nlohmann::json::array();
  for (const MissingAsset& asset : page.assets) {
    nlohmann::json item = asset_json(asset);
    if (asset.job) {  // extra fields for `thumbgen work` and the admin UI; the spec's fields stay as they are
      item["thumbnail_state"] = asset.job->state;
      item["thumbnail_attempts"] = asset.job->attempts;
      item["thumbnail_last_error"] = asset.job->last_error ? nlohmann::json(*asset.job->last_error) : nullptr;
    }
    assets.push_back(std::move(item));
  }
  nlohmann::json body = {{"assets", std::move(assets)}, {"total_count", page.total_count}, {"has_more", has_more}};
  body["next_cursor"] = has_more ? nlohmann::json(make_cursor(page.assets.back())) : nlohmann::json(nullptr);
  ApiResponse response = json_response(http::status::ok, body);
  response.user = user;
  return response;
}

ApiResponse Api::upload_thumbnail(ApiRequest& request) {
  auto staff = require_staff(request);
  if (auto* denied = std::get_if<ApiResponse>(&staff)) return std::move(*denied);
  const std::string& user = std::get<UserRecord>(staff).username;
  auto with_user = [&](ApiResponse response) {
    response.user = user;
    return response;
  };

  auto asset = catalogue_.find_asset(request.params.at(0));
  if (!asset) return with_user(error_response(http::status::not_found, "Asset not found"));
  nlohmann::json body = nlohmann::json::parse(request.raw.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return with_user(error_response(http::status::bad_request, "Request body must be a JSON object"));
  }
  return with_user(store_thumbnail(*asset, body, std::nullopt));
}

ApiResponse Api::store_thumbnail(const AssetRef& asset, const nlohmann::json& body,
                                 const std::optional<ThumbnailFence>& fence) {
  auto field = body.find("thumbnail_base64");
  if (field == body.end() || !field->is_string()) {
    return error_response(http::status::bad_request, "thumbnail_base64 is required");
  }
  auto validated = validate_thumbnail_upload(field->get_ref<const std::string&>(), settings_.upload_limits);
  if (auto* error = std::get_if<UploadError>(&validated)) {
    return error_response(static_cast<http::status>(error->http_status), error->detail);
  }
  const ValidatedThumbnail& thumbnail = std::get<ValidatedThumbnail>(validated);

  std::string key = thumbnail_key(asset.id, thumbnail.sha256_hex);
  {
    std::lock_guard lock(upload_locks_[static_cast<std::uint64_t>(asset.id) % upload_locks_.size()]);
    storage_.put(key, thumbnail.jpeg, "image/jpeg");
    ThumbnailSwitch result = catalogue_.set_thumbnail_fenced(asset.id, key, "image/jpeg", unix_now(), fence);
    if (!result.switched) {
      // A stale job: the object we just wrote goes again, unless it is the very image the asset already shows.
      if (result.previous != key) storage_.remove(key);
      return error_response(http::status::conflict, "Stale fencing token");
    }
    // The old object goes only after the pointer moved; imported URLs are not ours to delete.
    const auto& previous = result.previous;
    if (previous && *previous != key && is_valid_storage_key(*previous)) storage_.remove(*previous);
  }
  return json_response(
      http::status::ok,
      {{"success", true}, {"thumbnail_url", storage_.public_url(key, settings_.public_url)}, {"asset_url", asset.url}});
}

nlohmann::json Api::asset_json(const MissingAsset& asset) const {
  nlohmann::json formats = nlohmann::json::array();
  for (const MissingFormat& format : asset.formats) {
    formats.push_back({{"format_type", format.format_type},
                       {"root_url", file_url(asset.url, format.root)},
                       {"is_preferred", format.is_preferred}});
  }
  return {{"id", asset.id},
          {"id_str", std::to_string(asset.id)},  // JavaScript rounds 64-bit numbers
          {"url", asset.url},
          {"name", asset.name},
          {"owner_displayname", asset.owner_displayname},
          {"formats", std::move(formats)}};
}

ApiResponse Api::thumbnail_failure(ApiRequest& request) {
  auto staff = require_staff(request);
  if (auto* denied = std::get_if<ApiResponse>(&staff)) return std::move(*denied);
  const std::string& user = std::get<UserRecord>(staff).username;
  auto with_user = [&](ApiResponse response) {
    response.user = user;
    return response;
  };

  auto asset = catalogue_.find_asset(request.params.at(0));
  if (!asset) return with_user(error_response(http::status::not_found, "Asset not found"));
  std::string reason;
  if (!request.raw.body().empty()) {
    nlohmann::json body = nlohmann::json::parse(request.raw.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return with_user(error_response(http::status::bad_request, "Request body must be a JSON object"));
    }
    if (auto field = body.find("reason"); field != body.end()) {
      if (!field->is_string()) return with_user(error_response(http::status::bad_request, "reason must be a string"));
      reason = field->get<std::string>();
    }
  }
  FailureRecord record = catalogue_.record_failure(asset->id, reason, unix_now());
  return with_user(json_response(http::status::ok, {{"success", true},
                                                    {"asset_url", asset->url},
                                                    {"attempts", record.attempts},
                                                    {"next_attempt_at", iso8601_utc(record.next_attempt_at)}}));
}

}  // namespace thumbgen::server
