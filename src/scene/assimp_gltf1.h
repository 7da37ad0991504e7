// glTF 1.0 material textures that assimp does not see: techniques name their colour texture freely
// (Tilt Brush and Poly exports use "MainTex"), so this reads them from the JSON itself.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "scene/assimp_materials.h"
#include "scene/file_access.h"
#include "scene/scene.h"

namespace thumbgen::scene {

// Fills options.extra_base_textures (material id and name → image URI or embedded key) and, for GLB v1
// (KHR_binary_glTF) images stored in the binary body, options.extra_texture_bytes. Ignores malformed input.
void find_gltf1_technique_textures(std::span<const std::uint8_t> bytes, AssimpMaterialOptions& options);

// The material a primitive gets when the one it names does not exist: meshes with it draw with the renderer's
// default material.
inline constexpr const char* kGltf1DefaultMaterial = "thumbgen:default-material";

struct Gltf1ForAssimp {
  std::vector<std::uint8_t> bytes;    // the file as assimp gets it; empty when the original needs no repair
  std::vector<std::string> warnings;  // one per reference that named nothing and was left out
};

// What assimp 5.2.5 needs to read a glTF 1.0 file (JSON or GLB v1) as the browsers' loaders do: "asset.version"
// (early exporters such as collada2gltf wrote none), a GLB JSON padded to 4 bytes (assimp rounds the body's start
// up, the browsers do not), and no ids that name nothing (assimp fails the asset on one; a missing material
// becomes kGltf1DefaultMaterial, other dangling ids are left out, each with a warning: a buffer view naming no
// buffer, an accessor naming no view, an attribute naming no accessor; a primitive whose positions or indices name
// nothing is left out whole).
// Throws LoadError when its JSON does not parse or a GLB is cut short ("invalid glTF JSON: ...", "truncated GLB: ...").
Gltf1ForAssimp gltf1_for_assimp(std::span<const std::uint8_t> bytes);

// Vertex colours of glTF 1.0 primitives ("COLOR" / "COLOR_0"), which assimp 5.2.5 drops: Tilt Brush strokes keep
// their colour there. Keyed by the names assimp gives meshes ("<mesh id>", or "<mesh id>-<primitive>" when a mesh
// has several primitives); values are the stored (display) colours. Unreadable data is skipped.
std::map<std::string, std::vector<glm::vec4>> read_gltf1_colors(std::span<const std::uint8_t> bytes, FileAccess& files,
                                                                std::uint64_t max_file_bytes);

}  // namespace thumbgen::scene
