#include "scene/model_formats.h"

#include <algorithm>
#include <array>

#include "util/ascii.h"

namespace thumbgen::scene {
namespace {

using enum ModelReader;
constexpr UpAxis kZUp = UpAxis::PlusZ;

// Not .blend: assimp only reads pre-2.8 files, and a folder holding a .blend usually holds its export too.
constexpr std::array kFormats = {
    ModelFormat{"glb", "glTF binary", "GLB", NativeOrAssimp},
    ModelFormat{"gltf", "glTF", "GLTF2", NativeOrAssimp},
    ModelFormat{"obj", "Wavefront OBJ", "OBJ", Assimp},
    ModelFormat{"fbx", "FBX", "FBX", Assimp},
    ModelFormat{"ply", "PLY (mesh, point cloud or 3DGS splats)", "PLY", NativeOrAssimp},
    ModelFormat{"stl", "STL", "STL", Assimp, kZUp},
    ModelFormat{"spz", "SPZ splats", "SPZ", Native},
    ModelFormat{"splat", "antimatter15 splats", "SPLAT", Native},
    ModelFormat{"ksplat", "GaussianSplats3D splats", "KSPLAT", Native},
    ModelFormat{"sog", "PlayCanvas SOG splats", "SOG", Native},
    ModelFormat{"tilt", "Tilt Brush sketch", "TILT", Native},
    ModelFormat{"vox", "MagicaVoxel", "VOX", Native, kZUp},
    ModelFormat{"usdz", "USDZ", "USDZ", NoLoader},
    ModelFormat{"dae", "Collada", "", Assimp},
    ModelFormat{"3ds", "3D Studio", "", Assimp},
    ModelFormat{"3mf", "3D Manufacturing Format", "", Assimp, kZUp},
    ModelFormat{"amf", "Additive Manufacturing Format", "", Assimp, kZUp},
    ModelFormat{"lwo", "LightWave", "", Assimp},
    ModelFormat{"off", "Object File Format", "", Assimp},
    ModelFormat{"x", "DirectX", "", Assimp},
    ModelFormat{"ac", "AC3D", "", Assimp},
};

}  // namespace

std::span<const ModelFormat> model_formats() { return kFormats; }

const ModelFormat* model_format_for(std::string_view extension) {
  if (extension.starts_with('.')) extension.remove_prefix(1);
  const std::string lower = util::to_lower_ascii(extension);
  const auto it = std::find_if(kFormats.begin(), kFormats.end(),
                               [&](const ModelFormat& format) { return format.extension == lower; });
  return it == kFormats.end() ? nullptr : &*it;
}

bool loadable_in_this_build(const ModelFormat& format) {
  switch (format.reader) {
    case Native:
    case NativeOrAssimp:
      return true;
    case Assimp:
#if THUMBGEN_WITH_ASSIMP
      return true;
#else
      return false;
#endif
    case Refused:
    case NoLoader:
      break;
  }
  return false;
}

}  // namespace thumbgen::scene
