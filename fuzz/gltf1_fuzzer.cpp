// glTF 1.0 (JSON or GLB v1): thumbgen's own code that runs before assimp sees the file — the repairs assimp needs,
// the technique textures, the vertex colours it drops, and reference discovery. assimp itself is fuzzed apart
// (assimp_fuzzer), since Debian's assimp is not instrumented.
#include "fuzz_support.h"
#include "scene/assimp_gltf1.h"
#include "scene/model_references.h"

using namespace thumbgen;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = fuzz::split_at(fuzz::as_span(data, size), "\n--side--\n");
  const std::span<const std::uint8_t> main = parts.first, side = parts.second;
  fuzz::expect_clean([&] { scene::gltf1_for_assimp(main); });
  fuzz::expect_clean([&] {
    scene::AssimpMaterialOptions options;
    scene::find_gltf1_technique_textures(main, options);
  });
  fuzz::MemoryFiles files(side);
  fuzz::expect_clean([&] { scene::read_gltf1_colors(main, files, fuzz::fuzz_limits().max_file_bytes); });
  const std::string name = fuzz::as_text(main).starts_with("glTF") ? "model.glb" : "model.gltf";
  const scene::FileList folder({name, "model.bin", "texture.png"});
  scene::find_model_references(name, folder, [&](const std::string& file) {
    return file == name ? fuzz::Bytes(main.begin(), main.end()) : fuzz::Bytes(side.begin(), side.end());
  });
  return 0;
}
