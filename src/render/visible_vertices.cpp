#include "render/visible_vertices.h"

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>

namespace thumbgen::render {
namespace {

// Meshes with more triangles first try whether a sample of them already spans every vertex.
constexpr std::size_t kExactUpTo = 1'000'000;
constexpr std::size_t kSampledTriangles = 250'000;

const scene::Material* material_of(const scene::Scene& scene, const scene::Mesh& mesh) {
  if (mesh.material < 0 || static_cast<std::size_t>(mesh.material) >= scene.materials.size()) return nullptr;
  return &scene.materials[static_cast<std::size_t>(mesh.material)];
}

// The least alpha (material × vertex colour) a triangle needs somewhere to show; zero: alpha does not matter.
float alpha_needed(const scene::Material* material) {
  if (!material) return 0.0f;  // the default material is opaque
  switch (material->alpha_mode) {
    case scene::AlphaMode::Opaque:
      return 0.0f;
    case scene::AlphaMode::Mask:
      return material->alpha_cutoff;  // the shader discards below the cutoff
    case scene::AlphaMode::Blend:
    case scene::AlphaMode::Additive:
      break;
  }
  return std::numeric_limits<float>::min();  // premultiplied output: zero alpha adds nothing, not even emission
}

// Zero area, or so thin (the sine of its angle at `a` below 1e-6) that it covers no pixel at any size.
bool degenerate(const glm::vec3& a, const glm::vec3& b, const glm::vec3& c) {
  const glm::vec3 ab = b - a, ac = c - a;
  const glm::vec3 normal = glm::cross(ab, ac);
  return glm::dot(normal, normal) <= 1e-12f * glm::dot(ab, ab) * glm::dot(ac, ac);
}

// Whether the triangles of one mesh draw pixels.
class TriangleTest {
 public:
  TriangleTest(const scene::Scene& scene, const scene::Mesh& mesh) : mesh_(mesh) {
    const scene::Material* material = material_of(scene, mesh);
    needed_ = alpha_needed(material);
    material_alpha_ = material ? material->base_color.a : 1.0f;
    per_vertex_alpha_ = needed_ > 0.0f && mesh.colors.size() == mesh.positions.size();
  }

  std::size_t triangles() const { return (mesh_.indices.empty() ? mesh_.positions.size() : mesh_.indices.size()) / 3; }

  // Vertex colours only lower the material's alpha: below what it needs, nothing of the mesh shows.
  bool nothing_shows() const { return needed_ > 0.0f && material_alpha_ < needed_; }

  // The vertices of triangle `t` when it draws pixels.
  bool shows(std::size_t t, std::array<std::size_t, 3>& v) const {
    const std::size_t count = mesh_.positions.size();
    for (std::size_t k = 0; k < 3; ++k) {
      v[k] = mesh_.indices.empty() ? 3 * t + k : mesh_.indices[3 * t + k];
      if (v[k] >= count) return false;
    }
    if (degenerate(mesh_.positions[v[0]], mesh_.positions[v[1]], mesh_.positions[v[2]])) return false;
    if (!per_vertex_alpha_) return true;
    return material_alpha_ * mesh_.colors[v[0]].a >= needed_ || material_alpha_ * mesh_.colors[v[1]].a >= needed_ ||
           material_alpha_ * mesh_.colors[v[2]].a >= needed_;
  }

 private:
  const scene::Mesh& mesh_;
  float needed_ = 0.0f;
  float material_alpha_ = 1.0f;
  bool per_vertex_alpha_ = false;
};

bool finite(const glm::vec3& p) { return std::isfinite(p.x) && std::isfinite(p.y) && std::isfinite(p.z); }

// Whether the vertices of an evenly spread sample of drawn triangles reach (within 1 % of the mesh's size) as far
// as all its vertices: then nothing invisible can shape the frame, and the exact pass over every triangle (about
// 10 ns each) is not needed.
bool sample_spans_every_vertex(const scene::Mesh& mesh, const TriangleTest& test) {
  // NaN never wins a comparison, so it stays out of `all`; an infinite vertex makes the tolerance infinite, and
  // framing drops it anyway.
  glm::vec3 low(std::numeric_limits<float>::max()), high(std::numeric_limits<float>::lowest());
  for (const glm::vec3& p : mesh.positions) {
    low = glm::min(low, p);
    high = glm::max(high, p);
  }
  scene::Bounds all{low, high}, sampled;
  if (!all.valid()) return true;
  const std::size_t step = test.triangles() / kSampledTriangles;
  std::array<std::size_t, 3> v{};
  for (std::size_t t = 0; t < test.triangles(); t += step) {
    if (!test.shows(t, v)) continue;
    for (const std::size_t i : v)
      if (finite(mesh.positions[i])) sampled.add(mesh.positions[i]);
  }
  if (!sampled.valid()) return false;
  const float tolerance = 0.01f * glm::length(all.size());
  return glm::all(glm::lessThanEqual(sampled.min - all.min, glm::vec3(tolerance))) &&
         glm::all(glm::lessThanEqual(all.max - sampled.max, glm::vec3(tolerance)));
}

}  // namespace

std::vector<bool> visible_vertices(const scene::Scene& scene, const scene::Mesh& mesh) {
  const std::size_t count = mesh.positions.size();
  if (mesh.primitive != scene::Primitive::Triangles) {
    if (mesh.indices.empty()) return {};  // every point or line end is drawn
    std::vector<bool> used(count, false);
    for (const std::uint32_t v : mesh.indices)
      if (v < count) used[v] = true;
    return used;
  }

  const TriangleTest test(scene, mesh);
  std::vector<bool> visible(count, false);
  if (test.nothing_shows()) return visible;
  if (test.triangles() > kExactUpTo && sample_spans_every_vertex(mesh, test)) return {};
  std::array<std::size_t, 3> v{};
  for (std::size_t t = 0; t < test.triangles(); ++t) {
    if (test.shows(t, v)) visible[v[0]] = visible[v[1]] = visible[v[2]] = true;
  }
  return visible;
}

std::vector<std::vector<bool>> visible_vertices(const scene::Scene& scene) {
  std::vector<std::vector<bool>> per_mesh(scene.meshes.size());
  std::vector<bool> done(scene.meshes.size(), false);
  for (const scene::Draw& draw : scene.draws) {
    if (draw.mesh < 0 || static_cast<std::size_t>(draw.mesh) >= scene.meshes.size()) continue;
    const auto index = static_cast<std::size_t>(draw.mesh);
    if (done[index]) continue;
    done[index] = true;
    per_mesh[index] = visible_vertices(scene, scene.meshes[index]);
  }
  return per_mesh;
}

}  // namespace thumbgen::render
