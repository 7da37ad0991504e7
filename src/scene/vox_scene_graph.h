// The MagicaVoxel scene graph (nTRN transform → nGRP group / nSHP shape nodes, LAYR layers) and its flattening into
// placed model instances. Internal to src/scene (see vox_file.h).
#pragma once

#include <cstddef>
#include <glm/glm.hpp>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace thumbgen::scene::vox {

struct TransformNode {
  int child = -1;
  int layer = -1;
  bool hidden = false;
  glm::mat3 rotation{1.0f};     // from the first frame's _r (a signed permutation)
  glm::vec3 translation{0.0f};  // the first frame's _t: where the model's box centre goes
};
struct GroupNode {
  std::vector<int> children;
};
struct ShapeNode {
  std::vector<int> models;  // "must be 1", animated files have one per frame: the first is drawn
};
using Node = std::variant<TransformNode, GroupNode, ShapeNode>;

struct SceneGraph {
  std::map<int, Node> nodes;  // by node id; the root is node 0
  std::set<int> hidden_layers;
};

// MagicaVoxel's ROTATION byte (bits 0-1: column of row 0's non-zero entry, bits 2-3: row 1's, bits 4-6: the rows'
// signs) as a matrix acting on column vectors; identity for a byte that names no permutation.
glm::mat3 rotation_from_byte(int packed);

// One model drawn once: world = rotation · (p − pivot) + translation, p in the model's voxel corner coordinates.
struct Instance {
  int model = 0;
  glm::mat3 rotation{1.0f};
  glm::vec3 translation{0.0f};
};

// Walks the graph from node 0, composing transforms; skips hidden nodes and hidden layers. Throws LoadError on a
// cycle, a graph deeper than 256 or one that expands to more than `max_instances` draws (shared subtrees multiply).
// `warnings` gets shapes naming models the file does not hold.
std::vector<Instance> flatten(const SceneGraph& graph, std::size_t model_count, std::size_t max_instances,
                              std::vector<std::string>& warnings);

}  // namespace thumbgen::scene::vox
