#include "render/gpu_scene.h"

#include <cstring>

#include "render/mipmaps.h"
#include "render/shaders.h"

namespace thumbgen::render {
namespace {

GLenum gl_mode(scene::Primitive primitive) {
  switch (primitive) {
    case scene::Primitive::Lines:
      return GL_LINES;
    case scene::Primitive::Points:
      return GL_POINTS;
    case scene::Primitive::Triangles:
      break;
  }
  return GL_TRIANGLES;
}

template <typename T>
std::size_t byte_size(const std::vector<T>& values) {
  return values.size() * sizeof(T);
}

// Attributes go into one buffer, one block after another; an absent attribute gets a constant value instead.
GpuMesh upload(const scene::Mesh& mesh) {
  GpuMesh gpu;
  gpu.mode = gl_mode(mesh.primitive);
  const std::size_t vertex_count = mesh.positions.size();
  for (const glm::vec3& p : mesh.positions) gpu.local_bounds.add(p);

  glGenVertexArrays(1, &gpu.vertex_array);
  glBindVertexArray(gpu.vertex_array);
  glGenBuffers(1, &gpu.vertex_buffer);
  glBindBuffer(GL_ARRAY_BUFFER, gpu.vertex_buffer);

  auto usable = [&](std::size_t size) { return size == vertex_count && vertex_count > 0; };
  std::size_t total = byte_size(mesh.positions);
  if (usable(mesh.normals.size())) total += byte_size(mesh.normals);
  if (usable(mesh.uv0.size())) total += byte_size(mesh.uv0);
  if (usable(mesh.uv1.size())) total += byte_size(mesh.uv1);
  if (usable(mesh.colors.size())) total += byte_size(mesh.colors);
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(total), nullptr, GL_STATIC_DRAW);

  std::size_t offset = 0;
  auto attribute = [&](GLuint location, const auto& values, GLint components, glm::vec4 fallback) {
    if (!usable(values.size())) {
      glDisableVertexAttribArray(location);
      glVertexAttrib4f(location, fallback.x, fallback.y, fallback.z, fallback.w);
      return false;
    }
    glBufferSubData(GL_ARRAY_BUFFER, static_cast<GLintptr>(offset), static_cast<GLsizeiptr>(byte_size(values)),
                    values.data());
    glEnableVertexAttribArray(location);
    glVertexAttribPointer(location, components, GL_FLOAT, GL_FALSE, 0, reinterpret_cast<const void*>(offset));
    offset += byte_size(values);
    return true;
  };
  attribute(shaders::kPosition, mesh.positions, 3, glm::vec4(0.0f));
  gpu.has_normals = attribute(shaders::kNormal, mesh.normals, 3, glm::vec4(0.0f, 0.0f, 1.0f, 0.0f));
  attribute(shaders::kUv0, mesh.uv0, 2, glm::vec4(0.0f));
  attribute(shaders::kUv1, mesh.uv1, 2, glm::vec4(0.0f));
  attribute(shaders::kColor, mesh.colors, 4, glm::vec4(1.0f));

  if (!mesh.indices.empty()) {
    glGenBuffers(1, &gpu.index_buffer);
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, gpu.index_buffer);
    glBufferData(GL_ELEMENT_ARRAY_BUFFER, static_cast<GLsizeiptr>(byte_size(mesh.indices)), mesh.indices.data(),
                 GL_STATIC_DRAW);
    gpu.indexed = true;
    gpu.count = static_cast<GLsizei>(mesh.indices.size());
  } else {
    gpu.count = static_cast<GLsizei>(vertex_count);
  }
  glBindVertexArray(0);
  return gpu;
}

}  // namespace

GpuScene::GpuScene(const scene::Scene& scene, bool cpu_mipmaps) : scene_(scene), cpu_mipmaps_(cpu_mipmaps) {
  meshes_.reserve(scene.meshes.size());
  for (const scene::Mesh& mesh : scene.meshes) meshes_.push_back(upload(mesh));
}

GpuScene::~GpuScene() {
  for (const GpuMesh& mesh : meshes_) {
    glDeleteVertexArrays(1, &mesh.vertex_array);
    glDeleteBuffers(1, &mesh.vertex_buffer);
    if (mesh.index_buffer) glDeleteBuffers(1, &mesh.index_buffer);
  }
  for (const auto& [key, texture] : textures_) glDeleteTextures(1, &texture);
}

GLuint GpuScene::texture(int image, bool srgb) {
  if (image < 0 || static_cast<std::size_t>(image) >= scene_.images.size()) return 0;
  const scene::Image& source = scene_.images[static_cast<std::size_t>(image)];
  if (source.empty() || source.rgba.size() < static_cast<std::size_t>(source.width) * source.height * 4) return 0;
  auto [it, inserted] = textures_.try_emplace({image, srgb}, 0);
  if (!inserted) return it->second;
  glGenTextures(1, &it->second);
  glBindTexture(GL_TEXTURE_2D, it->second);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  const GLenum format = srgb ? GL_SRGB8_ALPHA8 : GL_RGBA8;
  glTexImage2D(GL_TEXTURE_2D, 0, format, source.width, source.height, 0, GL_RGBA, GL_UNSIGNED_BYTE, source.rgba.data());
  if (!cpu_mipmaps_) {
    glGenerateMipmap(GL_TEXTURE_2D);
    return it->second;
  }
  scene::Image level;
  const scene::Image* previous = &source;
  for (GLint index = 1; previous->width > 1 || previous->height > 1; ++index, previous = &level) {
    level = next_mip_level(*previous, srgb);
    glTexImage2D(GL_TEXTURE_2D, index, format, level.width, level.height, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                 level.rgba.data());
  }
  return it->second;
}

}  // namespace thumbgen::render
