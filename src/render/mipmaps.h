// Mipmap levels built on the CPU, for software GL: llvmpipe's glGenerateMipmap renders every level through its
// blitter (2.7-3.7 ms for a 1024x1024 texture, 6.6 % of the corpus run); this 2x2 box filter takes about a
// third of that. Not a library: stb_image_resize (the one in Debian) is a general float resampler, slower still.
#pragma once

#include "scene/scene.h"

namespace thumbgen::render {

// The next mipmap level: floor(size / 2) each way (at least 1), each texel the mean of its 2x2 block (the last
// row/column repeats where the size is odd). sRGB colour is averaged in linear light, as GL does; alpha and data
// textures as stored.
scene::Image next_mip_level(const scene::Image& level, bool srgb);

}  // namespace thumbgen::render
