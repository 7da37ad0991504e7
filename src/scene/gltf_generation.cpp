#include "scene/gltf_generation.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "scene/load_error.h"

namespace thumbgen::scene {
namespace {

using nlohmann::json;

// Follows the document's nesting just enough to see the top-level "asset" object's "version" member; stops the
// parse (returns false) once the answer is known.
class AssetVersionReader final : public nlohmann::json_sax<json> {
 public:
  std::optional<std::string> version;
  std::string error;

  bool null() override { return value(std::nullopt); }
  bool boolean(bool) override { return value(std::nullopt); }
  bool number_integer(number_integer_t number) override { return value(std::to_string(number)); }
  bool number_unsigned(number_unsigned_t number) override { return value(std::to_string(number)); }
  bool number_float(number_float_t, const string_t& text) override { return value(text); }
  bool string(string_t& text) override { return value(text); }
  bool binary(binary_t&) override { return value(std::nullopt); }
  bool start_object(std::size_t) override { return open(); }
  bool start_array(std::size_t) override { return open(); }
  bool key(string_t& name) override {
    if (depth_ == 1) top_key_ = name;
    if (depth_ == 2 && in_asset_) asset_key_ = name;
    return true;
  }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& problem) override {
    error = problem.what();
    return false;
  }

 private:
  bool open() {
    ++depth_;
    if (depth_ == 2 && top_key_ == "asset") in_asset_ = true;
    return true;
  }
  bool close() {
    if (depth_ == 2 && in_asset_) return false;  // an asset without a version: nothing more to learn
    --depth_;
    return true;
  }
  bool value(const std::optional<std::string>& text) {
    if (depth_ != 2 || !in_asset_ || asset_key_ != "version") return true;
    version = text.value_or("");
    return false;
  }

  int depth_ = 0;
  bool in_asset_ = false;
  std::string top_key_;
  std::string asset_key_;
};

FormatKind answer(const AssetVersionReader& reader) {
  if (reader.version) return reader.version->starts_with("1") ? FormatKind::Gltf1 : FormatKind::Gltf2;
  if (!reader.error.empty()) throw LoadError("invalid glTF JSON: " + reader.error);
  return FormatKind::Gltf1;  // no asset, or no version in it: glTF 1.0
}

}  // namespace

FormatKind gltf_json_generation(std::span<const std::uint8_t> text) {
  AssetVersionReader reader;
  json::sax_parse(text.begin(), text.end(), &reader);
  return answer(reader);
}

FormatKind gltf_json_generation(std::istream& text) {
  AssetVersionReader reader;
  json::sax_parse(text, &reader);
  return answer(reader);
}

}  // namespace thumbgen::scene
