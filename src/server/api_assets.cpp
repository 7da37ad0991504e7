// The admin asset endpoints: missing-thumbnails listing, thumbnail upload, thumbnail-failure.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "server/api_handlers.h"
#include "server/api_parsing.h"
#include "server/render_settings.h"

namespace thumbgen::server {

namespace {

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

// Appends JSON text. Hand-written for the listing, the hot path of the server: building an nlohmann::json tree (a
// std::map and an allocation per node) cost more than the SQLite work at 1M assets. The rare strings that need
// more than plain ASCII go through nlohmann's escaper (control characters, invalid UTF-8 replaced), as before.
class JsonOut {
 public:
  explicit JsonOut(std::string& out) : out_(out) {}
  JsonOut& raw(std::string_view text) {
    out_ += text;
    return *this;
  }
  JsonOut& string(std::string_view text) {
    bool plain = std::all_of(text.begin(), text.end(), [](char c) {
      auto byte = static_cast<unsigned char>(c);
      return byte >= 0x20 && byte < 0x80 && c != '"' && c != '\\';
    });
    if (plain) {
      out_ += '"';
      out_ += text;
      out_ += '"';
    } else {
      out_ += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    return *this;
  }
  JsonOut& integer(std::int64_t value) {
    char digits[24];
    auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
    (void)error;
    out_.append(digits, end);
    return *this;
  }
  JsonOut& boolean(bool value) { return raw(value ? "true" : "false"); }

 private:
  std::string& out_;
};

// The spec's fields of one listed asset, "{" included and "}" left open for callers' extra fields: one home for the
// shape the listing writes and the claim answers embed (asset_json).
template <typename AppendFileUrl>
void append_asset_fields(JsonOut& out, const MissingAsset& asset, std::string& scratch, AppendFileUrl append_file_url) {
  out.raw(R"({"id":)").integer(asset.id).raw(R"(,"id_str":")").integer(asset.id);  // JavaScript rounds 64-bit ids
  out.raw(R"(","url":)").string(asset.url).raw(R"(,"name":)").string(asset.name);
  out.raw(R"(,"owner_displayname":)").string(asset.owner_displayname).raw(R"(,"formats":[)");
  for (const MissingFormat& format : asset.formats) {
    if (&format != &asset.formats.front()) out.raw(",");
    scratch.clear();
    append_file_url(scratch, asset.url, format.root);
    out.raw(R"({"format_type":)").string(format.format_type).raw(R"(,"root_url":)").string(scratch);
    out.raw(R"(,"is_preferred":)").boolean(format.is_preferred).raw("}");
  }
  out.raw("]");
}

}  // namespace

ApiResponse Api::for_staff(ApiRequest& request, const std::function<ApiResponse()>& handler) {
  auto staff = require_staff(request);
  if (auto* denied = std::get_if<ApiResponse>(&staff)) return std::move(*denied);
  ApiResponse response = handler();
  response.user = std::get<UserRecord>(staff).username;
  return response;
}

ApiResponse Api::for_staff_on_asset(ApiRequest& request, const std::function<ApiResponse(const AssetRef&)>& handler) {
  return for_staff(request, [&] {
    auto asset = catalogue_.find_asset(request.params.at(0));
    if (!asset) return error_response(http::status::not_found, "Asset not found");
    return handler(*asset);
  });
}

ApiResponse Api::missing_thumbnails(ApiRequest& request) {
  return for_staff(request, [&] { return list_missing_page(request); });
}

ApiResponse Api::list_missing_page(ApiRequest& request) {
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

  ApiResponse response;
  response.body.reserve(256 + page.assets.size() * 400);
  JsonOut out(response.body);
  std::string scratch;  // root URLs are built here before escaping
  out.raw(R"({"assets":[)");
  for (const MissingAsset& asset : page.assets) {
    if (&asset != &page.assets.front()) out.raw(",");
    append_asset_fields(out, asset, scratch,
                        [this](std::string& url, const std::string& asset_url, const std::string& root) {
                          append_file_url(url, asset_url, root);
                        });
    if (asset.job) {  // extra fields for `thumbgen work` and the admin UI; the spec's fields stay as they are
      out.raw(R"(,"thumbnail_state":)").string(asset.job->state);
      out.raw(R"(,"thumbnail_attempts":)").integer(asset.job->attempts).raw(R"(,"thumbnail_last_error":)");
      if (asset.job->last_error) {
        out.string(*asset.job->last_error);
      } else {
        out.raw("null");
      }
    }
    out.raw("}");
  }
  out.raw(R"(],"total_count":)").integer(page.total_count).raw(R"(,"has_more":)").boolean(has_more);
  out.raw(R"(,"next_cursor":)");
  if (has_more) {
    out.string(make_cursor(page.assets.back()));
  } else {
    out.raw("null");
  }
  out.raw("}");
  return response;
}

ApiResponse Api::upload_thumbnail(ApiRequest& request) {
  return for_staff_on_asset(request, [&](const AssetRef& asset) {
    nlohmann::json body = nlohmann::json::parse(request.raw.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return error_response(http::status::bad_request, "Request body must be a JSON object");
    }
    return store_thumbnail(asset, body, std::nullopt);
  });
}

// The switch has committed (or was refused): a failed removal costs no thumbnail, only an orphan the start-up sweep
// removes, so it is logged rather than answered.
void Api::remove_replaced_object(const std::string& key) {
  try {
    storage_.remove(key);
  } catch (const std::runtime_error& error) {
    spdlog::warn("stored thumbnail {} left for the orphan sweep: {}", key, error.what());
  }
}

ApiResponse Api::store_thumbnail(const AssetRef& asset, const nlohmann::json& body,
                                 const std::optional<ThumbnailFence>& fence) {
  auto field = body.find("thumbnail_base64");
  if (field == body.end() || !field->is_string()) {
    return error_response(http::status::bad_request, "thumbnail_base64 is required");
  }
  auto validated = validate_thumbnail_upload(field->get_ref<const std::string&>(), settings_.upload_limits);
  metrics_->count_upload(ServerMetrics::upload_outcome_of_status(
      std::holds_alternative<UploadError>(validated) ? std::get<UploadError>(validated).http_status : 200));
  if (auto* error = std::get_if<UploadError>(&validated)) {
    return error_response(static_cast<http::status>(error->http_status), error->detail);
  }
  const ValidatedThumbnail& thumbnail = std::get<ValidatedThumbnail>(validated);
  auto provenance = generated_provenance(body);
  if (auto* error = std::get_if<std::string>(&provenance)) return error_response(http::status::bad_request, *error);

  // Stored once in the server's format (THUMBGEN_THUMBNAIL_FORMAT): the key's extension and the type follow it.
  std::string key = thumbnail_key(asset.id, thumbnail.sha256_hex, thumbnail_extension(thumbnail.format));
  const char* content_type = thumbnail_content_type(thumbnail.format);
  {
    std::lock_guard lock(upload_locks_[static_cast<std::uint64_t>(asset.id) % upload_locks_.size()]);
    try {
      storage_.put(key, thumbnail.encoded, content_type);
    } catch (const std::runtime_error& error) {  // a bucket down past the retries, a full disk
      spdlog::error("thumbnail of asset {} not stored: {}", asset.id, error.what());
      ApiResponse busy = error_response(http::status::service_unavailable, "Thumbnail storage unavailable");
      busy.headers.emplace_back("Retry-After", "5");
      return busy;
    }
    ThumbnailSwitch result = catalogue_.set_thumbnail_fenced(asset.id, key, content_type, unix_now(), fence,
                                                             std::get<ThumbnailProvenance>(provenance));
    if (!result.switched) {
      // A stale job: the object we just wrote goes again, unless it is the very image the asset already shows.
      if (result.previous != key) remove_replaced_object(key);
      metrics_->count_fencing_refusal();
      return error_response(http::status::conflict, "Stale fencing token");
    }
    // The old object goes only after the pointer moved, and only from this asset's own prefix: imported URLs are
    // not ours to delete, and a pointer at another asset's key (an earlier import could write one) must not cost
    // that asset its thumbnail.
    const auto& previous = result.previous;
    if (previous && *previous != key && is_own_thumbnail_key(asset.id, *previous)) remove_replaced_object(*previous);
  }
  return json_response(
      http::status::ok,
      {{"success", true}, {"thumbnail_url", storage_.public_url(key, settings_.public_url)}, {"asset_url", asset.url}});
}

// The claim answers embed the listing's asset shape; claims are not a hot path, so the text is parsed back.
nlohmann::json Api::asset_json(const MissingAsset& asset) const {
  std::string text, scratch;
  JsonOut out(text);
  append_asset_fields(out, asset, scratch,
                      [this](std::string& url, const std::string& asset_url, const std::string& root) {
                        append_file_url(url, asset_url, root);
                      });
  out.raw("}");
  return nlohmann::json::parse(text);
}

ApiResponse Api::thumbnail_failure(ApiRequest& request) {
  return for_staff_on_asset(request, [&](const AssetRef& asset) {
    std::string reason;
    if (!request.raw.body().empty()) {
      nlohmann::json body = nlohmann::json::parse(request.raw.body(), nullptr, false);
      if (body.is_discarded() || !body.is_object()) {
        return error_response(http::status::bad_request, "Request body must be a JSON object");
      }
      if (auto field = body.find("reason"); field != body.end()) {
        if (!field->is_string()) return error_response(http::status::bad_request, "reason must be a string");
        reason = field->get<std::string>();
      }
    }
    FailureRecord record = catalogue_.record_failure(asset.id, reason, unix_now());
    return json_response(http::status::ok, {{"success", true},
                                            {"asset_url", asset.url},
                                            {"attempts", record.attempts},
                                            {"next_attempt_at", iso8601_utc(record.next_attempt_at)}});
  });
}

}  // namespace thumbgen::server
