#include "platform/egl_context.h"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES3/gl3.h>
#include <malloc.h>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace thumbgen::platform {
namespace {

std::string egl_error_text(const char* what) {
  char code[16];
  std::snprintf(code, sizeof code, "0x%04X", eglGetError());
  return std::string(what) + " failed (EGL error " + code + ")";
}

template <typename Fn>
Fn egl_proc(const char* name) {
  return reinterpret_cast<Fn>(eglGetProcAddress(name));
}

// A GPU through the EGL device platform when the driver offers one (NVIDIA), else Mesa's surfaceless platform
// (llvmpipe on CPU-only machines). Neither needs an X server.
EGLDisplay open_display() {
  auto get_platform_display = egl_proc<PFNEGLGETPLATFORMDISPLAYEXTPROC>("eglGetPlatformDisplayEXT");
  auto query_devices = egl_proc<PFNEGLQUERYDEVICESEXTPROC>("eglQueryDevicesEXT");
  if (get_platform_display && query_devices) {
    EGLDeviceEXT devices[8];
    EGLint count = 0;
    if (query_devices(8, devices, &count) && count > 0) {
      auto query_device_string = egl_proc<PFNEGLQUERYDEVICESTRINGEXTPROC>("eglQueryDeviceStringEXT");
      for (EGLint i = 0; i < count; ++i) {
        // Mesa lists its software device too; prefer a device with a DRM node (a real GPU).
        const char* extensions = query_device_string ? query_device_string(devices[i], EGL_EXTENSIONS) : nullptr;
        if (!extensions || std::string(extensions).find("EGL_EXT_device_drm") == std::string::npos) continue;
        EGLDisplay display = get_platform_display(EGL_PLATFORM_DEVICE_EXT, devices[i], nullptr);
        if (display != EGL_NO_DISPLAY && eglInitialize(display, nullptr, nullptr)) return display;
      }
    }
  }
  if (get_platform_display) {
    EGLDisplay display = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
    if (display != EGL_NO_DISPLAY && eglInitialize(display, nullptr, nullptr)) return display;
  }
  EGLDisplay display = eglGetDisplay(EGL_DEFAULT_DISPLAY);
  if (display != EGL_NO_DISPLAY && eglInitialize(display, nullptr, nullptr)) return display;
  throw std::runtime_error(egl_error_text("opening a headless EGL display"));
}

class EglContext final : public render::GlContext {
 public:
  EglContext() {
    display_ = open_display();
    if (!eglBindAPI(EGL_OPENGL_ES_API)) throw std::runtime_error(egl_error_text("eglBindAPI(GLES)"));
    const EGLint config_attributes[] = {EGL_RENDERABLE_TYPE, EGL_OPENGL_ES3_BIT, EGL_SURFACE_TYPE, EGL_PBUFFER_BIT,
                                        EGL_NONE};
    EGLConfig config = nullptr;
    EGLint config_count = 0;
    // Surfaceless contexts need no config; fall back to "no config" when the driver offers none.
    if (!eglChooseConfig(display_, config_attributes, &config, 1, &config_count) || config_count == 0) {
      config = EGL_NO_CONFIG_KHR;
    }
    const EGLint context_attributes[] = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 0, EGL_NONE};
    context_ = eglCreateContext(display_, config, EGL_NO_CONTEXT, context_attributes);
    if (context_ == EGL_NO_CONTEXT) {
      eglTerminate(display_);
      throw std::runtime_error(egl_error_text("creating a GLES 3.0 context"));
    }
    make_current();
    const char* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    const char* version = reinterpret_cast<const char*>(glGetString(GL_VERSION));
    description_ = std::string(renderer ? renderer : "unknown renderer") + ", " + (version ? version : "");
  }

  ~EglContext() override {
    eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    eglDestroyContext(display_, context_);
    eglTerminate(display_);
  }

  void make_current() override {
    if (!eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, context_)) {
      throw std::runtime_error(egl_error_text("eglMakeCurrent (surfaceless)"));
    }
  }

  std::string description() const override { return description_; }

 private:
  EGLDisplay display_ = EGL_NO_DISPLAY;
  EGLContext context_ = EGL_NO_CONTEXT;
  std::string description_;
};

}  // namespace

std::unique_ptr<render::GlContext> create_egl_context() { return std::make_unique<EglContext>(); }

void tune_malloc_for_software_gl() {
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

}  // namespace thumbgen::platform
