// JSON of untrusted files (a .tilt's metadata.json, a SOG's meta.json) parsed with a depth limit: nlohmann::json
// spends about 75 bytes a nesting level, and deflate packs 16 MiB of '[' into 16 KB.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace thumbgen::scene {

struct BoundedJson {
  nlohmann::json document;  // discarded (is_discarded()) when the text is not JSON
  bool too_deep = false;    // nested deeper than the limit: the parse stopped there, `document` is null
};

BoundedJson parse_bounded_json(std::string_view text, int max_depth);

}  // namespace thumbgen::scene
