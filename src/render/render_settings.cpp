#include "render/render_settings.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "util/ascii.h"

namespace thumbgen::render {
namespace {

using nlohmann::json;

constexpr float kPi = 3.14159265358979f;

[[noreturn]] void fail(const std::string& field, const std::string& problem) {
  throw std::invalid_argument(field + ": " + problem);
}

const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::optional<float> finite_number(const json& value) {
  if (!value.is_number()) return std::nullopt;
  const double number = value.get<double>();
  if (!std::isfinite(number) || std::abs(number) > 1e30) return std::nullopt;
  return static_cast<float>(number);
}

std::optional<glm::vec3> vector3(const json& value) {
  if (!value.is_array() || value.size() != 3) return std::nullopt;
  glm::vec3 v;
  for (int i = 0; i < 3; ++i) {
    auto number = finite_number(value[static_cast<std::size_t>(i)]);
    if (!number) return std::nullopt;
    v[i] = *number;
  }
  return v;
}

glm::vec3 required_vector3(const json& object, const char* key, const std::string& field) {
  const json* value = member(object, key);
  if (!value) fail(field + "." + key, "is required");
  auto v = vector3(*value);
  if (!v) fail(field + "." + key, "expected [x, y, z] (finite numbers)");
  return *v;
}

// [x, y, z, w] or {"x", "y", "z", "w"} (Poly leaves zero components out: {"w": 1} is the identity); normalised.
std::optional<glm::quat> quaternion(const json& value) {
  std::array<float, 4> xyzw{};
  if (value.is_array() && value.size() == 4) {
    for (std::size_t i = 0; i < 4; ++i) {
      auto number = finite_number(value[i]);
      if (!number) return std::nullopt;
      xyzw[i] = *number;
    }
  } else if (value.is_object()) {
    const char* names[] = {"x", "y", "z", "w"};
    for (std::size_t i = 0; i < 4; ++i) {
      const json* component = member(value, names[i]);
      if (!component) continue;
      auto number = finite_number(*component);
      if (!number) return std::nullopt;
      xyzw[i] = *number;
    }
  } else {
    return std::nullopt;
  }
  const glm::quat q(xyzw[3], xyzw[0], xyzw[1], xyzw[2]);  // glm: w first
  const float length = glm::length(q);
  if (!(length > 1e-6f)) return std::nullopt;
  return q / length;
}

// The Icosa / Poly presentation camera; nullopt (with a warning when something was there) when unusable.
std::optional<PresentationCamera> presentation_camera_from(const json& camera, const std::string& field,
                                                           std::vector<std::string>& warnings) {
  if (!camera.is_object()) {
    warnings.push_back(field + " is not an object; ignored");
    return std::nullopt;
  }
  const json* translation = member(camera, "translation");
  if (!translation) return std::nullopt;  // nothing placed: no camera
  PresentationCamera result;
  auto position = vector3(*translation);
  if (!position) {
    warnings.push_back(field + ".translation is not [x, y, z]; the presentation camera is ignored");
    return std::nullopt;
  }
  result.translation = *position;
  if (const json* rotation = member(camera, "rotation")) {
    auto q = quaternion(*rotation);
    if (!q) {
      warnings.push_back(field + ".rotation is not a quaternion [x, y, z, w]; the presentation camera is ignored");
      return std::nullopt;
    }
    result.rotation = *q;
  }
  if (const json* perspective = member(camera, "perspective")) {
    if (const json* yfov = member(*perspective, "yfov")) {
      auto radians = finite_number(*yfov);
      if (radians && *radians > 0.0f && *radians < kPi) {
        result.fov_y_degrees = glm::degrees(*radians);
      } else {
        warnings.push_back(field + ".perspective.yfov is not an angle in radians; 45 degrees used");
      }
    }
  }
  if (const json* settings = member(camera, "GOOGLE_camera_settings")) {
    if (const json* pivot = member(*settings, "pivot")) result.pivot = vector3(*pivot);
  }
  return result;
}

// The gallery's presentation data, as far as it is usable; its background colour goes to `background`.
Presentation presentation_from(const json& presentation, std::optional<glm::vec4>& background,
                               std::vector<std::string>& warnings) {
  Presentation result;
  if (!presentation.is_object()) {
    warnings.push_back("render_settings.presentation is not an object; ignored");
    return result;
  }
  if (const json* rotation = member(presentation, "orientingRotation")) {
    if (auto q = quaternion(*rotation)) {
      result.orienting_rotation = *q;
    } else {
      warnings.push_back("presentation.orientingRotation is not a quaternion [x, y, z, w]; ignored");
    }
  }
  if (const json* colour = member(presentation, "backgroundColor")) {
    auto parsed = colour->is_string() ? parse_colour(colour->get<std::string>()) : std::nullopt;
    if (parsed && parsed->a > 0.0f) {
      background = parsed;
    } else {
      warnings.push_back("presentation.backgroundColor is not '#rrggbb'; ignored");
    }
  }
  if (const json* camera = member(presentation, "camera")) {
    result.camera = presentation_camera_from(*camera, "presentation.camera", warnings);
  }
  return result;
}

int dimension(const json& settings, const char* key, int fallback) {
  const json* value = member(settings, key);
  if (!value) return fallback;
  if (!value->is_number_integer() || value->get<std::int64_t>() < 1 ||
      value->get<std::int64_t>() > kMaxRenderDimension) {
    fail(std::string("render_settings.") + key,
         "expected a whole number from 1 to " + std::to_string(kMaxRenderDimension));
  }
  return static_cast<int>(value->get<std::int64_t>());
}

CameraAngles angles_from(const json& camera) {
  const std::string field = "render_settings.camera";
  auto angle = [&](const char* key, float fallback) {
    const json* value = member(camera, key);
    if (!value) return fallback;
    auto number = finite_number(*value);
    if (!number) fail(field + "." + key, "expected a number of degrees");
    return *number;
  };
  CameraAngles angles;
  angles.yaw_degrees = angle("yaw", 0.0f);
  angles.pitch_degrees = angle("pitch", 0.0f);
  angles.vfov_degrees = angle("fov", kDefaultAngles.vfov_degrees);
  if (std::abs(angles.pitch_degrees) > 90.0f) fail(field + ".pitch", "must be between -90 and 90 degrees");
  if (angles.vfov_degrees < 1.0f || angles.vfov_degrees > 170.0f) {
    fail(field + ".fov", "must be between 1 and 170 degrees");
  }
  return angles;
}

}  // namespace

std::optional<glm::vec4> parse_colour(std::string_view text) {
  std::string value = util::to_lower_ascii(std::string(text));
  if (value == "transparent") return glm::vec4(0.0f);
  const bool hex = value.size() > 1 && value[0] == '#' &&
                   std::all_of(value.begin() + 1, value.end(), [](unsigned char c) { return std::isxdigit(c); });
  if (!hex || (value.size() != 7 && value.size() != 4)) return std::nullopt;
  if (value.size() == 4) value = {'#', value[1], value[1], value[2], value[2], value[3], value[3]};
  auto channel = [&](int i) { return static_cast<float>(std::stoi(value.substr(1 + 2 * i, 2), nullptr, 16)) / 255.0f; };
  return glm::vec4(channel(0), channel(1), channel(2), 1.0f);
}

nlohmann::json camera_to_json(const AbsoluteCamera& camera) {
  auto array = [](const glm::vec3& v) { return json::array({v.x, v.y, v.z}); };
  return {{"position", array(camera.position)},
          {"target", array(camera.target)},
          {"up", array(camera.up)},
          {"fov_y_degrees", camera.fov_y_degrees}};
}

AbsoluteCamera camera_from_json(const nlohmann::json& camera, const std::string& field) {
  if (!camera.is_object()) fail(field, "expected {\"position\", \"target\", \"up\", \"fov_y_degrees\"}");
  AbsoluteCamera result;
  result.position = required_vector3(camera, "position", field);
  result.target = required_vector3(camera, "target", field);
  const float distance = glm::length(result.target - result.position);
  if (distance <= 0.0f) fail(field, "position and target are the same point");
  // Finite coordinates can still overflow the float distance: the view would be normalised to NaN.
  if (!std::isfinite(distance)) fail(field, "position and target are too far apart");
  if (member(camera, "up")) {
    result.up = required_vector3(camera, "up", field);
    if (!(glm::length(result.up) > 0.0f)) fail(field + ".up", "must not be [0, 0, 0]");
  }
  if (const json* fov = member(camera, "fov_y_degrees")) {
    auto degrees = finite_number(*fov);
    if (!degrees || *degrees < 1.0f || *degrees > 170.0f) fail(field + ".fov_y_degrees", "must be between 1 and 170");
    result.fov_y_degrees = *degrees;
  }
  return result;
}

RenderSettings read_render_settings(const nlohmann::json& settings, const ViewOptions& defaults) {
  RenderSettings result{defaults, {}};
  if (settings.is_null()) return result;
  if (!settings.is_object()) fail("render_settings", "expected an object");
  ViewOptions& view = result.view;
  view.width = dimension(settings, "width", view.width);
  view.height = dimension(settings, "height", view.height);

  std::optional<glm::vec4> presentation_background;
  if (const json* presentation = member(settings, "presentation")) {
    view.presentation = presentation_from(*presentation, presentation_background, result.warnings);
  }
  if (const json* background = member(settings, "background")) {
    auto colour = background->is_string() ? parse_colour(background->get<std::string>()) : std::nullopt;
    if (!colour) fail("render_settings.background", "expected '#rrggbb', '#rgb' or 'transparent'");
    view.background = *colour;
    view.background_chosen = true;
  } else if (presentation_background) {
    view.background = *presentation_background;
    view.background_chosen = true;
  }

  if (const json* up = member(settings, "up")) {
    auto axis = up->is_string() ? scene::parse_up_axis(up->get<std::string>()) : std::nullopt;
    if (!axis) fail("render_settings.up", "expected \"+Y\" or \"+Z\"");
    view.up = axis;
  }

  if (const json* camera = member(settings, "camera")) {
    // The server's camera choice replaces the caller's own.
    view.saved_camera.reset();
    view.camera.reset();
    const json* source = member(*camera, "source");
    const std::string kind = source && source->is_string() ? source->get<std::string>() : "";
    if (kind == "saved") {
      view.saved_camera = camera_from_json(*camera, "render_settings.camera");
    } else if (kind == "run") {
      view.camera = angles_from(*camera);
    } else if (kind == "presentation") {
      // The stored camera itself, or just the choice of the presentation's own.
      if (member(*camera, "translation")) {
        view.presentation.camera = presentation_camera_from(*camera, "render_settings.camera", result.warnings);
      }
    } else {
      fail("render_settings.camera.source", "expected \"saved\", \"run\" or \"presentation\"");
    }
  }
  return result;
}

}  // namespace thumbgen::render
