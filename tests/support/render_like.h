// A synthetic image that looks like a render (a shaded ball on a flat background) for encoder tests and benchmarks.
#pragma once

#include "scene/scene.h"

namespace thumbgen::test {

// width×height RGBA: an orange ball lit from the upper left over grey 40; the background is transparent (alpha 0)
// when asked, the ball always opaque.
scene::Image render_like(int width, int height, bool transparent_background);

}  // namespace thumbgen::test
