// PlayCanvas SOG: the .sog zip (meta.json and WebP planes, decoded by the native texture decoder), or the folder
// form's meta.json; an input "<meta.json>\n--side--\n<webp>" serves <webp> as every plane.
#include "fuzz_support.h"
#include "scene/splat_loader.h"

using namespace thumbgen;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = fuzz::split_at(fuzz::as_span(data, size), "\n--side--\n");
  const std::span<const std::uint8_t> main = parts.first, side = parts.second;
  const std::string name = fuzz::as_text(main).starts_with("PK") ? "model.sog" : "meta.json";
  fuzz::expect_clean([&] { scene::detect_format(name, main); });
  fuzz::MemoryFiles files(side);
  platform::TextureDecoder images;
  fuzz::expect_clean([&] { scene::load_sog(name, main, files, images, fuzz::fuzz_limits()); });
  return 0;
}
