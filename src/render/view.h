// How a thumbnail should look: size, background, camera choice.
#pragma once

#include <glm/glm.hpp>
#include <optional>

namespace thumbgen::render {

struct CameraAngles {
  float yaw_degrees = 0.0f;    // around +Y; 0 looks at the model's front (+Z side)
  float pitch_degrees = 0.0f;  // positive looks down from above
  float vfov_degrees = 45.0f;
};

struct ViewOptions {
  int width = 1280;
  int height = 720;
  glm::vec4 background{0.0f, 0.0f, 0.0f, 1.0f};  // sRGB colour; alpha 0 = transparent
  // Explicit camera angles (auto-framed). Without them the asset's own camera wins, else a 3/4 auto-frame.
  std::optional<CameraAngles> camera;
  // Anti-aliasing: -1 = automatic (4x MSAA on a GPU; a CPU FXAA pass on software GL, where MSAA costs more than
  // shading), 0 or 1 = FXAA, 2+ = that many MSAA samples.
  int msaa_samples = -1;
};

// The default 3/4 view when the asset has no camera of its own.
inline constexpr CameraAngles kDefaultAngles{30.0f, 20.0f, 45.0f};

}  // namespace thumbgen::render
