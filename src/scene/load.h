// Entry point of src/scene: bytes of a model (and its side files through FileAccess) → Scene.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "scene/file_access.h"
#include "scene/image_decoder.h"
#include "scene/load_error.h"
#include "scene/scene.h"

namespace thumbgen::scene {

struct LoadLimits {
  int max_texture_dimension = 2048;           // textures are downscaled to this on decode
  std::uint64_t max_file_bytes = 2ull << 30;  // any single file (main or side file)
  std::uint64_t max_vertices = 50'000'000;    // total, checked before allocating
  std::uint64_t max_splats = 20'000'000;
};

// What the content (not only the extension) says the main file is.
enum class FormatKind {
  Unknown,
  Gltf2,     // .gltf JSON with asset.version 2.x, or GLB v2
  Gltf1,     // glTF 1.0 JSON or GLB v1 (KHR_binary_glTF)
  SplatPly,  // PLY with 3DGS properties (f_dc_*, opacity, scale_*, rot_*), incl. compressed PLY
  Spz,       // Niantic SPZ (gzip)
  Splat,     // antimatter15 .splat (32-byte records)
  Ply,       // PLY mesh or point cloud
  Stl,
  Obj,
  TiltRaw,  // .tilt zip sketch (Tilt Brush / Open Brush), optionally after a 16-byte "tilT" header
  Vox,      // MagicaVoxel .vox ("VOX " magic)
  Ksplat,   // GaussianSplats3D .ksplat (no magic: by extension)
  Sog,      // PlayCanvas SOG: a zip of meta.json + WebP planes, or the unzipped folder's meta.json
  Other,    // long tail for assimp (FBX, DAE, 3DS, ...)
};

FormatKind detect_format(std::string_view file_name, std::span<const std::uint8_t> head);

// Loads the model named `main_file` (relative to the model folder FileAccess serves).
// Throws LoadError with a clear reason; never crashes on hostile input.
Scene load_scene(const std::string& main_file, FileAccess& files, ImageDecoder& images, const LoadLimits& limits);

}  // namespace thumbgen::scene
