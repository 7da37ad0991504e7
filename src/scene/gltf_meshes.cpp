#include "scene/gltf_meshes.h"

#include <numeric>

#include "scene/gltf_accessors.h"
#include "scene/gltf_draco.h"
#include "scene/load_error.h"

namespace thumbgen::scene::gltf {
namespace {

// The attributes a primitive carries, whether read from accessors or decoded from Draco.
using AttributeMap = std::map<std::string, FloatData>;

AttributeMap read_attributes(Document& doc, const tinygltf::Primitive& primitive, std::uint64_t max_vertices) {
  AttributeMap out;
  for (const char* name : {"POSITION", "NORMAL", "TEXCOORD_0", "TEXCOORD_1", "COLOR_0"}) {
    if (auto it = primitive.attributes.find(name); it != primitive.attributes.end()) {
      out.emplace(name, read_floats(doc, it->second, max_vertices));
    }
  }
  return out;
}

// Adds weight * target to `values` (same count and component layout, else the target is skipped).
bool add_target(FloatData& values, const FloatData& target, float weight) {
  if (target.count != values.count || target.components < 3 || values.components < 3) return false;
  for (std::size_t i = 0; i < values.count; ++i) {
    for (int c = 0; c < 3; ++c) {
      values.values[i * static_cast<std::size_t>(values.components) + c] +=
          weight * target.values[i * static_cast<std::size_t>(target.components) + c];
    }
  }
  return true;
}

void apply_morph_targets(Document& doc, const tinygltf::Mesh& mesh, const tinygltf::Primitive& primitive,
                         AttributeMap& attributes, std::vector<std::string>& warnings) {
  const std::size_t count = std::min(mesh.weights.size(), primitive.targets.size());
  for (std::size_t t = 0; t < count; ++t) {
    const auto weight = static_cast<float>(mesh.weights[t]);
    if (weight == 0.0f) continue;
    for (const char* name : {"POSITION", "NORMAL"}) {
      auto base = attributes.find(name);
      auto target = primitive.targets[t].find(name);
      if (base == attributes.end() || target == primitive.targets[t].end()) continue;
      if (!add_target(base->second, read_floats(doc, target->second, base->second.count), weight)) {
        warnings.push_back("mesh '" + mesh.name + "': morph target " + std::to_string(t) + " does not match");
      }
    }
  }
}

}  // namespace

std::vector<std::uint32_t> expand_mode(int mode, std::vector<std::uint32_t> indices) {
  std::vector<std::uint32_t> out;
  const std::size_t n = indices.size();
  switch (mode) {
    case TINYGLTF_MODE_TRIANGLE_STRIP:
      if (n < 3) return {};
      out.reserve((n - 2) * 3);
      for (std::size_t i = 0; i + 2 < n; ++i) {
        // Every other triangle swaps its last two vertices to keep a consistent winding (glTF spec 3.7.2.1).
        const bool odd = i % 2 == 1;
        out.insert(out.end(), {indices[i], indices[odd ? i + 2 : i + 1], indices[odd ? i + 1 : i + 2]});
      }
      return out;
    case TINYGLTF_MODE_TRIANGLE_FAN:
      if (n < 3) return {};
      out.reserve((n - 2) * 3);
      for (std::size_t i = 1; i + 1 < n; ++i) out.insert(out.end(), {indices[i], indices[i + 1], indices[0]});
      return out;
    case TINYGLTF_MODE_LINE_STRIP:
    case TINYGLTF_MODE_LINE_LOOP:
      if (n < 2) return {};
      out.reserve(n * 2);
      for (std::size_t i = 0; i + 1 < n; ++i) out.insert(out.end(), {indices[i], indices[i + 1]});
      if (mode == TINYGLTF_MODE_LINE_LOOP && n > 2) out.insert(out.end(), {indices[n - 1], indices[0]});
      return out;
    case TINYGLTF_MODE_LINE:
      indices.resize(n - n % 2);
      return indices;
    case TINYGLTF_MODE_POINTS:
      return indices;
    default:  // triangles
      indices.resize(n - n % 3);
      return indices;
  }
}

std::optional<Mesh> build_primitive(Document& doc, const tinygltf::Mesh& mesh, const tinygltf::Primitive& primitive,
                                    std::uint64_t& vertex_budget, std::vector<std::string>& warnings) {
  const std::string label = "mesh '" + mesh.name + "'";
  AttributeMap attributes;
  std::vector<std::uint32_t> indices;
  bool indexed = false;
  if (const tinygltf::Value* draco = find_extension(primitive.extensions, "KHR_draco_mesh_compression")) {
    DracoPrimitive decoded = decode_draco_primitive(doc, primitive, *draco, vertex_budget);
    attributes = std::move(decoded.attributes);
    indices = std::move(decoded.indices);
    indexed = !indices.empty();
  } else {
    attributes = read_attributes(doc, primitive, vertex_budget);
    if (primitive.indices >= 0) {
      // Strips and fans expand 3x: allow that many indices per vertex allowed, no more.
      indices = read_indices(doc, primitive.indices, vertex_budget * 6);
      indexed = true;
    }
  }

  const auto position = attributes.find("POSITION");
  if (position == attributes.end() || position->second.count == 0) {
    warnings.push_back(label + ": primitive without positions skipped");
    return std::nullopt;
  }
  const std::size_t vertex_count = position->second.count;
  if (vertex_count > vertex_budget) throw LoadError("vertex count exceeds the vertex limit");
  vertex_budget -= vertex_count;
  apply_morph_targets(doc, mesh, primitive, attributes, warnings);

  Mesh out;
  out.material = primitive.material;
  out.positions = to_vectors<3>(position->second);
  auto take = [&](const char* name, auto& destination, auto converter) {
    auto it = attributes.find(name);
    if (it == attributes.end()) return;
    if (it->second.count != vertex_count) {
      warnings.push_back(label + ": " + name + " count differs from POSITION, ignored");
      return;
    }
    destination = converter(it->second);
  };
  take("NORMAL", out.normals, [](const FloatData& d) { return to_vectors<3>(d); });
  take("TEXCOORD_0", out.uv0, [](const FloatData& d) { return to_vectors<2>(d); });
  take("TEXCOORD_1", out.uv1, [](const FloatData& d) { return to_vectors<2>(d); });
  take("COLOR_0", out.colors, [](const FloatData& d) { return to_vectors<4>(d); });
  for (glm::vec3& n : out.normals) {
    const float length = glm::length(n);
    if (length > 0.0f) n /= length;  // morphing and quantization leave normals unnormalized
  }

  for (std::uint32_t index : indices) {
    if (index >= vertex_count) throw LoadError(label + ": vertex index out of range");
  }
  const int mode = primitive.mode < 0 ? TINYGLTF_MODE_TRIANGLES : primitive.mode;
  const bool plain_list = mode == TINYGLTF_MODE_TRIANGLES || mode == TINYGLTF_MODE_LINE || mode == TINYGLTF_MODE_POINTS;
  if (!indexed && !plain_list) {
    indices.resize(vertex_count);
    std::iota(indices.begin(), indices.end(), 0u);
    indexed = true;
  }
  if (indexed) {
    out.indices = expand_mode(mode, std::move(indices));
  } else if (mode == TINYGLTF_MODE_TRIANGLES && vertex_count % 3 != 0) {
    out.indices.resize(vertex_count - vertex_count % 3);  // drop the incomplete last triangle
    std::iota(out.indices.begin(), out.indices.end(), 0u);
  }
  if (mode == TINYGLTF_MODE_POINTS) {
    out.primitive = Primitive::Points;
  } else if (mode == TINYGLTF_MODE_LINE || mode == TINYGLTF_MODE_LINE_LOOP || mode == TINYGLTF_MODE_LINE_STRIP) {
    out.primitive = Primitive::Lines;
  } else if (mode > TINYGLTF_MODE_TRIANGLE_FAN) {
    throw LoadError(label + ": unknown primitive mode " + std::to_string(mode));
  }
  return out;
}

}  // namespace thumbgen::scene::gltf
