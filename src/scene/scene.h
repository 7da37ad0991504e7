// The one Scene representation every loader produces and the renderer draws.
// Knows nothing of GL, files or threads, so it compiles for WebAssembly too.
#pragma once

#include <cstdint>
#include <glm/glm.hpp>
#include <glm/gtc/quaternion.hpp>
#include <optional>
#include <string>
#include <vector>

namespace thumbgen::scene {

// 8-bit RGBA pixels, row 0 at the top, straight (not premultiplied) alpha.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgba;
  bool empty() const { return width <= 0 || height <= 0; }
};

enum class Wrap : std::uint8_t { Repeat, ClampToEdge, MirroredRepeat };

struct TextureRef {
  int image = -1;    // index into Scene::images, -1 = none
  int texcoord = 0;  // 0 = uv0, 1 = uv1
  Wrap wrap_s = Wrap::Repeat;
  Wrap wrap_t = Wrap::Repeat;
  bool nearest = false;
  // KHR_texture_transform as a 3x3 UV matrix (identity when absent).
  glm::mat3 transform{1.0f};
  bool valid() const { return image >= 0; }
};

// Blend = straight alpha blending; Additive = glow brushes (Tilt Brush), drawn after everything, no depth write.
enum class AlphaMode : std::uint8_t { Opaque, Mask, Blend, Additive };

// PBR metallic-roughness; colours are linear.
struct Material {
  std::string name;
  glm::vec4 base_color{1.0f};
  TextureRef base_color_texture;  // sRGB-encoded image
  float metallic = 1.0f;
  float roughness = 1.0f;
  TextureRef metallic_roughness_texture;  // linear: G = roughness, B = metallic
  TextureRef normal_texture;
  float normal_scale = 1.0f;
  TextureRef occlusion_texture;  // linear: R
  float occlusion_strength = 1.0f;
  glm::vec3 emissive{0.0f};     // linear, emissive_strength already folded in
  TextureRef emissive_texture;  // sRGB-encoded image
  AlphaMode alpha_mode = AlphaMode::Opaque;
  float alpha_cutoff = 0.5f;
  bool double_sided = false;
  bool unlit = false;
};

enum class Primitive : std::uint8_t { Triangles, Lines, Points };

// One drawable geometry in its local space. Attributes are either empty or have positions.size() entries.
struct Mesh {
  Primitive primitive = Primitive::Triangles;
  std::vector<glm::vec3> positions;
  std::vector<glm::vec3> normals;  // empty: the renderer uses flat shading from derivatives
  std::vector<glm::vec2> uv0;
  std::vector<glm::vec2> uv1;
  std::vector<glm::vec4> colors;       // linear RGBA vertex colours
  std::vector<std::uint32_t> indices;  // empty: non-indexed (triangle list / line list / points)
  int material = -1;                   // index into Scene::materials, -1 = default material
};

// A mesh placed in the world (glTF node instancing, assimp node tree).
struct Draw {
  int mesh = 0;
  glm::mat4 transform{1.0f};  // local → world; a negative determinant flips the winding
};

// 3D Gaussian splats, degree-0 colour only (what a thumbnail needs), already in world space.
struct SplatCloud {
  std::vector<glm::vec3> positions;
  std::vector<glm::vec3> scales;     // linear standard deviations along the local axes
  std::vector<glm::quat> rotations;  // normalised
  // Display RGB as the splat formats define it (sRGB-encoded, the space 3DGS scenes are trained and
  // composited in) + opacity, all in [0,1].
  std::vector<glm::vec4> colors;
  std::size_t size() const { return positions.size(); }
};

// An authored camera: camera-to-world transform, looking down its local −Z, +Y up.
struct Camera {
  glm::mat4 world{1.0f};
  bool perspective = true;
  float yfov = 0.7853982f;         // radians
  float xmag = 1.0f, ymag = 1.0f;  // orthographic half extents
  float znear = 0.01f;
  float zfar = 0.0f;  // 0 = infinite / choose from bounds
};

struct Bounds {
  glm::vec3 min{1e30f};
  glm::vec3 max{-1e30f};
  bool valid() const { return min.x <= max.x && min.y <= max.y && min.z <= max.z; }
  void add(const glm::vec3& p) {
    min = glm::min(min, p);
    max = glm::max(max, p);
  }
  glm::vec3 center() const { return (min + max) * 0.5f; }
  glm::vec3 size() const { return max - min; }
};

struct Scene {
  std::vector<Image> images;
  std::vector<Material> materials;
  std::vector<Mesh> meshes;
  std::vector<Draw> draws;
  std::vector<SplatCloud> splats;
  std::vector<Camera> cameras;        // the first one is the asset's own view
  std::vector<std::string> warnings;  // non-fatal problems (missing texture, unsupported extension)
  std::string format;                 // what the loader recognised, e.g. "glTF 2.0 (GLB)", "OBJ", "3DGS PLY"
  // The backdrop the file itself asks for (a Tilt Brush sketch's environment), sRGB; the caller's choice wins.
  std::optional<glm::vec4> background;
  // Everything above stays in the file's own axes ("the model's space as loaded", where cameras are given). This
  // turn stands the model upright (+Y up) for framing: the file's declared axes (FBX) or its format's convention
  // (STL, 3MF, AMF: +Z up; see model_formats); nullopt when the file is +Y up already.
  std::optional<glm::quat> upright;

  bool has_geometry() const;
  std::size_t triangle_count() const;
};

}  // namespace thumbgen::scene
