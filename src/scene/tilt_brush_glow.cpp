// Emission gains read off the Tilt Brush toolkit's brush materials (Apache-2.0; Brushes/Basic/*/*.mat, _EmissionGain).
// The particle brushes (Bubbles, Dots, Embers, Smoke, Snow, Stars) store 300 there, a different quantity for a
// different shader, and are not listed: they keep their plain additive look.
#include "scene/tilt_brush_glow.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace thumbgen::scene {
namespace {

constexpr auto kEmissionGains = std::to_array<std::pair<std::string_view, float>>({
    {"ChromaticWave", 0.45f},
    {"Comet", 0.5f},
    {"Electricity", 0.2f},
    {"Fire", 0.5f},
    {"Highlighter", 0.25f},
    {"HyperGrid", 1.0f},
    {"Light", 0.45f},
    {"NeonPulse", 0.5f},
    {"Plasma", 0.5f},
    {"Rainbow", 0.65f},
    {"Streamers", 0.4f},
    {"Waveform", 0.518f},
});

}  // namespace

std::optional<float> tilt_brush_emission_gain(std::string_view brush_name) {
  const auto it = std::find_if(kEmissionGains.begin(), kEmissionGains.end(),
                               [&](const auto& row) { return row.first == brush_name; });
  return it == kEmissionGains.end() ? std::nullopt : std::optional(it->second);
}

// bloomColor's own scale, 2·e^(10·gain) (about 300 for Fire's 0.5): with no bloom pass here it clips the stroke's
// body to white and leaves its colour at the texture's soft edges, which is what Tilt Brush's thumbnails show.
float tilt_glow_brightness(float emission_gain) { return 2.0f * std::exp(10.0f * emission_gain); }

glm::vec4 tilt_glow_floor(const glm::vec4& srgb_color) {
  const float floor = 0.05f * glm::length(glm::vec3(srgb_color));
  return {glm::max(glm::vec3(srgb_color), glm::vec3(floor)), srgb_color.a};
}

}  // namespace thumbgen::scene
