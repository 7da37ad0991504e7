// Niantic SPZ (gzip v1-v3, raw NGSP v4 with zstd) through its loader.
#include "fuzz_support.h"
#include "scene/splat_loader.h"

using namespace thumbgen;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = fuzz::as_span(data, size);
  fuzz::expect_clean([&] { scene::detect_format("model.spz", bytes); });
  fuzz::expect_clean([&] { scene::load_spz(bytes, fuzz::fuzz_limits()); });
  return 0;
}
