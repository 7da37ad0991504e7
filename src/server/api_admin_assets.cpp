// The admin web app's asset routes (issue 11): GET /api/v1/admin/assets (search, filters, six sort orders, an
// opaque keyset cursor, total_count), PUT /api/v1/admin/assets/{asset}/camera (the per-asset camera) and
// PUT /api/v1/admin/assets/{asset}/orientation (the model file's up axis, issue 12), each optionally re-queued for
// a new render.
#include <nlohmann/json.hpp>

#include "scene/up_axis.h"
#include "server/api_asset_filter.h"
#include "server/api_handlers.h"
#include "server/api_parsing.h"
#include "server/catalogue_admin.h"
#include "server/render_settings.h"
#include "util/base64.h"

namespace thumbgen::server {

namespace {

constexpr int kDefaultLimit = 50, kMaxLimit = 100;

struct SortName {
  const char* name;
  AssetSort sort;
};
constexpr SortName kSorts[] = {{"id", AssetSort::Id},           {"-id", AssetSort::IdDesc},
                               {"name", AssetSort::Name},       {"-name", AssetSort::NameDesc},
                               {"updated", AssetSort::Updated}, {"-updated", AssetSort::UpdatedDesc}};

const char* sort_name(AssetSort sort) {
  for (const SortName& entry : kSorts)
    if (entry.sort == sort) return entry.name;
  return "id";
}

// The cursor: base64url of "a1\n<sort>\n<id>\n<updated_at>\n<name>" of the page's last row. Opaque to clients (they
// only hand it back); it carries its sort so a cursor of another order is refused rather than misread.
std::string make_cursor(AssetSort sort, const AssetPosition& position) {
  const std::string text = std::string("a1\n") + sort_name(sort) + "\n" + std::to_string(position.id) + "\n" +
                           std::to_string(position.updated_at) + "\n" + position.name;
  return util::encode_base64url({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

std::variant<AssetPosition, std::string> parse_cursor(std::string_view cursor, AssetSort sort) {
  std::vector<std::uint8_t> bytes;
  if (cursor.size() > 2048 || !util::decode_base64url_strict(cursor, bytes))
    return std::string("after: invalid cursor");
  std::string text(bytes.begin(), bytes.end());
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (int i = 0; i < 4; ++i) {
    const std::size_t newline = text.find('\n', start);
    if (newline == std::string::npos) return std::string("after: invalid cursor");
    parts.push_back(text.substr(start, newline - start));
    start = newline + 1;
  }
  AssetPosition position;
  position.name = text.substr(start);
  auto id = parse_integer(parts[2]);
  auto updated = parse_integer(parts[3]);
  if (parts[0] != "a1" || !id || !updated) return std::string("after: invalid cursor");
  if (parts[1] != sort_name(sort)) return std::string("after: the cursor belongs to another sort order");
  position.id = *id;
  position.updated_at = *updated;
  return position;
}

constexpr const char* kUpRequired = "up is required (\"+Y\", \"+Z\" or null)";

// The body's optional "requeue" (true, false or null), checked before anything is stored: its error, or null.
const char* requeue_flag_error(const nlohmann::json& body) {
  auto flag = body.find("requeue");
  if (flag == body.end() || flag->is_null() || flag->is_boolean()) return nullptr;
  return "requeue must be true or false";
}

nlohmann::json optional_json(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// A stored JSON object as JSON, null when absent or not an object.
nlohmann::json stored_object(const std::string& text) {
  if (text.empty()) return nullptr;
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  return value.is_discarded() || !value.is_object() ? nlohmann::json(nullptr) : value;
}

}  // namespace

std::string Api::thumbnail_public_url(const std::string& thumbnail) const {
  if (thumbnail.starts_with("http://") || thumbnail.starts_with("https://")) return thumbnail;
  return storage_.public_url(thumbnail, settings_.public_url);
}

void Api::add_admin_asset_routes() {
  router_.add(http::verb::get, "/api/v1/admin/assets", staff_route(0),
              [this](ApiRequest& r) { return list_admin_assets_page(r); });
  router_.add(http::verb::put, "/api/v1/admin/assets/{asset}/camera", staff_route(kCameraBodyLimit),
              [this](ApiRequest& r) { return put_asset_camera(r); });
  router_.add(http::verb::put, "/api/v1/admin/assets/{asset}/orientation", staff_route(kOrientationBodyLimit),
              [this](ApiRequest& r) { return put_asset_orientation(r); });
}

ApiResponse Api::list_admin_assets_page(ApiRequest& request) {
  return for_staff(request, [&] {
    auto filter = parse_asset_filter(request.query, catalogue_);
    if (auto* refused = std::get_if<ApiResponse>(&filter)) return std::move(*refused);
    AssetListQuery query;
    query.filter = std::move(std::get<AssetFilter>(filter));
    query.limit = kDefaultLimit;
    if (auto it = request.query.find("sort"); it != request.query.end() && !it->second.empty()) {
      const SortName* found = nullptr;
      for (const SortName& entry : kSorts)
        if (it->second == entry.name) found = &entry;
      if (!found)
        return error_response(http::status::bad_request, "sort must be id, -id, name, -name, updated or -updated");
      query.sort = found->sort;
    }
    if (auto it = request.query.find("limit"); it != request.query.end()) {
      auto limit = parse_integer<long long>(it->second);
      if (!limit || *limit < 1)
        return error_response(http::status::bad_request, "limit must be an integer from 1 to 100");
      query.limit = static_cast<int>(std::min<long long>(*limit, kMaxLimit));
    }
    if (auto it = request.query.find("after"); it != request.query.end() && !it->second.empty()) {
      auto position = parse_cursor(it->second, query.sort);
      if (auto* error = std::get_if<std::string>(&position)) return error_response(http::status::bad_request, *error);
      query.after = std::get<AssetPosition>(position);
    }

    AssetListPage page = list_admin_assets(catalogue_, query, unix_now());
    nlohmann::json assets = nlohmann::json::array();
    for (const AdminAssetRow& row : page.rows) {
      nlohmann::json formats = nlohmann::json::array();
      for (const MissingFormat& format : row.formats) {
        formats.push_back({{"format_type", format.format_type},
                           {"root_url", file_url(row.url, format.root)},
                           {"is_preferred", format.is_preferred}});
      }
      nlohmann::json saved_camera = row.saved_camera_json ? stored_object(*row.saved_camera_json) : nullptr;
      nlohmann::json thumbnail_camera = row.thumbnail_camera_json ? stored_object(*row.thumbnail_camera_json) : nullptr;
      assets.push_back({
          {"id", std::to_string(row.id)},
          {"url", row.url},
          {"name", row.name},
          {"owner", row.owner},
          {"formats", std::move(formats)},
          {"is_viewer_compatible", row.is_viewer_compatible},
          {"thumbnail_url", row.thumbnail ? nlohmann::json(thumbnail_public_url(*row.thumbnail)) : nullptr},
          {"thumbnail_source", optional_json(row.thumbnail_source)},
          {"renderer_version", optional_json(row.renderer_version)},
          {"thumbnail_updated_at",
           row.thumbnail_updated_at ? nlohmann::json(iso8601_utc(*row.thumbnail_updated_at)) : nullptr},
          {"thumbnail_camera", std::move(thumbnail_camera)},
          {"job_state", optional_json(row.job_state)},
          {"attempts", row.attempts},
          {"last_error", optional_json(row.last_error)},
          {"camera", std::move(saved_camera)},
          {"up", optional_json(row.up_axis)},
          {"presentation_params", stored_object(row.presentation_params_json)},
      });
    }
    nlohmann::json body = {{"assets", std::move(assets)},
                           {"total_count", page.total_count},
                           {"has_more", page.has_more},
                           {"next_cursor", nullptr}};
    if (page.has_more) body["next_cursor"] = make_cursor(query.sort, page.rows.back().position());
    return json_response(http::status::ok, body);
  });
}

ApiResponse Api::put_asset_camera(ApiRequest& request) {
  return for_staff_on_asset(request, [&](const AssetRef& asset) {
    auto body = body_object(request);
    if (!body) return error_response(http::status::bad_request, "Request body must be a JSON object");
    auto field = body->find("camera");
    if (field == body->end())
      return error_response(http::status::bad_request, "camera is required (an object or null)");
    std::optional<std::string> stored;
    nlohmann::json answer = nullptr;
    if (!field->is_null()) {
      auto camera = parse_absolute_camera(*field);
      if (auto* error = std::get_if<std::string>(&camera)) return error_response(http::status::bad_request, *error);
      answer = to_json(std::get<AbsoluteCamera>(camera));
      stored = answer.dump();
    }
    if (auto* refused = requeue_flag_error(*body)) return error_response(http::status::bad_request, refused);
    set_saved_camera(catalogue_, asset.id, stored);
    const bool requeued = requeue_if_asked(*body, asset);
    return json_response(http::status::ok, {{"success", true}, {"camera", answer}, {"requeued", requeued}});
  });
}

ApiResponse Api::put_asset_orientation(ApiRequest& request) {
  return for_staff_on_asset(request, [&](const AssetRef& asset) {
    auto body = body_object(request);
    if (!body) return error_response(http::status::bad_request, "Request body must be a JSON object");
    auto field = body->find("up");
    if (field == body->end()) return error_response(http::status::bad_request, kUpRequired);
    std::optional<std::string> stored;
    if (!field->is_null()) {
      // One spelling stored and handed out: the renderer's own names for the axes it takes.
      const auto axis = field->is_string() ? scene::parse_up_axis(field->get<std::string>()) : std::nullopt;
      if (!axis) return error_response(http::status::bad_request, kUpRequired);
      stored = scene::up_axis_name(*axis);
    }
    if (auto* refused = requeue_flag_error(*body)) return error_response(http::status::bad_request, refused);
    set_saved_up_axis(catalogue_, asset.id, stored);
    const bool requeued = requeue_if_asked(*body, asset);
    return json_response(http::status::ok, {{"success", true}, {"up", optional_json(stored)}, {"requeued", requeued}});
  });
}

bool Api::requeue_if_asked(const nlohmann::json& body, const AssetRef& asset) {
  auto flag = body.find("requeue");
  if (flag == body.end() || !flag->is_boolean() || !flag->get<bool>()) return false;
  // A new render of this asset, whatever its thumbnail (an owner's too: the admin asked for this one).
  return jobs_.regenerate({asset.id}, /*replace_owner=*/true, /*include_missing=*/true, unix_now()).created > 0;
}

}  // namespace thumbgen::server
