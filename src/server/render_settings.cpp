#include "server/render_settings.h"

#include <cctype>
#include <cmath>

namespace thumbgen::server {

namespace {

std::optional<double> finite_number(const nlohmann::json& value) {
  if (!value.is_number()) return std::nullopt;
  const double number = value.get<double>();
  if (!std::isfinite(number)) return std::nullopt;
  return number;
}

std::optional<std::array<double, 3>> vector3(const nlohmann::json& value) {
  if (!value.is_array() || value.size() != 3) return std::nullopt;
  std::array<double, 3> out{};
  for (std::size_t i = 0; i < 3; ++i) {
    auto number = finite_number(value[i]);
    if (!number) return std::nullopt;
    out[i] = *number;
  }
  return out;
}

// Limits the renderers share (render/render_settings.cpp): fov 1..170; coordinates whose float differences and
// squares stay finite (2e18 squared, three times, is below FLT_MAX).
constexpr double kMinFovDegrees = 1, kMaxFovDegrees = 170, kMaxCoordinate = 1e18;

// A vector as the renderer sees it, with float's lengths: its squares are summed in float, so a tiny up vector
// underflows to zero there.
std::array<double, 3> as_float(const std::array<double, 3>& v) {
  std::array<double, 3> out{};
  for (std::size_t i = 0; i < 3; ++i) out[i] = static_cast<float>(v[i]);
  return out;
}

float float_length(const std::array<double, 3>& v) {
  const float x = static_cast<float>(v[0]), y = static_cast<float>(v[1]), z = static_cast<float>(v[2]);
  return std::sqrt(x * x + y * y + z * z);
}

std::array<double, 3> minus(const std::array<double, 3>& a, const std::array<double, 3>& b) {
  return {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
}

// "#rrggbb" or "#rgb" (any case) as "#rrggbb" lower case; "transparent"; else nullopt.
std::optional<std::string> background_colour(const std::string& text) {
  std::string value;
  for (char c : text) value += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (value == "transparent") return value;
  const bool hex = value.size() > 1 && value[0] == '#' &&
                   std::all_of(value.begin() + 1, value.end(), [](unsigned char c) { return std::isxdigit(c); });
  if (!hex) return std::nullopt;
  if (value.size() == 4) return std::string{'#', value[1], value[1], value[2], value[2], value[3], value[3]};
  if (value.size() == 7) return value;
  return std::nullopt;
}

std::optional<nlohmann::json> parsed_object(const std::string& text) {
  if (text.empty()) return std::nullopt;
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded() || !value.is_object()) return std::nullopt;
  return value;
}

// Icosa stores orientingRotation as {"x","y","z","w"} with absent components 0 (Poly's "w: 1" alone is identity);
// a renderer wants [x, y, z, w].
std::optional<nlohmann::json> orienting_rotation(const nlohmann::json& presentation) {
  auto field = presentation.find("orientingRotation");
  if (field == presentation.end() || !field->is_object()) return std::nullopt;
  nlohmann::json quaternion = nlohmann::json::array();
  for (const char* name : {"x", "y", "z", "w"}) {
    auto component = field->find(name);
    std::optional<double> value = component == field->end() ? std::optional<double>(0.0) : finite_number(*component);
    if (!value) return std::nullopt;
    quaternion.push_back(*value);
  }
  return quaternion;
}

}  // namespace

std::variant<AbsoluteCamera, std::string> parse_camera_record(const nlohmann::json& value) {
  if (!value.is_object()) return std::string("camera must be an object or null");
  AbsoluteCamera camera;
  for (auto [name, out] :
       {std::pair{"position", &camera.position}, std::pair{"target", &camera.target}, std::pair{"up", &camera.up}}) {
    auto field = value.find(name);
    auto vector = field == value.end() ? std::nullopt : vector3(*field);
    if (!vector) return "camera." + std::string(name) + " must be 3 finite numbers";
    *out = *vector;
  }
  auto fov_field = value.find("fov_y_degrees");
  auto fov = fov_field == value.end() ? std::nullopt : finite_number(*fov_field);
  if (!fov || !(*fov > 0 && *fov < 180)) return std::string("camera.fov_y_degrees must be a number of degrees");
  camera.fov_y_degrees = *fov;
  return camera;
}

std::variant<AbsoluteCamera, std::string> parse_absolute_camera(const nlohmann::json& value) {
  auto parsed = parse_camera_record(value);
  if (std::holds_alternative<std::string>(parsed)) return parsed;
  const AbsoluteCamera& camera = std::get<AbsoluteCamera>(parsed);
  if (camera.fov_y_degrees < kMinFovDegrees || camera.fov_y_degrees > kMaxFovDegrees)
    return std::string("camera.fov_y_degrees must be a number from 1 to 170");
  // The renderers read the camera in float (render/render_settings.cpp): what is stored must hold there too, or
  // every render of the asset would fail on it.
  for (const auto* vector : {&camera.position, &camera.target, &camera.up}) {
    for (double coordinate : *vector) {
      if (std::abs(coordinate) > kMaxCoordinate) return std::string("camera: coordinates must be at most 1e18 in size");
    }
  }
  const auto view = minus(as_float(camera.target), as_float(camera.position));
  const double distance = float_length(view);
  if (!(distance > 0)) return std::string("camera.position and camera.target must differ");
  const auto up = as_float(camera.up);
  const double up_length = float_length(up);
  if (!(up_length > 0)) return std::string("camera.up must not be zero");
  const double cosine = (view[0] * up[0] + view[1] * up[1] + view[2] * up[2]) / (distance * up_length);
  if (!(std::abs(cosine) < 0.9999)) return std::string("camera.up must not point along the view direction");
  return parsed;
}

nlohmann::json to_json(const AbsoluteCamera& camera) {
  return {{"position", camera.position},
          {"target", camera.target},
          {"up", camera.up},
          {"fov_y_degrees", camera.fov_y_degrees}};
}

std::variant<ThumbnailProvenance, std::string> generated_provenance(const nlohmann::json& body) {
  constexpr std::size_t kMaxRendererVersion = 100;
  ThumbnailProvenance provenance;
  if (auto field = body.find("renderer_version"); field != body.end() && !field->is_null()) {
    if (!field->is_string() || field->get_ref<const std::string&>().size() > kMaxRendererVersion)
      return std::string("renderer_version must be a string of at most 100 characters");
    provenance.renderer_version = field->get<std::string>();
  }
  if (auto field = body.find("camera"); field != body.end() && !field->is_null()) {
    auto camera = parse_camera_record(*field);  // what the renderer used: recorded as it came
    if (auto* error = std::get_if<std::string>(&camera)) return *error;
    provenance.camera_json = to_json(std::get<AbsoluteCamera>(camera)).dump();
  }
  return provenance;
}

std::variant<RunRenderSettings, std::string> parse_run_render_settings(const nlohmann::json& value, int max_width,
                                                                       int max_height) {
  RunRenderSettings run;
  if (value.is_null()) return run;
  if (!value.is_object()) return std::string("render must be an object");
  for (auto [name, out, max] :
       {std::tuple{"width", &run.width, max_width}, std::tuple{"height", &run.height, max_height}}) {
    auto field = value.find(name);
    if (field == value.end() || field->is_null()) continue;
    if (!field->is_number_integer() || field->get<long long>() < 1 || field->get<long long>() > max)
      return "render." + std::string(name) + " must be an integer from 1 to " + std::to_string(max);
    *out = static_cast<int>(field->get<long long>());
  }
  if (auto field = value.find("background"); field != value.end() && !field->is_null()) {
    auto colour = field->is_string() ? background_colour(field->get<std::string>()) : std::nullopt;
    if (!colour) return std::string("render.background must be \"#rrggbb\" or \"transparent\"");
    run.background = *colour;
  }
  if (auto field = value.find("camera"); field != value.end() && !field->is_null()) {
    if (!field->is_object()) return std::string("render.camera must be {\"yaw\",\"pitch\",\"fov\"} or null");
    auto number = [&](const char* name, double fallback) -> std::optional<double> {
      auto it = field->find(name);
      if (it == field->end() || it->is_null()) return fallback;
      return finite_number(*it);
    };
    auto yaw = number("yaw", 30), pitch = number("pitch", 20), fov = number("fov", 45);
    if (!yaw || !pitch || !fov || std::abs(*pitch) > 90 || *fov < 1 || *fov > 170)
      return std::string("render.camera: yaw, pitch (-90..90) and fov (1..170) must be numbers in degrees");
    run.camera = nlohmann::json{{"yaw", *yaw}, {"pitch", *pitch}, {"fov", *fov}};
  }
  return run;
}

nlohmann::json render_settings_for(const RunRenderSettings& run, const AdminAssetRow& asset) {
  const std::optional<nlohmann::json> presentation = parsed_object(asset.presentation_params_json);
  nlohmann::json settings;
  settings["width"] = run.width ? nlohmann::json(*run.width) : nlohmann::json(nullptr);
  settings["height"] = run.height ? nlohmann::json(*run.height) : nlohmann::json(nullptr);
  // The run's background, else the gallery's backgroundColor, else the renderer's default.
  std::optional<std::string> background = run.background;
  if (!background && presentation) {
    if (auto field = presentation->find("backgroundColor"); field != presentation->end() && field->is_string()) {
      if (auto colour = background_colour(field->get<std::string>()); colour && *colour != "transparent")
        background = colour;
    }
  }
  settings["background"] = background ? nlohmann::json(*background) : nlohmann::json(nullptr);

  // saved > run > presentation: the gallery's camera is presentation_params.camera, else the record's own camera.
  nlohmann::json camera = nullptr;
  std::optional<nlohmann::json> saved;
  if (asset.saved_camera_json) saved = parsed_object(*asset.saved_camera_json);
  if (saved) {
    camera = *saved;
    camera["source"] = "saved";
  } else if (run.camera) {
    camera = *run.camera;
    camera["source"] = "run";
  } else {
    std::optional<nlohmann::json> gallery;
    if (presentation) {
      if (auto field = presentation->find("camera"); field != presentation->end() && field->is_object())
        gallery = *field;
    }
    if (!gallery) gallery = parsed_object(asset.camera_json);
    if (gallery) {
      camera = *gallery;
      camera["source"] = "presentation";
    }
  }
  settings["camera"] = std::move(camera);
  settings["orienting_rotation"] = presentation ? orienting_rotation(*presentation).value_or(nullptr) : nullptr;
  settings["presentation"] = presentation ? *presentation : nlohmann::json(nullptr);
  settings["up"] = asset.up_axis ? nlohmann::json(*asset.up_axis) : nlohmann::json(nullptr);
  return settings;
}

}  // namespace thumbgen::server
