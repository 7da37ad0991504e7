// Through assimp (Debian's, not instrumented): OBJ, STL, PLY meshes and glTF 1.0 as thumbgen loads them, with its
// repairs and guards around assimp. The first byte picks the format, the rest is the file. A crash whose stack is
// inside libassimp is assimp's (the render process isolation contains it): report it with its input, do not patch.
#include <array>

#include "fuzz_support.h"
#include "scene/assimp_loader.h"

using namespace thumbgen;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static constexpr std::array<const char*, 4> kNames = {"model.obj", "model.stl", "model.ply", "model.gltf"};
  const std::string name = kNames[data[0] % kNames.size()];
  const auto parts = fuzz::split_at(fuzz::as_span(data + 1, size - 1), "\n--side--\n");
  const std::span<const std::uint8_t> main = parts.first, side = parts.second;
  fuzz::MemoryFiles files(side);
  platform::TextureDecoder images;
  fuzz::expect_clean([&] { scene::load_with_assimp(name, main, files, images, fuzz::fuzz_limits()); });
  return 0;
}
