#include "scene/bounded_json.h"

namespace thumbgen::scene {

BoundedJson parse_bounded_json(std::string_view text, int max_depth) {
  struct TooDeep {};
  BoundedJson result;
  try {
    result.document = nlohmann::json::parse(
        text,
        [max_depth](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
          if (depth > max_depth) throw TooDeep{};  // stops the parse at the first level too deep
          return true;
        },
        false);
  } catch (const TooDeep&) {
    result.document = nullptr;
    result.too_deep = true;
  }
  return result;
}

}  // namespace thumbgen::scene
