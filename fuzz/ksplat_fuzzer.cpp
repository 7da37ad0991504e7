// GaussianSplats3D .ksplat (sections, compression levels) through its loader.
#include "fuzz_support.h"
#include "scene/splat_loader.h"

using namespace thumbgen;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = fuzz::as_span(data, size);
  fuzz::expect_clean([&] { scene::detect_format("model.ksplat", bytes); });
  fuzz::expect_clean([&] { scene::load_ksplat(bytes, fuzz::fuzz_limits()); });
  return 0;
}
