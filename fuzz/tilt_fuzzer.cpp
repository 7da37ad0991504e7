// Raw Tilt Brush / Open Brush sketches (.tilt): the zip, data.sketch's strokes, metadata.json, the stroke geometry of
// every brush family, and the brush texture URLs reference discovery lists.
#include "fuzz_support.h"
#include "scene/tilt_sketch.h"

using namespace thumbgen;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = fuzz::as_span(data, size);
  fuzz::expect_clean([&] { scene::detect_format("sketch.tilt", bytes); });
  fuzz::MemoryFiles files({});
  platform::TextureDecoder images;
  fuzz::expect_clean([&] { scene::load_tilt_sketch(bytes, files, images, fuzz::fuzz_limits()); });
  fuzz::expect_clean([&] {
    std::vector<std::string> warnings;
    scene::tilt_sketch_brush_texture_urls(bytes, warnings);
  });
  return 0;
}
