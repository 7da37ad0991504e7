// Linked into every test executable. Under LeakSanitizer, leaks inside the GL driver (its per-process caches,
// kept until exit by design) can only be suppressed by module name (tests/lsan.supp), but eglTerminate unloads
// the driver before LSan symbolises at exit, leaving "<unknown module>" frames that match nothing. Loading the
// driver modules once with RTLD_NODELETE keeps them mapped, so the suppressions apply. Harmless elsewhere.
#include <dlfcn.h>

#include <initializer_list>

namespace {

const bool gl_driver_pinned = [] {
  for (const char* module : {"libEGL_mesa.so.0", "libglapi.so.0", "/usr/lib/x86_64-linux-gnu/dri/swrast_dri.so"}) {
    dlopen(module, RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE);  // a missing module is fine: nothing to pin
  }
  return true;
}();

}  // namespace
