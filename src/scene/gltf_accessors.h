// Internal to the glTF loader: accessor data → floats / indices, bounds-checked, with sparse substitution.
#pragma once

#include <cstdint>
#include <glm/glm.hpp>
#include <vector>

#include "scene/gltf_document.h"

namespace thumbgen::scene::gltf {

struct FloatData {
  std::vector<float> values;  // count * components
  std::size_t count = 0;
  int components = 0;
};

// Reads accessor `accessor` as floats: float components as they are, normalized integers mapped to [0,1] or
// [-1,1] (glTF rules), other integers as their value (KHR_mesh_quantization). `max_count` is checked before
// allocating. Throws LoadError on anything out of range.
FloatData read_floats(Document& doc, int accessor, std::uint64_t max_count);

// Reads an index accessor (unsigned byte/short/int). Values are not checked against the vertex count here.
std::vector<std::uint32_t> read_indices(Document& doc, int accessor, std::uint64_t max_count);

// Converts to vectors of N components; missing components become 0, except a 4th (alpha/w) which becomes 1.
template <int N>
std::vector<glm::vec<N, float>> to_vectors(const FloatData& data) {
  std::vector<glm::vec<N, float>> out(data.count);
  const int copied = std::min(N, data.components);
  for (std::size_t i = 0; i < data.count; ++i) {
    glm::vec<N, float> v(0.0f);
    if constexpr (N == 4) v.w = 1.0f;
    for (int c = 0; c < copied; ++c) v[c] = data.values[i * static_cast<std::size_t>(data.components) + c];
    out[i] = v;
  }
  return out;
}

// Maps integer component values of a normalized type to floats (also used for Draco attributes).
float normalize_component(double value, int component_type);

}  // namespace thumbgen::scene::gltf
