// Render settings of the admin web app and the claim protocol (issue 11): the absolute per-asset camera, a run's
// settings (size, background, camera angles) and the one render_settings object a claim answers per job, with the
// camera's precedence saved > run > the gallery's presentation camera (the model's own camera and auto-framing are
// the renderer's, when this gives none).
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "server/catalogue_admin.h"

namespace thumbgen::server {

// A camera in the model's space as loaded (before auto-framing).
struct AbsoluteCamera {
  std::array<double, 3> position{}, target{}, up{};
  double fov_y_degrees = 45;
};

// {"position":[x,y,z],"target":[x,y,z],"up":[x,y,z],"fov_y_degrees":f}: 3-vectors of numbers up to 1e18 in size, fov
// 1..170, position ≠ target and up neither zero nor along the view direction, all as the renderers see them (in
// float), so a stored camera never fails a render. The error names the field.
std::variant<AbsoluteCamera, std::string> parse_absolute_camera(const nlohmann::json& value);
// The same shape with only its types checked (finite numbers, fov 0..180): the camera a renderer reports it used,
// which is recorded as it came even where it would not do to render with (a far-out model's).
std::variant<AbsoluteCamera, std::string> parse_camera_record(const nlohmann::json& value);
nlohmann::json to_json(const AbsoluteCamera& camera);

// The provenance a completion or the spec's upload may carry: optional "renderer_version" (a string of at most 100
// characters) and "camera" (the absolute camera the renderer used, or null; parse_camera_record); source "generated".
// Old clients send neither. The error names the field.
std::variant<ThumbnailProvenance, std::string> generated_provenance(const nlohmann::json& body);

// A run's settings from the claim body's "render" object; every field optional.
struct RunRenderSettings {
  std::optional<int> width, height;
  std::optional<std::string> background;  // "#rrggbb" (lower case) or "transparent"
  std::optional<nlohmann::json> camera;   // {"yaw","pitch","fov"}
};

// Sizes up to max_width × max_height (the upload limits: a larger render could not be stored).
std::variant<RunRenderSettings, std::string> parse_run_render_settings(const nlohmann::json& value, int max_width,
                                                                       int max_height);

// The claim answer's "render_settings" for one job's asset; "up" is the asset's saved up axis ("+Y", "+Z" or null).
nlohmann::json render_settings_for(const RunRenderSettings& run, const AdminAssetRow& asset);

}  // namespace thumbgen::server
