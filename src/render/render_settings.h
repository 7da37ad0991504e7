// The render settings a server hands out with each claimed job ("render_settings", docs: admin contract) and the
// browser passes to a render, read into ViewOptions in one place for native and web:
//   {"width": 1280, "height": 720, "background": "#rrggbb" | "transparent" | null,
//    "camera": null | {"source": "saved", "position": [x,y,z], "target": [x,y,z], "up": [x,y,z], "fov_y_degrees": f}
//                   | {"source": "run", "yaw": f, "pitch": f, "fov": f}
//                   | {"source": "presentation", ...Icosa presentation camera: "translation", "rotation" [x,y,z,w],
//                      "perspective": {"yfov": radians}, "GOOGLE_camera_settings": {"pivot": [x,y,z]}},
//    "presentation": null | {"backgroundColor": "#rrggbb", "orientingRotation": {x,y,z,w} | [x,y,z,w],
//                            "camera": {...as above}},
//    "up": null | "+Y" | "+Z"}
// "up" is the model file's up axis when the server knows it better than the file (an asset record may store it):
// it replaces the caller's --up, the file's declaration and its format's convention (STL/3MF/AMF +Z), and yields
// only to a presentation orientingRotation that turns (camera_choice.h: model_orientation). Cameras are not
// affected: a saved camera is in the file's own axes either way.
// The background is the settings' own, else the presentation's backgroundColor, else the caller's default.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "render/view.h"

namespace thumbgen::render {

inline constexpr int kMaxRenderDimension = 8192;

struct RenderSettings {
  ViewOptions view;
  std::vector<std::string> warnings;  // parts of the presentation that were unusable and ignored
};

// `settings` over `defaults` (fields absent or null keep the defaults). A malformed size, background or camera throws
// std::invalid_argument naming the field ("render_settings.camera.position: ..."); the gallery's presentation data
// is taken as far as it is usable, with a warning for what is not.
RenderSettings read_render_settings(const nlohmann::json& settings, const ViewOptions& defaults);

// {"position": [x,y,z], "target": [x,y,z], "up": [x,y,z], "fov_y_degrees": f}: the camera JSON shape everywhere
// (render --json, completion bodies, the browser's camera_used, a saved camera).
nlohmann::json camera_to_json(const AbsoluteCamera& camera);
// Throws std::invalid_argument naming `field` (e.g. "render_settings.camera") when it is not that shape; "up" and
// "fov_y_degrees" may be left out (+Y, 45).
AbsoluteCamera camera_from_json(const nlohmann::json& camera, const std::string& field);

// "#rrggbb", "#rgb" or "transparent" (any case) as sRGB + alpha; nullopt otherwise.
std::optional<glm::vec4> parse_colour(std::string_view text);

}  // namespace thumbgen::render
