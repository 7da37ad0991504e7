#include "render/splat_renderer.h"

#include <GLES3/gl3.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "render/gl_program.h"
#include "render/shaders.h"
#include "render/splat_projection.h"

namespace thumbgen::render {
namespace {

constexpr const char* kVertexShader = R"(#version 300 es
precision highp float;
layout(location = 0) in vec3 a_position;  // NDC, corner already placed on the CPU
layout(location = 1) in vec2 a_offset;    // normalised; × 2 = position in units of the ellipse axes
layout(location = 2) in vec4 a_color;     // linear RGB, opacity
out vec2 v_offset;
out vec4 v_color;
void main() {
  v_offset = a_offset * 2.0;
  v_color = a_color;
  gl_Position = vec4(a_position, 1.0);
}
)";

// exp(−|offset|²) is the Gaussian exp(−d²/2σ²) because the axes are √2·σ long.
constexpr const char* kFragmentShaderBody = R"(
in vec2 v_offset;
in vec4 v_color;
out vec4 frag_color;
void main() {
  float alpha = v_color.a * fast_exp2(-1.442695 * dot(v_offset, v_offset));
  if (alpha < 1.0 / 255.0) discard;
  frag_color = vec4(v_color.rgb * alpha, alpha);  // premultiplied
}
)";

// Quads are drawn in batches small enough for 16-bit indices; the index pattern is the same for every batch.
constexpr std::size_t kQuadsPerBatch = 16384;

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Restores the GL state draw() changes, whatever path it leaves by.
class SavedState {
 public:
  SavedState() {
    blend_ = glIsEnabled(GL_BLEND);
    depth_test_ = glIsEnabled(GL_DEPTH_TEST);
    cull_ = glIsEnabled(GL_CULL_FACE);
    glGetBooleanv(GL_DEPTH_WRITEMASK, &depth_mask_);
    glGetIntegerv(GL_BLEND_SRC_RGB, &src_rgb_);
    glGetIntegerv(GL_BLEND_DST_RGB, &dst_rgb_);
    glGetIntegerv(GL_BLEND_SRC_ALPHA, &src_alpha_);
    glGetIntegerv(GL_BLEND_DST_ALPHA, &dst_alpha_);
    glGetIntegerv(GL_BLEND_EQUATION_RGB, &equation_rgb_);
    glGetIntegerv(GL_BLEND_EQUATION_ALPHA, &equation_alpha_);
    glGetIntegerv(GL_CURRENT_PROGRAM, &program_);
    glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &vertex_array_);
    glGetIntegerv(GL_ARRAY_BUFFER_BINDING, &array_buffer_);
  }
  ~SavedState() {
    set(GL_BLEND, blend_);
    set(GL_DEPTH_TEST, depth_test_);
    set(GL_CULL_FACE, cull_);
    glDepthMask(depth_mask_);
    glBlendFuncSeparate(src_rgb_, dst_rgb_, src_alpha_, dst_alpha_);
    glBlendEquationSeparate(equation_rgb_, equation_alpha_);
    glUseProgram(static_cast<GLuint>(program_));
    glBindVertexArray(static_cast<GLuint>(vertex_array_));
    glBindBuffer(GL_ARRAY_BUFFER, static_cast<GLuint>(array_buffer_));
  }
  SavedState(const SavedState&) = delete;
  SavedState& operator=(const SavedState&) = delete;

 private:
  static void set(GLenum capability, GLboolean on) { on ? glEnable(capability) : glDisable(capability); }
  GLboolean blend_, depth_test_, cull_, depth_mask_ = GL_TRUE;
  GLint src_rgb_ = GL_ONE, dst_rgb_ = GL_ZERO, src_alpha_ = GL_ONE, dst_alpha_ = GL_ZERO;
  GLint equation_rgb_ = GL_FUNC_ADD, equation_alpha_ = GL_FUNC_ADD;
  GLint program_ = 0, vertex_array_ = 0, array_buffer_ = 0;
};

