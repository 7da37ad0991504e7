#include "scene/vox_mesher.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "scene/load_error.h"
#include "scene/srgb.h"

namespace thumbgen::scene::vox {
namespace {

struct Box {
  glm::ivec3 lo{255};
  glm::ivec3 hi{-1};
  bool empty() const { return hi.x < lo.x; }
  glm::ivec3 dims() const { return hi - lo + 1; }
};

Box bounding_box(const Model& model) {
  Box box;
  for (const Voxel& v : model.voxels) {
    const glm::ivec3 p(v.x, v.y, v.z);
    box.lo = glm::min(box.lo, p);
    box.hi = glm::max(box.hi, p);
  }
  return box;
}

bool no_faces(const std::uint8_t* eight_cells) {
  std::uint64_t word;
  std::memcpy(&word, eight_cells, sizeof word);
  return word == 0;
}

class QuadWriter {
 public:
  QuadWriter(Mesh& mesh, const Palette& palette, std::uint64_t max_vertices)
      : mesh_(mesh), max_vertices_(max_vertices) {
    for (std::size_t i = 0; i < palette.size(); ++i) {
      const glm::vec3 srgb = glm::vec3(palette[i]) / 255.0f;
      linear_[i] = glm::vec4(srgb_to_linear(srgb.r), srgb_to_linear(srgb.g), srgb_to_linear(srgb.b), 1.0f);
    }
  }

  // Corners in counter-clockwise order seen from the side `normal` points to.
  void add(const std::array<glm::vec3, 4>& corners, const glm::vec3& normal, std::uint8_t color) {
    if (mesh_.positions.size() + 4 > max_vertices_) {
      throw LoadError(".vox: the voxel surface needs more than " + std::to_string(max_vertices_) + " vertices");
    }
    const auto base = static_cast<std::uint32_t>(mesh_.positions.size());
    for (const glm::vec3& corner : corners) {
      mesh_.positions.push_back(corner);
      mesh_.normals.push_back(normal);
      mesh_.colors.push_back(linear_[color]);
    }
    for (const std::uint32_t k : {0u, 1u, 2u, 0u, 2u, 3u}) mesh_.indices.push_back(base + k);
  }

 private:
  Mesh& mesh_;
  std::uint64_t max_vertices_;
  std::array<glm::vec4, 256> linear_{};
};

}  // namespace

std::uint64_t grid_cells(const Model& model) {
  const Box box = bounding_box(model);
  if (box.empty()) return 0;
  const glm::ivec3 d = box.dims();
  return std::uint64_t(d.x) * std::uint64_t(d.y) * std::uint64_t(d.z);
}

Mesh mesh_voxels(const Model& model, const Palette& palette, std::uint64_t max_vertices) {
  Mesh mesh;
  const Box box = bounding_box(model);
  if (box.empty()) return mesh;
  const glm::ivec3 dims = box.dims();  // each at most 256: coordinates are bytes
  const std::array<std::size_t, 3> stride = {1, std::size_t(dims.x), std::size_t(dims.x) * std::size_t(dims.y)};
  std::vector<std::uint8_t> grid(stride[2] * std::size_t(dims.z), 0);
  for (const Voxel& v : model.voxels) {
    grid[std::size_t(v.x - box.lo.x) + std::size_t(v.y - box.lo.y) * stride[1] +
         std::size_t(v.z - box.lo.z) * stride[2]] = v.color;
  }

  QuadWriter writer(mesh, palette, max_vertices);
  std::vector<std::uint8_t> mask;
  for (int a = 0; a < 3; ++a) {
    // The slice's rows run along u: along x (contiguous in the grid) wherever x is not the slicing axis. The winding
    // below makes quads face +a when u × v points along +a, that is for a cyclic (u, v, a); else it is reversed.
    const int u = a == 0 ? 1 : 0;
    const int v = a == 2 ? 1 : 2;
    const bool cyclic = (u + 1) % 3 == v;
    const int nu = dims[u];
    const int nv = dims[v];
    mask.assign(std::size_t(nu) * std::size_t(nv), 0);
    for (int s = 0; s < dims[a]; ++s) {
      for (const int dir : {1, -1}) {
        // The faces of slice s that look along dir: filled cells whose neighbour that way is empty or outside.
        const bool border = dir > 0 ? s == dims[a] - 1 : s == 0;
        const std::size_t step = stride[u];
        for (int j = 0; j < nv; ++j) {
          const std::uint8_t* cells = &grid[std::size_t(j) * stride[v] + std::size_t(s) * stride[a]];
          std::uint8_t* row = &mask[std::size_t(j) * nu];
          if (border) {
            for (int i = 0; i < nu; ++i) row[i] = cells[i * step];
            continue;
          }
          const std::uint8_t* next = dir > 0 ? cells + stride[a] : cells - stride[a];
          if (step == 1) {  // rows along x: contiguous, and the compiler vectorises this
            for (int i = 0; i < nu; ++i) row[i] = next[i] ? 0 : cells[i];
          } else {
            for (int i = 0; i < nu; ++i) row[i] = next[i * step] ? 0 : cells[i * step];
          }
        }
        // Greedy merge: grow each face along u, then along v while the whole row matches.
        for (int j = 0; j < nv; ++j) {
          const std::uint8_t* row = &mask[std::size_t(j) * nu];
          for (int i = 0; i < nu;) {
            if (i + 8 <= nu && no_faces(row + i)) {  // most of a slice is empty or hidden: skip 8 cells at once
              i += 8;
              continue;
            }
            const std::uint8_t color = row[i];
            if (color == 0) {
              ++i;
              continue;
            }
            int w = 1;
            while (i + w < nu && mask[std::size_t(j) * nu + std::size_t(i + w)] == color) ++w;
            int h = 1;
            for (; j + h < nv; ++h) {
              const std::uint8_t* row = &mask[std::size_t(j + h) * nu + std::size_t(i)];
              if (!std::all_of(row, row + w, [color](std::uint8_t c) { return c == color; })) break;
            }
            for (int y = j; y < j + h; ++y) std::fill_n(&mask[std::size_t(y) * nu + std::size_t(i)], w, 0);

            glm::vec3 origin(box.lo);
            origin[a] += static_cast<float>(s + (dir > 0 ? 1 : 0));
            origin[u] += static_cast<float>(i);
            origin[v] += static_cast<float>(j);
            glm::vec3 du(0.0f), dv(0.0f), normal(0.0f);
            du[u] = static_cast<float>(w);
            dv[v] = static_cast<float>(h);
            normal[a] = static_cast<float>(dir);
            if ((dir > 0) == cyclic) {
              writer.add({origin, origin + du, origin + du + dv, origin + dv}, normal, color);
            } else {
              writer.add({origin, origin + dv, origin + du + dv, origin + du}, normal, color);
            }
            i += w;
          }
        }
      }
    }
  }
  return mesh;
}

}  // namespace thumbgen::scene::vox
