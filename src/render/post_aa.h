// Post-process anti-aliasing on the read-back pixels (FXAA-style), for software GL: there 4x MSAA costs more than
// shading a typical model (measured: 62 ms vs 34 ms for a 900-triangle teapot at 1280x720 on llvmpipe) and a GLSL
// FXAA pass is slower still (sRGB texture fetches: +78 ms), while this pass over the RGBA8 image costs a few ms.
#pragma once

#include "scene/scene.h"

namespace thumbgen::render {

// Smooths aliased edges in place. Works on sRGB-encoded RGBA8 (perceptual luma), leaves flat areas untouched.
void smooth_edges(scene::Image& image);

}  // namespace thumbgen::render