// The per-draw vertex buffer and its vertex array, deleted when the draw is done.
class VertexBuffer {
 public:
  VertexBuffer(const std::vector<SplatVertex>& vertices, GLuint index_buffer) {
    glGenVertexArrays(1, &vertex_array_);
    glGenBuffers(1, &buffer_);
    glBindVertexArray(vertex_array_);
    glBindBuffer(GL_ARRAY_BUFFER, buffer_);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(vertices.size() * sizeof(SplatVertex)), vertices.data(),
                 GL_STREAM_DRAW);
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, index_buffer);
    for (GLuint index = 0; index < 3; ++index) glEnableVertexAttribArray(index);
  }
  ~VertexBuffer() {
    glBindVertexArray(0);
    glDeleteVertexArrays(1, &vertex_array_);
    glDeleteBuffers(1, &buffer_);
  }
  VertexBuffer(const VertexBuffer&) = delete;
  VertexBuffer& operator=(const VertexBuffer&) = delete;

  // Points the attributes at the batch starting with quad `first_quad` (ES 3.0 has no base-vertex draws).
  void select_batch(std::size_t first_quad) const {
    const std::size_t base = first_quad * 4 * sizeof(SplatVertex);
    constexpr GLsizei stride = sizeof(SplatVertex);
    pointer(0, 3, GL_FLOAT, GL_FALSE, stride, base + offsetof(SplatVertex, position));
    pointer(1, 2, GL_SHORT, GL_TRUE, stride, base + offsetof(SplatVertex, offset));
    pointer(2, 4, GL_UNSIGNED_SHORT, GL_TRUE, stride, base + offsetof(SplatVertex, color));
  }

 private:
  static void pointer(GLuint index, GLint size, GLenum type, GLboolean normalized, GLsizei stride, std::size_t offset) {
    glVertexAttribPointer(index, size, type, normalized, stride, reinterpret_cast<const void*>(offset));
  }
  GLuint vertex_array_ = 0;
  GLuint buffer_ = 0;
};

GLuint make_quad_index_buffer() {
  std::vector<std::uint16_t> indices;
  indices.reserve(kQuadsPerBatch * 6);
  for (std::size_t quad = 0; quad < kQuadsPerBatch; ++quad) {
    const auto v = static_cast<std::uint16_t>(quad * 4);
    for (const int corner : {0, 1, 2, 2, 1, 3}) indices.push_back(static_cast<std::uint16_t>(v + corner));
  }
  GLuint buffer = 0;
  glGenBuffers(1, &buffer);
  GLint previous = 0;
  glGetIntegerv(GL_ELEMENT_ARRAY_BUFFER_BINDING, &previous);
  glBindVertexArray(0);
  glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, buffer);
  glBufferData(GL_ELEMENT_ARRAY_BUFFER, static_cast<GLsizeiptr>(indices.size() * sizeof(std::uint16_t)), indices.data(),
               GL_STATIC_DRAW);
  glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, static_cast<GLuint>(previous));
  return buffer;
}

}  // namespace

struct SplatRenderer::Impl {
  Program program{
      kVertexShader,
      (std::string("#version 300 es\nprecision mediump float;\n") + shaders::kFastExp2 + kFragmentShaderBody).c_str(),
      "splat"};
  GLuint quad_indices = make_quad_index_buffer();  // fixed size, lives as long as the renderer
  SplatDrawStats stats;
  ~Impl() { glDeleteBuffers(1, &quad_indices); }
};

SplatRenderer::SplatRenderer() : impl_(std::make_unique<Impl>()) {}
SplatRenderer::~SplatRenderer() = default;

const SplatDrawStats& SplatRenderer::last_stats() const { return impl_->stats; }

void SplatRenderer::draw(const scene::SplatCloud& cloud, const glm::mat4& view, const glm::mat4& projection,
                         int viewport_width, int viewport_height, SplatCompositing compositing) {
  SplatDrawStats& stats = impl_->stats;
  const std::vector<SplatVertex> vertices = project_splats(cloud, view, projection, viewport_width, viewport_height,
                                                           compositing == SplatCompositing::AmongMeshes, stats);
  if (vertices.empty()) return;

  const SavedState saved;
  auto start = Clock::now();
  const VertexBuffer buffer(vertices, impl_->quad_indices);
  stats.upload_ms = ms_since(start);

  start = Clock::now();
  glUseProgram(impl_->program.id());
  if (compositing == SplatCompositing::AmongMeshes) {
    glEnable(GL_DEPTH_TEST);  // meshes hide the splats behind them
  } else {
    glDisable(GL_DEPTH_TEST);
  }
  glDepthMask(GL_FALSE);  // splats are sorted, not depth-resolved
  glDisable(GL_CULL_FACE);
  glEnable(GL_BLEND);
  glBlendEquation(GL_FUNC_ADD);
  glBlendFunc(GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
  const std::size_t quads = vertices.size() / 4;
  for (std::size_t first = 0; first < quads; first += kQuadsPerBatch) {
    buffer.select_batch(first);
    const std::size_t count = std::min(kQuadsPerBatch, quads - first);
    glDrawElements(GL_TRIANGLES, static_cast<GLsizei>(count * 6), GL_UNSIGNED_SHORT, nullptr);
  }
  stats.submit_ms = ms_since(start);
}

}  // namespace thumbgen::render
