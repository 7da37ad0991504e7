// Raw Tilt Brush / Open Brush sketches (.tilt): the zip, data.sketch's strokes, metadata.json, the stroke geometry of
// every brush family, and the brush texture URLs reference discovery lists. The first byte picks the mode: even, the
// rest is the .tilt itself; odd, the rest is "<data.sketch>\n--side--\n<metadata.json>", zipped here (stored, with
// correct CRCs) so that mutations reach the sketch and metadata parsers.
#include "fuzz_support.h"
#include "scene/tilt_sketch.h"

using namespace thumbgen;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto rest = fuzz::as_span(data + 1, size - 1);
  fuzz::Bytes zipped;
  if (data[0] % 2 == 1) {
    const auto parts = fuzz::split_at(rest, "\n--side--\n");
    std::vector<fuzz::ZipEntry> entries{{"data.sketch", parts.first}};
    if (!parts.second.empty()) entries.push_back({"metadata.json", parts.second});
    zipped = fuzz::stored_zip(entries);
  }
  const std::span<const std::uint8_t> bytes = zipped.empty() ? rest : std::span<const std::uint8_t>(zipped);
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
