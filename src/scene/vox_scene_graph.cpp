#include "scene/vox_scene_graph.h"

#include <unordered_set>

#include "scene/load_error.h"

namespace thumbgen::scene::vox {
namespace {

constexpr int kMaxDepth = 256;
constexpr std::size_t kMaxVisits = 1'000'000;  // node visits: a shared subtree is walked once per parent

class Walker {
 public:
  Walker(const SceneGraph& graph, std::size_t model_count, std::size_t max_instances,
         std::vector<std::string>& warnings)
      : graph_(graph), model_count_(model_count), max_instances_(max_instances), warnings_(warnings) {}

  void walk(int id, const glm::mat3& rotation, const glm::vec3& translation, int depth) {
    if (depth > kMaxDepth) throw LoadError(".vox: scene graph deeper than " + std::to_string(kMaxDepth) + " nodes");
    if (++visits_ > kMaxVisits) throw LoadError(".vox: scene graph expands to too many nodes");
    const auto found = graph_.nodes.find(id);
    if (found == graph_.nodes.end()) {
      warn("a scene node names node " + std::to_string(id) + ", which the file does not hold");
      return;
    }
    if (!on_path_.insert(id).second)
      throw LoadError(".vox: scene graph has a cycle through node " + std::to_string(id));
    if (const auto* transform = std::get_if<TransformNode>(&found->second)) {
      if (!transform->hidden && !graph_.hidden_layers.contains(transform->layer)) {
        // The node's transform applies inside its parent's: parent · node.
        walk(transform->child, rotation * transform->rotation, translation + rotation * transform->translation,
             depth + 1);
      }
    } else if (const auto* group = std::get_if<GroupNode>(&found->second)) {
      for (const int child : group->children) walk(child, rotation, translation, depth + 1);
    } else {
      const auto& shape = std::get<ShapeNode>(found->second);
      if (!shape.models.empty()) add(shape.models.front(), rotation, translation);
    }
    on_path_.erase(id);
  }

  std::vector<Instance> take() { return std::move(instances_); }

 private:
  void add(int model, const glm::mat3& rotation, const glm::vec3& translation) {
    if (model < 0 || static_cast<std::size_t>(model) >= model_count_) {
      warn("a shape names model " + std::to_string(model) + " of " + std::to_string(model_count_));
      return;
    }
    if (instances_.size() >= max_instances_) {
      throw LoadError(".vox: too many model instances (more than " + std::to_string(max_instances_) + ")");
    }
    instances_.push_back({model, rotation, translation});
  }

  void warn(std::string text) {
    if (warned_.insert(text).second) warnings_.push_back(".vox: " + std::move(text));
  }

  const SceneGraph& graph_;
  std::size_t model_count_;
  std::size_t max_instances_;
  std::vector<std::string>& warnings_;
  std::unordered_set<int> on_path_;
  std::unordered_set<std::string> warned_;
  std::size_t visits_ = 0;
  std::vector<Instance> instances_;
};

}  // namespace

glm::mat3 rotation_from_byte(int packed) {
  const int first = packed & 3;
  const int second = (packed >> 2) & 3;
  if (first > 2 || second > 2 || first == second) return glm::mat3(1.0f);
  const int columns[3] = {first, second, 3 - first - second};
  glm::mat3 m(0.0f);
  for (int row = 0; row < 3; ++row) {
    // glm is column-major: m[column][row].
    m[columns[row]][row] = (packed >> (4 + row)) & 1 ? -1.0f : 1.0f;
  }
  return m;
}

std::vector<Instance> flatten(const SceneGraph& graph, std::size_t model_count, std::size_t max_instances,
                              std::vector<std::string>& warnings) {
  if (graph.nodes.empty()) return {};
  Walker walker(graph, model_count, max_instances, warnings);
  walker.walk(0, glm::mat3(1.0f), glm::vec3(0.0f), 0);
  return walker.take();
}

}  // namespace thumbgen::scene::vox
