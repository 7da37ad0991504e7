// The GL context the renderer draws with: EGL (native, no X server) or WebGL2 (browser).
// The renderer draws into its own framebuffer objects, so all a context must do is exist and be current.
#pragma once

#include <string>

namespace thumbgen::render {

class GlContext {
 public:
  virtual ~GlContext() = default;
  virtual void make_current() = 0;
  // "llvmpipe (LLVM 15.0.6, 256 bits), 3.2 Mesa ...", "NVIDIA H100/PCIe/SSE2, ...", "WebGL 2.0; <unmasked renderer>":
  // names the real rasteriser (the renderer picks its anti-aliasing from it).
  virtual std::string description() const = 0;
};

}  // namespace thumbgen::render
