// Internal to the glTF loader: glTF mesh primitives → Scene meshes (Draco, morph targets, primitive modes).
#pragma once

#include <cstdint>
#include <optional>

#include "scene/gltf_document.h"
#include "scene/scene.h"

namespace thumbgen::scene::gltf {

// Builds one Scene mesh from a primitive, in its rest pose with the mesh's default morph weights applied.
// `vertex_budget` is decreased by the vertices used (LoadError when exceeded). nullopt (plus a warning) for a
// primitive without positions.
std::optional<Mesh> build_primitive(Document& doc, const tinygltf::Mesh& mesh, const tinygltf::Primitive& primitive,
                                    std::uint64_t& vertex_budget, std::vector<std::string>& warnings);

// Turns strip/fan/loop index lists into plain triangle/line lists (exposed for tests).
std::vector<std::uint32_t> expand_mode(int mode, std::vector<std::uint32_t> indices);

}  // namespace thumbgen::scene::gltf
