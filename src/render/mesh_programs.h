// The mesh program compiled once per combination of material features, on first use.
#pragma once

#include <GLES3/gl3.h>

#include <memory>
#include <unordered_map>

#include "render/gl_program.h"

namespace thumbgen::render {

// What a draw needs from the fragment shader. Each is a compile-time constant of its program: on software GL a
// branch on a uniform runs both sides for every pixel (all five texture fetches, the whole PBR path for unlit
// strokes), a branch on a constant is removed by the compiler.
struct MeshFeatures {
  int texture_mask = 0;  // bit per shaders::TextureSlot with a bound texture
  bool shaded = true;    // lit triangles; false for unlit materials, points and lines
  bool has_normals = true;
  int alpha_mode = 0;          // scene::AlphaMode: 0 opaque, 1 mask, 2 blend, 3 additive
  bool uv1 = false;            // a bound texture reads the second UV set
  bool uv_transforms = false;  // a bound texture has a KHR_texture_transform
  bool round_points = false;   // points big enough to show their square corners are drawn as discs

  // Drops what cannot change the result, so equivalent draws share one program.
  MeshFeatures normalized() const;
  int key() const;
};

struct MeshUniforms {
  GLint model, normal_matrix, view, projection, point_size;
  GLint uv_set, uv_transform, textures;

  explicit MeshUniforms(const Program& program);
};

struct MeshProgram {
  Program program;
  MeshUniforms uniforms;
  unsigned frame = 0;  // the last frame whose per-frame uniforms this program holds
};

class MeshPrograms {
 public:
  MeshProgram& get(const MeshFeatures& features);
  std::size_t size() const { return programs_.size(); }

 private:
  std::unordered_map<int, std::unique_ptr<MeshProgram>> programs_;
};

}  // namespace thumbgen::render
