#include "scene/gltf_draco.h"

#include "scene/load_error.h"

#if THUMBGEN_WITH_DRACO
#include <draco/compression/decode.h>
#include <draco/core/decoder_buffer.h>
#endif

namespace thumbgen::scene::gltf {

#if THUMBGEN_WITH_DRACO
namespace {

FloatData read_attribute(const draco::PointCloud& geometry, const draco::PointAttribute& attribute,
                         const tinygltf::Accessor* accessor) {
  const int components = attribute.num_components();
  if (components < 1 || components > 4)
    throw LoadError("Draco attribute has " + std::to_string(components) + " components");
  FloatData out;
  out.count = geometry.num_points();
  out.components = components;
  out.values.resize(out.count * static_cast<std::size_t>(components));
  // Draco normalizes integer data itself only when its attribute says so; the glTF accessor is authoritative.
  const bool normalize_here = accessor && accessor->normalized && !attribute.normalized();
  for (draco::PointIndex i(0); i < geometry.num_points(); ++i) {
    float* dst = &out.values[i.value() * static_cast<std::size_t>(components)];
    if (!attribute.ConvertValue<float>(attribute.mapped_index(i), static_cast<int8_t>(components), dst)) {
      throw LoadError("corrupt Draco attribute");
    }
    if (normalize_here) {
      for (int c = 0; c < components; ++c) dst[c] = normalize_component(dst[c], accessor->componentType);
    }
  }
  return out;
}

}  // namespace

DracoPrimitive decode_draco_primitive(Document& doc, const tinygltf::Primitive& primitive,
                                      const tinygltf::Value& extension, std::uint64_t max_vertices) {
  const int view = static_cast<int>(number_or(find_member(extension, "bufferView"), -1));
  const std::span<const std::uint8_t> bytes = doc.view_bytes(view);
  draco::DecoderBuffer buffer;
  buffer.Init(reinterpret_cast<const char*>(bytes.data()), bytes.size());

  auto type = draco::Decoder::GetEncodedGeometryType(&buffer);
  if (!type.ok()) throw LoadError("corrupt Draco data: " + type.status().error_msg_string());
  draco::Decoder decoder;
  std::unique_ptr<draco::PointCloud> geometry;
  const draco::Mesh* mesh = nullptr;
  if (type.value() == draco::TRIANGULAR_MESH) {
    auto decoded = decoder.DecodeMeshFromBuffer(&buffer);
    if (!decoded.ok()) throw LoadError("corrupt Draco mesh: " + decoded.status().error_msg_string());
    mesh = decoded.value().get();
    geometry = std::move(decoded).value();
  } else {
    auto decoded = decoder.DecodePointCloudFromBuffer(&buffer);
    if (!decoded.ok()) throw LoadError("corrupt Draco point cloud: " + decoded.status().error_msg_string());
    geometry = std::move(decoded).value();
  }
  if (geometry->num_points() > max_vertices) throw LoadError("Draco vertex count exceeds the vertex limit");

  DracoPrimitive out;
  const tinygltf::Value* attributes = find_member(extension, "attributes");
  if (attributes == nullptr || !attributes->IsObject()) throw LoadError("Draco extension without attributes");
  for (const std::string& name : attributes->Keys()) {
    const tinygltf::Value& id = attributes->Get(name);
    if (!id.IsNumber() || id.GetNumberAsDouble() < 0) continue;
    const draco::PointAttribute* attribute =
        geometry->GetAttributeByUniqueId(static_cast<std::uint32_t>(id.GetNumberAsDouble()));
    if (attribute == nullptr) throw LoadError("Draco attribute " + name + " missing from the compressed data");
    const tinygltf::Accessor* accessor = nullptr;
    if (auto it = primitive.attributes.find(name); it != primitive.attributes.end() && it->second >= 0 &&
                                                   static_cast<std::size_t>(it->second) < doc.model.accessors.size()) {
      accessor = &doc.model.accessors[static_cast<std::size_t>(it->second)];
    }
    out.attributes.emplace(name, read_attribute(*geometry, *attribute, accessor));
  }
  if (mesh != nullptr) {
    out.indices.reserve(static_cast<std::size_t>(mesh->num_faces()) * 3);
    for (draco::FaceIndex f(0); f < mesh->num_faces(); ++f) {
      const draco::Mesh::Face& face = mesh->face(f);
      for (int corner = 0; corner < 3; ++corner) out.indices.push_back(face[corner].value());
    }
  }
  doc.used_draco = true;
  return out;
}

#else

DracoPrimitive decode_draco_primitive(Document&, const tinygltf::Primitive&, const tinygltf::Value&, std::uint64_t) {
  throw LoadError("Draco compression is not supported in this build");
}

#endif

}  // namespace thumbgen::scene::gltf
