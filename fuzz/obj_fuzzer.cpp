// OBJ + MTL: thumbgen's own reading of them (reference discovery: mtllib, the fallback <name>.mtl, every texture map
// with its options). The geometry is read by assimp, fuzzed apart (assimp_fuzzer). An input "<obj>\n--side--\n<mtl>"
// serves <mtl> as every side file.
#include "fuzz_support.h"
#include "scene/model_references.h"

using namespace thumbgen;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = fuzz::split_at(fuzz::as_span(data, size), "\n--side--\n");
  const std::span<const std::uint8_t> main = parts.first, side = parts.second;
  fuzz::expect_clean([&] { scene::detect_format("model.obj", main); });
  const scene::FileList folder({"model.obj", "model.mtl", "materials.mtl", "texture.png", "maps/bump.jpg"});
  scene::find_model_references("model.obj", folder, [&](const std::string& file) {
    return file == "model.obj" ? fuzz::Bytes(main.begin(), main.end()) : fuzz::Bytes(side.begin(), side.end());
  });
  return 0;
}
