// One asset's meshes and textures on the GPU. Everything is released by the destructor, so memory never grows
// from one asset to the next.
#pragma once

#include <GLES3/gl3.h>

#include <map>
#include <utility>
#include <vector>

#include "scene/scene.h"

namespace thumbgen::render {

struct GpuMesh {
  GLuint vertex_array = 0;
  GLuint vertex_buffer = 0;
  GLuint index_buffer = 0;
  GLenum mode = GL_TRIANGLES;
  GLsizei count = 0;
  bool indexed = false;
  bool has_normals = false;
  scene::Bounds local_bounds;
};

class GpuScene {
 public:
  // `cpu_mipmaps`: build mipmap levels on the CPU (software GL, see mipmaps.h) instead of glGenerateMipmap.
  GpuScene(const scene::Scene& scene, bool cpu_mipmaps);
  ~GpuScene();
  GpuScene(const GpuScene&) = delete;
  GpuScene& operator=(const GpuScene&) = delete;

  const GpuMesh& mesh(std::size_t index) const { return meshes_[index]; }
  // The texture for an image, uploaded on first use as sRGB (colour) or linear (data) RGBA8.
  GLuint texture(int image, bool srgb);

 private:
  const scene::Scene& scene_;
  bool cpu_mipmaps_;
  std::vector<GpuMesh> meshes_;
  std::map<std::pair<int, bool>, GLuint> textures_;
};

}  // namespace thumbgen::render
