// Tilt Brush / Open Brush environment presets (a sketch's metadata.json names one by GUID) → the colour behind the
// strokes, for a thumbnail's background.
#pragma once

#include <glm/glm.hpp>
#include <optional>
#include <span>
#include <string_view>

namespace thumbgen::scene {

// sRGB colour, alpha 1; nullopt for an unknown GUID and for Passthrough (mixed reality: no backdrop of its own).
std::optional<glm::vec4> tilt_environment_background(std::string_view guid);

// The mean of a custom sky gradient's colours (Open Brush's Environment.GradientColors), alpha 1; nullopt when empty.
std::optional<glm::vec4> tilt_sky_gradient_background(std::span<const glm::vec4> gradient);

}  // namespace thumbgen::scene
