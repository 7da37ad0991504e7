// How a thumbnail should look: size, background, camera choice.
#pragma once

#include <glm/glm.hpp>
#include <glm/gtc/quaternion.hpp>
#include <optional>

#include "scene/up_axis.h"
#include "util/version.h"

namespace thumbgen::render {

struct CameraAngles {
  float yaw_degrees = 0.0f;    // around +Y; 0 looks at the model's front (+Z side)
  float pitch_degrees = 0.0f;  // positive looks down from above
  float vfov_degrees = 45.0f;
};

// A camera placed exactly: where it is, what it looks at, which way is up, its vertical field of view. In the
// model's space as loaded, which is the file's own axes: before the up-axis turn (a Z-up STL's cameras usually have
// up [0, 0, 1]), before the presentation's orienting rotation and before any framing, so a camera stored with an
// asset keeps showing the same view whatever else changes (including --up or the format's up convention).
struct AbsoluteCamera {
  glm::vec3 position{0.0f, 0.0f, 1.0f};
  glm::vec3 target{0.0f};
  glm::vec3 up{0.0f, 1.0f, 0.0f};
  float fov_y_degrees = 45.0f;
};

// The gallery's camera for the asset (Icosa / Poly presentation_params.camera): a camera-to-world pose in
// presentation space (after the orienting rotation), looking down its local -Z.
struct PresentationCamera {
  glm::vec3 translation{0.0f};
  glm::quat rotation{1.0f, 0.0f, 0.0f, 0.0f};
  float fov_y_degrees = 45.0f;
  std::optional<glm::vec3> pivot;  // GOOGLE_camera_settings.pivot: what it orbits around
};

// What the gallery says about presenting the asset (its background colour goes to ViewOptions::background).
struct Presentation {
  // Object space → presentation space (+Y up): turns a model authored lying down upright before framing.
  glm::quat orienting_rotation{1.0f, 0.0f, 0.0f, 0.0f};
  std::optional<PresentationCamera> camera;
};

struct ViewOptions {
  int width = 1280;
  int height = 720;
  glm::vec4 background{0.0f, 0.0f, 0.0f, 1.0f};  // sRGB colour; alpha 0 = transparent
  // Whether someone chose `background` (a flag, a run setting, the gallery's presentation colour); when not, a
  // backdrop the model asks for itself (scene::Scene::background, a Tilt Brush sketch's environment) replaces it.
  bool background_chosen = false;
  // The camera, by precedence (choose_camera_source): a saved absolute camera, then these angles (auto-framed),
  // then the presentation's camera, then the asset's own camera, else a 3/4 auto-frame.
  std::optional<AbsoluteCamera> saved_camera;
  std::optional<CameraAngles> camera;
  Presentation presentation;
  // The file's up axis when the caller knows it (--up, render_settings "up"); nullopt: the file's own declaration
  // or its format's convention (see model_orientation in camera_choice.h for the whole rule).
  std::optional<scene::UpAxis> up;
  // Anti-aliasing: -1 = automatic (4x MSAA on a GPU; a CPU FXAA pass on software GL, where MSAA costs more than
  // shading), 0 or 1 = FXAA, 2+ = that many MSAA samples.
  int msaa_samples = -1;
};

// Where the camera of a render came from, in precedence order.
enum class CameraSource { Saved, Run, Presentation, Authored, Auto };
const char* camera_source_name(CameraSource source);  // "saved", "run", "presentation", "authored", "auto"

// The default 3/4 view when the asset has no camera of its own.
inline constexpr CameraAngles kDefaultAngles{30.0f, 20.0f, 45.0f};

// The version of the rendering rules (one home: util/version.h, which the server reports too).
using thumbgen::kRendererVersion;

}  // namespace thumbgen::render
