// The admin asset filter as requests give it (issue 11): the listing's query parameters and a selection's
// "filter" object mean the same thing, parsed here once.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "server/catalogue_admin.h"
#include "server/http_router.h"

namespace thumbgen::server {

// Keys: q, thumbnail (empty|has|failed), format, viewer_compatible (true|false), source (generated|owner|imported),
// renderer_version, selection (a selection id). Unknown keys are ignored here; a bad value is a 400 answer naming
// the key, an unknown selection a 404.
std::variant<AssetFilter, ApiResponse> parse_asset_filter(const std::map<std::string, std::string>& values,
                                                          Catalogue& catalogue);

// A selection request's "filter" object: the same keys (strings; viewer_compatible also a boolean), unknown keys
// refused. Its canonical JSON is what the selection keeps.
std::variant<std::map<std::string, std::string>, ApiResponse> filter_values_from_json(const nlohmann::json& filter);

}  // namespace thumbgen::server
