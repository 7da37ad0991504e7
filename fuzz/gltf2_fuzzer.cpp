// glTF 2.0, JSON or GLB, through the loader's own entry point (incl. Draco and meshopt decoding, accessors, materials,
// the scene graph). An input "<main>\n--side--\n<side>" serves <side> for every buffer or image URI it names.
#include "fuzz_support.h"
#include "scene/gltf_generation.h"
#include "scene/gltf_loader.h"

using namespace thumbgen;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = fuzz::split_at(fuzz::as_span(data, size), "\n--side--\n");
  const std::span<const std::uint8_t> main = parts.first, side = parts.second;
  const bool glb = fuzz::as_text(main).starts_with("glTF");
  const std::string name = glb ? "model.glb" : "model.gltf";
  fuzz::expect_clean([&] { scene::detect_format(name, main); });
  if (!glb) fuzz::expect_clean([&] { scene::gltf_json_generation(main); });
  fuzz::MemoryFiles files(side);
  platform::TextureDecoder images;
  fuzz::expect_clean([&] { scene::load_gltf(name, main, files, images, fuzz::fuzz_limits()); });
  return 0;
}
