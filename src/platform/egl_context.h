// Headless OpenGL ES 3 context through EGL, with no X server: the GPU when there is one (EGL device platform),
// Mesa llvmpipe otherwise (surfaceless platform).
#pragma once

#include <memory>

#include "render/gl_context.h"

namespace thumbgen::platform {

// Throws std::runtime_error with the EGL error when no GLES 3 context can be made.
std::unique_ptr<render::GlContext> create_egl_context();

// llvmpipe allocates and frees large vertex buffers every frame; glibc's default trim/mmap thresholds then
// cost 5× in page faults (DESIGN §2). Call once at process start, before any GL.
void tune_malloc_for_software_gl();

}  // namespace thumbgen::platform
