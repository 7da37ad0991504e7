// How bright Tilt Brush / Open Brush draws its glow (additive, emissive) brushes. Their shaders pass the stroke
// colour through Tilt Brush's bloomColor(colour, _EmissionGain): every channel raised to at least 5 % of the colour's
// length (so a saturated stroke clips towards white, not towards a secondary colour), then made linear and scaled
// by the brush material's emission gain; the camera's bloom and tone mapping turn that into the blaze its
// thumbnails show. We draw to an 8-bit target without bloom, so the scale is applied as a brightness factor and
// the bright parts clip.
#pragma once

#include <glm/glm.hpp>
#include <optional>
#include <string_view>

namespace thumbgen::scene {

// The brush material's _EmissionGain (the Tilt Brush toolkit's Brushes/Basic/<Name>/<Name>.mat) for the glow brushes
// that use bloomColor; nullopt for every other brush.
std::optional<float> tilt_brush_emission_gain(std::string_view brush_name);

// The linear brightness factor for an emission gain.
float tilt_glow_brightness(float emission_gain);

// A stroke's stored (sRGB) colour with bloomColor's floor: each channel at least 5 % of the colour's length.
glm::vec4 tilt_glow_floor(const glm::vec4& srgb_color);

}  // namespace thumbgen::scene
