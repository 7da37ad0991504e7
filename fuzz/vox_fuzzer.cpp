// MagicaVoxel .vox: chunks, palette, scene graph and the greedy mesher.
#include "fuzz_support.h"
#include "scene/vox_loader.h"

using namespace thumbgen;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = fuzz::as_span(data, size);
  fuzz::expect_clean([&] { scene::detect_format("model.vox", bytes); });
  fuzz::expect_clean([&] { scene::load_vox(bytes, fuzz::fuzz_limits()); });
  return 0;
}
