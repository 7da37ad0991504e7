// metadata.json of a raw Tilt Brush / Open Brush sketch: which brush each stroke's index names, the environment, the
// thumbnail camera and the scene's placement. Field names as Open Brush's SketchMetadata.cs (de)serialises them.
#pragma once

#include <glm/glm.hpp>
#include <glm/gtc/quaternion.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace thumbgen::scene {

// Tilt Brush's TrTransform: translation, rotation, uniform scale (Unity axes).
struct TiltTransform {
  glm::vec3 translation{0.0f};
  glm::quat rotation{1.0f, 0.0f, 0.0f, 0.0f};
  float scale = 1.0f;
  glm::mat4 matrix() const;
};

struct TiltSketchMetadata {
  std::vector<std::string> brush_guids;  // BrushIndex: a stroke's brush index → brush GUID
  std::string environment_guid;          // EnvironmentPreset
  // ThumbnailCameraTransformInRoomSpace (older sketches: ThumbnailCameraTransform {position, orientation}).
  std::optional<TiltTransform> thumbnail_camera;
  TiltTransform scene_in_room;    // SceneTransformInRoomSpace (identity when absent)
  TiltTransform canvas_in_scene;  // CanvasTransformInSceneSpace (identity when absent)
  // Open Brush's custom environment (Environment.GradientColors): sRGB sky colours that replace the preset's.
  std::vector<glm::vec4> sky_gradient;
};

// Parses metadata.json. Never throws: a missing, malformed or partly wrong document gives the defaults for what it
// lacks and a warning in `warnings` for what it got wrong.
TiltSketchMetadata parse_tilt_metadata(std::string_view json_text, std::vector<std::string>& warnings);

}  // namespace thumbgen::scene
