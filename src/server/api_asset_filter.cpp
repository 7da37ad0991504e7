#include "server/api_asset_filter.h"

#include <algorithm>
#include <array>

#include "server/api_parsing.h"

namespace thumbgen::server {

namespace {

constexpr std::array<const char*, 7> kFilterKeys = {"q",      "thumbnail",        "format",   "viewer_compatible",
                                                    "source", "renderer_version", "selection"};
constexpr std::size_t kMaxSearch = 200, kMaxFormat = 50, kMaxRendererVersion = 100;

ApiResponse bad(const std::string& detail) { return error_response(http::status::bad_request, detail); }

}  // namespace

std::variant<AssetFilter, ApiResponse> parse_asset_filter(const std::map<std::string, std::string>& values,
                                                          Catalogue& catalogue) {
  AssetFilter filter;
  auto value = [&](const char* key) -> const std::string* {
    auto it = values.find(key);
    return it == values.end() || it->second.empty() ? nullptr : &it->second;
  };
  if (const std::string* q = value("q")) {
    if (q->size() > kMaxSearch) return bad("q must be at most " + std::to_string(kMaxSearch) + " bytes");
    filter.search = *q;
  }
  if (const std::string* thumbnail = value("thumbnail")) {
    if (*thumbnail == "empty") {
      filter.thumbnail = ThumbnailFilter::Empty;
    } else if (*thumbnail == "has") {
      filter.thumbnail = ThumbnailFilter::Has;
    } else if (*thumbnail == "failed") {
      filter.thumbnail = ThumbnailFilter::Failed;
    } else {
      return bad("thumbnail must be empty, has or failed");
    }
  }
  if (const std::string* format = value("format")) {
    const bool plain = std::all_of(format->begin(), format->end(),
                                   [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; });
    if (!plain || format->size() > kMaxFormat) return bad("format must be a format type such as GLB, GLTF2 or OBJ");
    filter.format_type = *format;
  }
  if (const std::string* compatible = value("viewer_compatible")) {
    filter.viewer_compatible = parse_bool(*compatible);
    if (!filter.viewer_compatible) return bad("viewer_compatible must be true or false");
  }
  if (const std::string* source = value("source")) {
    if (*source != "generated" && *source != "owner" && *source != "imported")
      return bad("source must be generated, owner or imported");
    filter.source = *source;
  }
  if (const std::string* version = value("renderer_version")) {
    if (version->size() > kMaxRendererVersion) return bad("renderer_version must be at most 100 bytes");
    filter.renderer_version = *version;
  }
  if (const std::string* selection = value("selection")) {
    auto found = find_selection(catalogue, *selection);
    if (!found) return error_response(http::status::not_found, "Selection not found");
    filter.selection = found->row_id;
  }
  return filter;
}

std::variant<std::map<std::string, std::string>, ApiResponse> filter_values_from_json(const nlohmann::json& filter) {
  if (!filter.is_object()) return bad("filter must be an object");
  std::map<std::string, std::string> values;
  for (const auto& [key, item] : filter.items()) {
    if (std::find(kFilterKeys.begin(), kFilterKeys.end(), key) == kFilterKeys.end())
      return bad("filter: unknown key " +
                 nlohmann::json(key).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    if (item.is_null()) continue;
    if (item.is_string()) {
      values[key] = item.get<std::string>();
    } else if (item.is_boolean() && key == "viewer_compatible") {
      values[key] = item.get<bool>() ? "true" : "false";
    } else {
      return bad("filter." + key + " must be a string");
    }
  }
  return values;
}

}  // namespace thumbgen::server
