#include "support/gltf_writer.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "support/bytes.h"

namespace thumbgen::test {
namespace {

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

template <typename T>
std::span<const std::uint8_t> as_bytes(std::span<const T> values) {
  return {reinterpret_cast<const std::uint8_t*>(values.data()), values.size_bytes()};
}

std::vector<float> flatten(std::span<const glm::vec2> v) {
  std::vector<float> out;
  for (const auto& e : v) out.insert(out.end(), {e.x, e.y});
  return out;
}
std::vector<float> flatten(std::span<const glm::vec3> v) {
  std::vector<float> out;
  for (const auto& e : v) out.insert(out.end(), {e.x, e.y, e.z});
  return out;
}
std::vector<float> flatten(std::span<const glm::vec4> v) {
  std::vector<float> out;
  for (const auto& e : v) out.insert(out.end(), {e.x, e.y, e.z, e.w});
  return out;
}

int components(const std::string& type) {
  if (type == "VEC2") return 2;
  if (type == "VEC3") return 3;
  if (type == "VEC4") return 4;
  return 1;
}

// Buffer 0 is the builder's `bin`; buffers 1.. that a test added to the JSON are kept.
void set_buffer0(nlohmann::json& doc, nlohmann::json buffer) {
  nlohmann::json& buffers = doc["buffers"];
  if (!buffers.is_array() || buffers.empty()) buffers = nlohmann::json::array({nullptr});
  buffers[0] = std::move(buffer);
}

}  // namespace

GltfBuilder::GltfBuilder() { json = {{"asset", {{"version", "2.0"}, {"generator", "thumbgen test gltf_writer"}}}}; }

int GltfBuilder::add_view(std::span<const std::uint8_t> bytes, int byte_stride) {
  while (bin.size() % 4 != 0) bin.push_back(0);
  nlohmann::json view = {{"buffer", 0}, {"byteOffset", bin.size()}, {"byteLength", bytes.size()}};
  if (byte_stride > 0) view["byteStride"] = byte_stride;
  bin.insert(bin.end(), bytes.begin(), bytes.end());
  return append("bufferViews", std::move(view));
}

int GltfBuilder::add_accessor(int view, int component_type, std::size_t count, const std::string& type, bool normalized,
                              std::size_t byte_offset) {
  nlohmann::json accessor = {{"componentType", component_type}, {"count", count}, {"type", type}};
  if (view >= 0) accessor["bufferView"] = view;
  if (byte_offset != 0) accessor["byteOffset"] = byte_offset;
  if (normalized) accessor["normalized"] = true;
  return append("accessors", std::move(accessor));
}

int GltfBuilder::add_floats(std::span<const float> values, const std::string& type, bool with_min_max) {
  const int n = components(type);
  const std::size_t count = values.size() / static_cast<std::size_t>(n);
  const int accessor = add_accessor(add_view(as_bytes(values)), kFloat, count, type);
  if (with_min_max && count > 0) {
    std::vector<float> lo(values.begin(), values.begin() + n), hi = lo;
    for (std::size_t i = 0; i < count; ++i) {
      for (int c = 0; c < n; ++c) {
        lo[c] = std::min(lo[c], values[i * n + c]);
        hi[c] = std::max(hi[c], values[i * n + c]);
      }
    }
    json["accessors"][accessor]["min"] = lo;
    json["accessors"][accessor]["max"] = hi;
  }
  return accessor;
}

int GltfBuilder::add_indices(std::span<const std::uint32_t> indices) {
  return add_accessor(add_view(as_bytes(indices)), kUnsignedInt, indices.size(), "SCALAR");
}

int GltfBuilder::append(const std::string& array, nlohmann::json element) {
  nlohmann::json& list = json[array];
  if (!list.is_array()) list = nlohmann::json::array();
  list.push_back(std::move(element));
  return static_cast<int>(list.size()) - 1;
}

std::vector<std::uint8_t> GltfBuilder::glb() const {
  nlohmann::json doc = json;
  std::vector<std::uint8_t> bin_chunk = bin;
  while (bin_chunk.size() % 4 != 0) bin_chunk.push_back(0);
  if (!bin.empty()) set_buffer0(doc, {{"byteLength", bin.size()}});
  std::string text = doc.dump();
  while (text.size() % 4 != 0) text.push_back(' ');

  std::vector<std::uint8_t> out;
  const std::size_t total = 12 + 8 + text.size() + (bin.empty() ? 0 : 8 + bin_chunk.size());
  put_u32(out, 0x46546C67);
  put_u32(out, 2);
  put_u32(out, static_cast<std::uint32_t>(total));
  put_u32(out, static_cast<std::uint32_t>(text.size()));
  put_u32(out, 0x4E4F534A);
  out.insert(out.end(), text.begin(), text.end());
  if (!bin.empty()) {
    put_u32(out, static_cast<std::uint32_t>(bin_chunk.size()));
    put_u32(out, 0x004E4942);
    out.insert(out.end(), bin_chunk.begin(), bin_chunk.end());
  }
  return out;
}

std::string GltfBuilder::gltf() const {
  nlohmann::json doc = json;
  if (!bin.empty()) {
    set_buffer0(doc, {{"byteLength", bin.size()}, {"uri", "data:application/octet-stream;base64," + base64(bin)}});
  }
  return doc.dump();
}

GltfBuilder build(const SimpleAsset& asset) {
  GltfBuilder b;
  for (const SimpleMesh& mesh : asset.meshes) {
    nlohmann::json material = {
        {"pbrMetallicRoughness",
         {{"baseColorFactor", {mesh.base_color.r, mesh.base_color.g, mesh.base_color.b, mesh.base_color.a}},
          {"metallicFactor", 0.0},
          {"roughnessFactor", 1.0}}}};
    if (mesh.double_sided) material["doubleSided"] = true;
    if (mesh.unlit) material["extensions"]["KHR_materials_unlit"] = nlohmann::json::object();
    if (!mesh.texture.empty()) {
      const int image = b.append("images", {{"bufferView", b.add_view(mesh.texture)}, {"mimeType", mesh.texture_mime}});
      const int texture = b.append("textures", {{"source", image}});
      material["pbrMetallicRoughness"]["baseColorTexture"] = {{"index", texture}};
    }
    const int material_index = b.append("materials", std::move(material));

    nlohmann::json attributes;
    attributes["POSITION"] = b.add_floats(flatten(mesh.positions), "VEC3", true);
    if (!mesh.normals.empty()) attributes["NORMAL"] = b.add_floats(flatten(mesh.normals), "VEC3");
    if (!mesh.colors.empty()) attributes["COLOR_0"] = b.add_floats(flatten(mesh.colors), "VEC4");
    if (!mesh.uv0.empty()) attributes["TEXCOORD_0"] = b.add_floats(flatten(mesh.uv0), "VEC2");
    nlohmann::json primitive = {{"attributes", attributes}, {"mode", mesh.mode}, {"material", material_index}};
    if (!mesh.indices.empty()) primitive["indices"] = b.add_indices(mesh.indices);
    b.append("meshes", {{"primitives", nlohmann::json::array({primitive})}});
  }
  for (const SimpleCamera& camera : asset.cameras) {
    nlohmann::json c;
    if (camera.perspective) {
      c = {{"type", "perspective"}, {"perspective", {{"yfov", camera.yfov}, {"znear", camera.znear}}}};
      if (camera.zfar > 0) c["perspective"]["zfar"] = camera.zfar;
    } else {
      c = {{"type", "orthographic"},
           {"orthographic",
            {{"xmag", camera.xmag}, {"ymag", camera.ymag}, {"znear", camera.znear}, {"zfar", camera.zfar}}}};
    }
    b.append("cameras", std::move(c));
  }

  std::vector<SimpleNode> nodes = asset.nodes;
  if (nodes.empty()) {
    for (std::size_t i = 0; i < asset.meshes.size(); ++i) {
      SimpleNode node;
      node.mesh = static_cast<int>(i);
      nodes.push_back(node);
    }
  }
  std::set<int> children;
  for (const SimpleNode& node : nodes) {
    nlohmann::json n = nlohmann::json::object();
    if (node.mesh >= 0) n["mesh"] = node.mesh;
    if (node.camera >= 0) n["camera"] = node.camera;
    if (!node.children.empty()) n["children"] = node.children;
    if (node.matrix != glm::mat4(1.0f)) {
      std::vector<float> m(16);
      std::memcpy(m.data(), &node.matrix[0][0], sizeof(float) * 16);  // column-major, as glTF
      n["matrix"] = m;
    }
    children.insert(node.children.begin(), node.children.end());
    b.append("nodes", std::move(n));
  }
  std::vector<int> roots = asset.scene_roots;
  if (roots.empty()) {
    for (int i = 0; i < static_cast<int>(nodes.size()); ++i) {
      if (!children.contains(i)) roots.push_back(i);
    }
  }
  if (!nodes.empty()) {
    b.append("scenes", {{"nodes", roots}});
    b.json["scene"] = 0;
  }
  return b;
}

std::vector<std::uint8_t> write_glb(const SimpleAsset& asset) { return build(asset).glb(); }
std::string write_gltf(const SimpleAsset& asset) { return build(asset).gltf(); }

SimpleMesh unit_cube() {
  SimpleMesh mesh;
  // Each face: normal n, and two axes u, v spanning it.
  const glm::vec3 normals[6] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
  for (const glm::vec3& n : normals) {
    const glm::vec3 u = std::abs(n.y) > 0.5f ? glm::vec3(1, 0, 0) : glm::vec3(0, 1, 0);
    const glm::vec3 v = glm::cross(n, u);
    const auto base = static_cast<std::uint32_t>(mesh.positions.size());
    const glm::vec2 corners[4] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
    for (const glm::vec2& c : corners) {
      mesh.positions.push_back(n + c.x * u + c.y * v);
      mesh.normals.push_back(n);
      mesh.uv0.push_back((c + 1.0f) * 0.5f);
    }
    // v = n × u, so u × v = n: the corners run counter-clockwise seen from outside.
    mesh.indices.insert(mesh.indices.end(), {base, base + 1, base + 2, base, base + 2, base + 3});
  }
  return mesh;
}

}  // namespace thumbgen::test
