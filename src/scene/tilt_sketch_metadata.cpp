#include "scene/tilt_sketch_metadata.h"

#include <cmath>
#include <glm/gtc/matrix_transform.hpp>
#include <nlohmann/json.hpp>

#include "scene/bounded_json.h"

namespace thumbgen::scene {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 32;

// The numbers of a JSON array of exactly `count` finite numbers; nullopt otherwise.
std::optional<std::vector<float>> numbers(const json& value, std::size_t count) {
  if (!value.is_array() || value.size() != count) return std::nullopt;
  std::vector<float> out;
  for (const json& item : value) {
    if (!item.is_number()) return std::nullopt;
    const float f = item.get<float>();
    if (!std::isfinite(f)) return std::nullopt;
    out.push_back(f);
  }
  return out;
}

std::optional<glm::quat> quaternion(const json& value) {
  const auto q = numbers(value, 4);
  if (!q) return std::nullopt;
  const glm::quat rotation((*q)[3], (*q)[0], (*q)[1], (*q)[2]);  // stored x, y, z, w
  const float length = glm::length(rotation);
  if (!(length > 1e-6f)) return std::nullopt;
  return rotation / length;
}

// [[x, y, z], [x, y, z, w], scale] (TrTransform), or {"position": [...], "orientation": [...]} (older sketches).
std::optional<TiltTransform> transform(const json& value) {
  const json* position = nullptr;
  const json* orientation = nullptr;
  const json* scale = nullptr;
  if (value.is_array() && (value.size() == 2 || value.size() == 3)) {
    position = &value[0];
    orientation = &value[1];
    if (value.size() == 3) scale = &value[2];
  } else if (value.is_object() && value.contains("position") && value.contains("orientation")) {
    position = &value["position"];
    orientation = &value["orientation"];
    if (value.contains("scale")) scale = &value["scale"];
  } else {
    return std::nullopt;
  }
  const auto t = numbers(*position, 3);
  const auto r = quaternion(*orientation);
  if (!t || !r) return std::nullopt;
  TiltTransform result{{(*t)[0], (*t)[1], (*t)[2]}, *r, 1.0f};
  if (scale != nullptr) {
    if (!scale->is_number() || !std::isfinite(scale->get<float>()) || !(scale->get<float>() > 0.0f))
      return std::nullopt;
    result.scale = scale->get<float>();
  }
  return result;
}

// A colour as [r, g, b(, a)] or {"r":…, "g":…, "b":…(, "a":…)}.
std::optional<glm::vec4> colour(const json& value) {
  if (value.is_array() && (value.size() == 3 || value.size() == 4)) {
    const auto c = numbers(value, value.size());
    if (!c) return std::nullopt;
    return glm::vec4((*c)[0], (*c)[1], (*c)[2], c->size() == 4 ? (*c)[3] : 1.0f);
  }
  if (value.is_object()) {
    glm::vec4 c(1.0f);
    for (int i = 0; i < 4; ++i) {
      const char* key[] = {"r", "g", "b", "a"};
      const auto it = value.find(key[i]);
      if (it == value.end()) {
        if (i < 3) return std::nullopt;
        continue;
      }
      if (!it->is_number() || !std::isfinite(it->get<float>())) return std::nullopt;
      c[i] = it->get<float>();
    }
    return c;
  }
  return std::nullopt;
}

void read_transform(const json& doc, const char* key, TiltTransform& into, std::vector<std::string>& warnings) {
  const auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return;
  if (const auto value = transform(*it)) {
    into = *value;
  } else {
    warnings.push_back(std::string("metadata.json: ") + key + " is not a transform; ignored");
  }
}

}  // namespace

glm::mat4 TiltTransform::matrix() const {
  return glm::translate(glm::mat4(1.0f), translation) * glm::mat4_cast(rotation) *
         glm::scale(glm::mat4(1.0f), glm::vec3(scale));
}

TiltSketchMetadata parse_tilt_metadata(std::string_view json_text, std::vector<std::string>& warnings) {
  TiltSketchMetadata metadata;
  // Real metadata nests four levels; a hostile one millions (bounded_json.h).
  const BoundedJson parsed = parse_bounded_json(json_text, kMaxDepth);
  if (parsed.too_deep) {
    warnings.push_back("metadata.json nests deeper than " + std::to_string(kMaxDepth) +
                       " levels; brushes, camera and environment use defaults");
    return metadata;
  }
  const json& doc = parsed.document;
  if (!doc.is_object()) {
    warnings.push_back("metadata.json is not a JSON object; brushes, camera and environment use defaults");
    return metadata;
  }
  if (const auto brushes = doc.find("BrushIndex"); brushes != doc.end() && brushes->is_array()) {
    for (const json& guid : *brushes) metadata.brush_guids.push_back(guid.is_string() ? guid.get<std::string>() : "");
  } else {
    warnings.push_back("metadata.json has no BrushIndex; strokes are drawn with a default brush");
  }
  if (const auto environment = doc.find("EnvironmentPreset"); environment != doc.end() && environment->is_string()) {
    metadata.environment_guid = environment->get<std::string>();
  }
  for (const char* key : {"ThumbnailCameraTransformInRoomSpace", "ThumbnailCameraTransform"}) {
    const auto it = doc.find(key);
    if (it == doc.end() || it->is_null() || metadata.thumbnail_camera) continue;
    metadata.thumbnail_camera = transform(*it);
    if (!metadata.thumbnail_camera) warnings.push_back(std::string("metadata.json: ") + key + " is not a transform");
  }
  read_transform(doc, "SceneTransformInRoomSpace", metadata.scene_in_room, warnings);
  read_transform(doc, "CanvasTransformInSceneSpace", metadata.canvas_in_scene, warnings);
  if (const auto environment = doc.find("Environment"); environment != doc.end() && environment->is_object()) {
    if (const auto gradient = environment->find("GradientColors");
        gradient != environment->end() && gradient->is_array()) {
      for (const json& item : *gradient)
        if (const auto c = colour(item)) metadata.sky_gradient.push_back(*c);
    }
  }
  return metadata;
}

}  // namespace thumbgen::scene
