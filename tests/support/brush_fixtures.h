// Fixtures for brush texture tests: what a Tilt Brush / Open Brush export names, and a model that names it.
#pragma once

#include <string>

namespace thumbgen::test {

inline constexpr const char* kInkBrush = "Ink-f5c336cf-5108-4b40-ade9-c687504385ab";
inline constexpr const char* kLightBrush = "Light-2241cd32-8ba2-48a5-9ee7-2caef7e9ed62";

// "<brush>/<brush>-v10.0-MainTex.png": the brush texture path of an export URL (after /shaders/brushes/).
std::string brush_texture_path(const std::string& brush);
// A 4x4 opaque red PNG.
std::string red_png();
// A self-contained .gltf: an unlit white cube whose texture is `brush`'s, named by the URL an export writes
// (https://www.tiltbrush.com/shaders/brushes/...). Rendered with the texture it is red, without it white.
std::string brush_stroke_gltf(const std::string& brush);

}  // namespace thumbgen::test
