// Internal to the glTF loader: KHR_draco_mesh_compression primitives decoded with libdraco.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "scene/gltf_accessors.h"
#include "scene/gltf_document.h"

namespace thumbgen::scene::gltf {

struct DracoPrimitive {
  std::map<std::string, FloatData> attributes;  // glTF attribute name → values, one per decoded point
  std::vector<std::uint32_t> indices;           // empty for point clouds
};

// Decodes the primitive's Draco bufferView and maps the extension's attribute ids to glTF attribute names.
// Normalization follows the primitive's accessors. Throws LoadError (also when built without Draco).
DracoPrimitive decode_draco_primitive(Document& doc, const tinygltf::Primitive& primitive,
                                      const tinygltf::Value& extension, std::uint64_t max_vertices);

}  // namespace thumbgen::scene::gltf
