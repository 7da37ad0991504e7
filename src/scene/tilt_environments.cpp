// Source (facts, not code): the environment presets of icosa-foundation's icosa-viewer (Viewer.lookupEnvironment),
// which carry Tilt Brush's own preset values. What shows behind the strokes is the preset's sky: a vertical gradient
// from skyboxColorA to skyboxColorB (or a cubemap tinted to about the same colours), so each background here is
// the mean of skyboxColorA and skyboxColorB, rounded to three places.
#include "scene/tilt_environments.h"

#include <algorithm>
#include <array>
#include <string>

#include "util/ascii.h"

namespace thumbgen::scene {
namespace {

struct Environment {
  std::string_view name;
  std::string_view guid;
  glm::vec3 background;  // sRGB
};

constexpr std::array kEnvironments = std::to_array<Environment>({
    {"Standard", "ab080599-e465-4a6d-8587-43bf495af68b", {0.155f, 0.155f, 0.202f}},
    {"NightSky", "c504347a-c96d-4505-853b-87b484acff9a", {0.041f, 0.024f, 0.092f}},
    {"Space", "96cf6f36-47b6-44f4-bdbf-63be2ddac909", {0.061f, 0.018f, 0.086f}},
    {"DressForm", "e2e72b76-d443-4721-97e6-f3d49fe98dda", {0.218f, 0.225f, 0.314f}},
    {"Pedestal", "ab080511-e465-4a6d-8587-53bf495af68b", {0.218f, 0.225f, 0.314f}},
    {"Snowman", "ab080511-e565-4a6d-8587-53bf495af68b", {0.612f, 0.690f, 0.839f}},
    {"PinkLemonade", "36e65e4f-17d7-41ef-834a-e525db0b9888", {0.929f, 0.588f, 0.512f}},
    {"Pistachio", "a9bc2bc8-6d86-4cda-82a9-283e0f3977ac", {0.729f, 0.649f, 0.453f}},
    {"Illustrative", "e65cde1a-a177-4bfb-b93f-f673c99a32bc", {0.694f, 0.694f, 0.694f}},
    {"Black", "580b4529-ac50-4fe9-b8d2-635765a14893", {0.0f, 0.0f, 0.0f}},
    {"White", "9b89b0a4-c41e-4b78-82a1-22f10a238357", {0.784f, 0.784f, 0.784f}},
    {"Blue", "0ca88298-e5e8-4e94-aad8-4b4f6c80ae52", {0.269f, 0.314f, 0.506f}},
});

}  // namespace

std::optional<glm::vec4> tilt_environment_background(std::string_view guid) {
  const std::string lower = util::to_lower_ascii(guid);
  const auto it = std::find_if(kEnvironments.begin(), kEnvironments.end(),
                               [&](const Environment& environment) { return environment.guid == lower; });
  if (it == kEnvironments.end()) return std::nullopt;
  return glm::vec4(it->background, 1.0f);
}

std::optional<glm::vec4> tilt_sky_gradient_background(std::span<const glm::vec4> gradient) {
  if (gradient.empty()) return std::nullopt;
  glm::vec3 sum(0.0f);
  for (const glm::vec4& colour : gradient) sum += glm::clamp(glm::vec3(colour), 0.0f, 1.0f);
  return glm::vec4(sum / static_cast<float>(gradient.size()), 1.0f);
}

}  // namespace thumbgen::scene
