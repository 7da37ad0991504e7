// antimatter15 .splat (32-byte records) through its loader.
#include "fuzz_support.h"
#include "scene/splat_loader.h"

using namespace thumbgen;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = fuzz::as_span(data, size);
  fuzz::expect_clean([&] { scene::detect_format("model.splat", bytes); });
  fuzz::expect_clean([&] { scene::load_dot_splat(bytes, fuzz::fuzz_limits()); });
  return 0;
}
