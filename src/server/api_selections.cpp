// Selections (issue 11): POST /api/v1/admin/selections with asset ids/urls or a filter ("Select all N matching":
// the matching ids are fixed at creation), GET /api/v1/admin/selections/{id}. A selection outlives page reloads and
// scopes claims, job creation, retry and regenerate.
#include <nlohmann/json.hpp>

#include "server/api_asset_filter.h"
#include "server/api_handlers.h"
#include "server/api_parsing.h"
#include "server/catalogue_admin.h"

namespace thumbgen::server {

namespace {

constexpr std::size_t kMaxSelectionIds = 100'000;
// "Select all N matching" over a filter: a bound on one selection's rows (about 30 bytes each in SQLite).
constexpr std::int64_t kMaxFilterSelection = 1'000'000;

nlohmann::json selection_json(const SelectionInfo& selection) {
  nlohmann::json filter = nullptr;
  if (selection.filter_json) filter = nlohmann::json::parse(*selection.filter_json, nullptr, false);
  if (filter.is_discarded()) filter = nullptr;
  return {{"selection_id", selection.token},
          {"count", selection.count},
          {"created_at", iso8601_utc(selection.created_at)},
          {"filter", std::move(filter)}};
}

}  // namespace

void Api::add_selection_routes() {
  router_.add(http::verb::post, "/api/v1/admin/selections", staff_route(kSelectionBodyLimit),
              [this](ApiRequest& r) { return create_selection_from_request(r); });
  router_.add(http::verb::get, "/api/v1/admin/selections/{selection}", staff_route(0),
              [this](ApiRequest& r) { return get_selection(r); });
}

ApiResponse Api::create_selection_from_request(ApiRequest& request) {
  auto staff = require_staff(request);
  const std::string user = std::holds_alternative<UserRecord>(staff) ? std::get<UserRecord>(staff).username : "";
  return as_staff(std::move(staff), request, [&](const nlohmann::json& body) {
    const bool has_ids = body.contains("asset_ids") && !body["asset_ids"].is_null();
    const bool has_filter = body.contains("filter") && !body["filter"].is_null();
    if (has_ids == has_filter) return error_response(http::status::bad_request, "Give either asset_ids or filter");
    if (has_filter) {
      auto values = filter_values_from_json(body["filter"]);
      if (auto* refused = std::get_if<ApiResponse>(&values)) return std::move(*refused);
      const auto& map = std::get<std::map<std::string, std::string>>(values);
      auto filter = parse_asset_filter(map, catalogue_);
      if (auto* refused = std::get_if<ApiResponse>(&filter)) return std::move(*refused);
      const std::string canonical = nlohmann::json(map).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      auto made = create_selection_from_filter(catalogue_, std::get<AssetFilter>(filter), canonical, user, unix_now(),
                                               kMaxFilterSelection);
      if (auto* matching = std::get_if<std::int64_t>(&made)) {
        return error_response(http::status::bad_request, "The filter matches " + std::to_string(*matching) +
                                                             " assets; a selection holds at most " +
                                                             std::to_string(kMaxFilterSelection));
      }
      const auto& selection = std::get<SelectionInfo>(made);
      return json_response(http::status::ok, {{"selection_id", selection.token}, {"count", selection.count}});
    }
    auto ids = requested_assets(body, kMaxSelectionIds);
    if (auto* refused = std::get_if<ApiResponse>(&ids)) return std::move(*refused);
    const auto& list = *std::get<std::optional<std::vector<std::int64_t>>>(ids);
    SelectionInfo selection = create_selection(catalogue_, list, user, unix_now());
    return json_response(http::status::ok, {{"selection_id", selection.token}, {"count", selection.count}});
  });
}

ApiResponse Api::get_selection(ApiRequest& request) {
  return for_staff(request, [&] {
    auto selection = find_selection(catalogue_, request.params.at(0));
    if (!selection) return error_response(http::status::not_found, "Selection not found");
    return json_response(http::status::ok, selection_json(*selection));
  });
}

}  // namespace thumbgen::server
