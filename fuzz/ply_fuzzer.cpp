// PLY, mesh and splat: the header reader, the repairs made before assimp reads a mesh (colour names, triangle strips),
// reference discovery, and the 3DGS splat loader (INRIA and PlayCanvas compressed layouts). assimp's own PLY reader
// is fuzzed apart (assimp_fuzzer).
#include "fuzz_support.h"
#include "scene/assimp_ply.h"
#include "scene/model_references.h"
#include "scene/ply_header.h"
#include "scene/splat_loader.h"

using namespace thumbgen;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = fuzz::as_span(data, size);
  fuzz::expect_clean([&] { scene::detect_format("model.ply", bytes); });
  fuzz::expect_clean([&] { scene::parse_ply_header(bytes); });
  fuzz::expect_clean([&] { scene::ply_for_assimp(bytes); });
  fuzz::expect_clean([&] { scene::load_splat_ply(bytes, fuzz::fuzz_limits()); });
  // Reference discovery sends what is not a PLY by its magic to assimp (fuzzed apart): only PLYs here.
  if (!fuzz::as_text(bytes).starts_with("ply")) return 0;
  const scene::FileList folder({"model.ply", "texture.png"});
  scene::find_model_references("model.ply", folder,
                               [&](const std::string&) { return fuzz::Bytes(bytes.begin(), bytes.end()); });
  return 0;
}
