// Writes small glTF 2.0 assets (GLB or .gltf with data: URIs) for tests, golden renders and smoke tests.
//
// Two levels:
//  - SimpleAsset + write_glb()/write_gltf(): meshes (positions, normals, colours, uv, indices), a base colour,
//    an optional embedded PNG/JPEG texture, node transforms and cameras. Enough for most render tests:
//
//      thumbgen::test::SimpleAsset asset;
//      asset.meshes.push_back(thumbgen::test::unit_cube());
//      asset.nodes.push_back({.mesh = 0, .matrix = glm::translate(glm::mat4(1.0f), {0, 1, 0}), .children = {}});
//      std::vector<std::uint8_t> glb = thumbgen::test::write_glb(asset);
//
//  - GltfBuilder: the raw document (nlohmann::json) plus buffer 0, with helpers that append bufferViews and
//    accessors. For fixtures that need exact control (sparse accessors, quantization, compression, bad input).
#pragma once

#include <cstdint>
#include <glm/glm.hpp>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace thumbgen::test {

// glTF constants, so fixtures read like the spec.
enum GltfComponent : int {
  kByte = 5120,
  kUnsignedByte = 5121,
  kShort = 5122,
  kUnsignedShort = 5123,
  kUnsignedInt = 5125,
  kFloat = 5126,
};
enum GltfMode : int {
  kPoints = 0,
  kLines = 1,
  kLineLoop = 2,
  kLineStrip = 3,
  kTriangles = 4,
  kTriangleStrip = 5,
  kTriangleFan = 6
};

class GltfBuilder {
 public:
  GltfBuilder();

  nlohmann::json json;            // the document; add or edit anything
  std::vector<std::uint8_t> bin;  // buffer 0 (GLB BIN chunk or data: URI)

  // Appends bytes (4-byte aligned) and a bufferView over them; returns the bufferView index.
  int add_view(std::span<const std::uint8_t> bytes, int byte_stride = 0);
  // Adds an accessor; returns its index. `type` is "SCALAR", "VEC2", "VEC3", "VEC4".
  int add_accessor(int view, int component_type, std::size_t count, const std::string& type, bool normalized = false,
                   std::size_t byte_offset = 0);
  // Convenience: tightly packed data in a new bufferView plus its accessor (POSITION gets min/max).
  int add_floats(std::span<const float> values, const std::string& type, bool with_min_max = false);
  int add_indices(std::span<const std::uint32_t> indices);  // as UNSIGNED_INT
  // Appends an element to a top-level array ("meshes", "nodes", ...) and returns its index.
  int append(const std::string& array, nlohmann::json element);

  // Buffer 0 is `bin`; any further buffers written into json["buffers"][1..] are kept as they are.
  std::vector<std::uint8_t> glb() const;  // buffer 0 in the BIN chunk
  std::string gltf() const;               // buffer 0 as a base64 data: URI
};

struct SimpleMesh {
  std::vector<glm::vec3> positions;
  std::vector<glm::vec3> normals;      // optional
  std::vector<glm::vec4> colors;       // optional, linear RGBA (written as float VEC4 COLOR_0)
  std::vector<glm::vec2> uv0;          // optional
  std::vector<std::uint32_t> indices;  // optional
  int mode = kTriangles;
  glm::vec4 base_color{1.0f};
  std::vector<std::uint8_t> texture;       // optional encoded image used as baseColorTexture
  std::string texture_mime = "image/png";  // or "image/jpeg"
  bool double_sided = false;
  bool unlit = false;  // KHR_materials_unlit
};

struct SimpleCamera {
  bool perspective = true;
  float yfov = 0.7f, znear = 0.1f, zfar = 100.0f;  // perspective; zfar 0 = omitted (infinite)
  float xmag = 1.0f, ymag = 1.0f;                  // orthographic
};

struct SimpleNode {
  int mesh = -1;
  int camera = -1;
  glm::mat4 matrix{1.0f};  // written as "matrix" unless identity
  std::vector<int> children;
};

struct SimpleAsset {
  std::vector<SimpleMesh> meshes;
  std::vector<SimpleCamera> cameras;
  std::vector<SimpleNode> nodes;  // empty: one node per mesh, identity transform
  std::vector<int> scene_roots;   // empty: every node that is nobody's child
};

GltfBuilder build(const SimpleAsset& asset);
std::vector<std::uint8_t> write_glb(const SimpleAsset& asset);
std::string write_gltf(const SimpleAsset& asset);  // .gltf JSON with data: URIs

// A 2×2×2 cube centred on the origin: 24 vertices with normals and uv, 36 indices.
SimpleMesh unit_cube();

}  // namespace thumbgen::test
