// glTF 2.0: document → materials → meshes placed by walking the node tree of the chosen scene.
#include "scene/gltf_loader.h"

#include <glm/gtc/matrix_transform.hpp>
#include <glm/gtc/type_ptr.hpp>
#include <map>
#include <set>

#include "scene/gltf_accessors.h"
#include "scene/gltf_document.h"
#include "scene/gltf_materials.h"
#include "scene/gltf_meshes.h"

namespace thumbgen::scene {
namespace {

using gltf::Document;

glm::mat4 local_matrix(const tinygltf::Node& node) {
  if (node.matrix.size() == 16) {
    glm::dmat4 m = glm::make_mat4(node.matrix.data());  // column-major, like glTF
    return glm::mat4(m);
  }
  glm::mat4 m(1.0f);
  if (node.translation.size() == 3) {
    m = glm::translate(m, glm::vec3(node.translation[0], node.translation[1], node.translation[2]));
  }
  if (node.rotation.size() == 4) {
    const glm::quat q(static_cast<float>(node.rotation[3]), static_cast<float>(node.rotation[0]),
                      static_cast<float>(node.rotation[1]), static_cast<float>(node.rotation[2]));
    m *= glm::mat4_cast(glm::normalize(q));
  }
  if (node.scale.size() == 3) m = glm::scale(m, glm::vec3(node.scale[0], node.scale[1], node.scale[2]));
  return m;
}

Camera make_camera(const tinygltf::Camera& source, const glm::mat4& world) {
  Camera camera;
  camera.world = world;
  if (source.type == "orthographic") {
    camera.perspective = false;
    camera.xmag = static_cast<float>(source.orthographic.xmag);
    camera.ymag = static_cast<float>(source.orthographic.ymag);
    camera.znear = static_cast<float>(source.orthographic.znear);
    camera.zfar = static_cast<float>(source.orthographic.zfar);
  } else {
    if (source.perspective.yfov > 0) camera.yfov = static_cast<float>(source.perspective.yfov);
    if (source.perspective.znear > 0) camera.znear = static_cast<float>(source.perspective.znear);
    camera.zfar = static_cast<float>(source.perspective.zfar);  // 0 (absent) = infinite
  }
  return camera;
}

class SceneBuilder {
 public:
  SceneBuilder(Document& doc, Scene& scene) : doc_(doc), scene_(scene), budget_(doc.limits().max_vertices) {}

  // Places the subtrees under `roots` (pre-order, so cameras come out in node traversal order).
  void place(const std::vector<int>& roots) {
    struct Pending {
      int node;
      glm::mat4 parent;
    };
    std::vector<Pending> stack;
    for (auto it = roots.rbegin(); it != roots.rend(); ++it) stack.push_back({*it, glm::mat4(1.0f)});
    std::vector<bool> visited(doc_.model.nodes.size(), false);
    while (!stack.empty()) {
      const Pending pending = stack.back();
      stack.pop_back();
      if (pending.node < 0 || static_cast<std::size_t>(pending.node) >= visited.size()) {
        warn("missing node " + std::to_string(pending.node));
        continue;
      }
      // A node reached twice is a cycle or a shared child, both invalid: place it once.
      if (visited[static_cast<std::size_t>(pending.node)]) {
        warn("node " + std::to_string(pending.node) + " is reachable twice (cycle?), placed once");
        continue;
      }
      visited[static_cast<std::size_t>(pending.node)] = true;
      const tinygltf::Node& node = doc_.model.nodes[static_cast<std::size_t>(pending.node)];
      const glm::mat4 world = pending.parent * local_matrix(node);
      if (node.mesh >= 0) place_mesh(node, world);
      if (node.camera >= 0 && static_cast<std::size_t>(node.camera) < doc_.model.cameras.size()) {
        scene_.cameras.push_back(make_camera(doc_.model.cameras[static_cast<std::size_t>(node.camera)], world));
      }
      for (auto it = node.children.rbegin(); it != node.children.rend(); ++it) stack.push_back({*it, world});
    }
  }

  void place_every_mesh() {
    for (std::size_t m = 0; m < doc_.model.meshes.size(); ++m) {
      for (int mesh : meshes_of(static_cast<int>(m))) scene_.draws.push_back({mesh, glm::mat4(1.0f)});
    }
  }

  void warn(std::string message) { scene_.warnings.push_back(std::move(message)); }

 private:
  void place_mesh(const tinygltf::Node& node, const glm::mat4& world) {
    const std::vector<int>& meshes = meshes_of(node.mesh);
    for (const glm::mat4& instance : instances(node)) {
      for (int mesh : meshes) scene_.draws.push_back({mesh, world * instance});
    }
  }

  // EXT_mesh_gpu_instancing: one extra local transform per instance; identity when absent.
  std::vector<glm::mat4> instances(const tinygltf::Node& node) {
    const tinygltf::Value* ext = gltf::find_extension(node.extensions, "EXT_mesh_gpu_instancing");
    const tinygltf::Value* attributes = ext ? gltf::find_member(*ext, "attributes") : nullptr;
    if (attributes == nullptr) return {glm::mat4(1.0f)};
    auto read = [&](const char* name) -> gltf::FloatData {
      const tinygltf::Value* accessor = gltf::find_member(*attributes, name);
      if (accessor == nullptr) return {};
      return gltf::read_floats(doc_, static_cast<int>(gltf::number_or(accessor, -1)), budget_);
    };
    const gltf::FloatData translation = read("TRANSLATION"), rotation = read("ROTATION"), scale = read("SCALE");
    const std::size_t count = std::max(translation.count, std::max(rotation.count, scale.count));
    if (count > budget_) throw LoadError("instance count exceeds the vertex limit");
    std::vector<glm::mat4> out(count, glm::mat4(1.0f));
    for (std::size_t i = 0; i < count; ++i) {
      if (i < translation.count && translation.components >= 3) {
        const float* t = &translation.values[i * static_cast<std::size_t>(translation.components)];
        out[i] = glm::translate(out[i], glm::vec3(t[0], t[1], t[2]));
      }
      if (i < rotation.count && rotation.components == 4) {
        const float* r = &rotation.values[i * 4];
        out[i] *= glm::mat4_cast(glm::normalize(glm::quat(r[3], r[0], r[1], r[2])));
      }
      if (i < scale.count && scale.components >= 3) {
        const float* s = &scale.values[i * static_cast<std::size_t>(scale.components)];
        out[i] = glm::scale(out[i], glm::vec3(s[0], s[1], s[2]));
      }
    }
    return out;
  }

  // The Scene meshes of a glTF mesh (one per primitive), built once and shared by every node that uses it.
  const std::vector<int>& meshes_of(int gltf_mesh) {
    static const std::vector<int> none;
    if (gltf_mesh < 0 || static_cast<std::size_t>(gltf_mesh) >= doc_.model.meshes.size()) {
      warn("missing mesh " + std::to_string(gltf_mesh));
      return none;
    }
    if (auto it = built_.find(gltf_mesh); it != built_.end()) return it->second;
    std::vector<int> indices;
    const tinygltf::Mesh& mesh = doc_.model.meshes[static_cast<std::size_t>(gltf_mesh)];
    for (const tinygltf::Primitive& primitive : mesh.primitives) {
      std::optional<Mesh> built = gltf::build_primitive(doc_, mesh, primitive, budget_, scene_.warnings);
      if (!built) continue;
      if (built->material >= static_cast<int>(scene_.materials.size())) built->material = -1;
      scene_.meshes.push_back(std::move(*built));
      indices.push_back(static_cast<int>(scene_.meshes.size()) - 1);
    }
    return built_.emplace(gltf_mesh, std::move(indices)).first->second;
  }

  Document& doc_;
  Scene& scene_;
  std::uint64_t budget_;
  std::map<int, std::vector<int>> built_;
};

// Nodes that are nobody's child.
std::vector<int> root_nodes(const tinygltf::Model& model) {
  std::vector<bool> is_child(model.nodes.size(), false);
  for (const tinygltf::Node& node : model.nodes) {
    for (int child : node.children) {
      if (child >= 0 && static_cast<std::size_t>(child) < is_child.size())
        is_child[static_cast<std::size_t>(child)] = true;
    }
  }
  std::vector<int> roots;
  for (std::size_t i = 0; i < model.nodes.size(); ++i) {
    if (!is_child[i]) roots.push_back(static_cast<int>(i));
  }
  return roots;
}

void warn_unsupported_required(const Document& doc, Scene& scene) {
  static const std::set<std::string> handled = {"KHR_draco_mesh_compression",
                                                "EXT_meshopt_compression",
                                                "KHR_meshopt_compression",
                                                "KHR_mesh_quantization",
                                                "KHR_texture_transform",
                                                "KHR_materials_unlit",
                                                "KHR_materials_emissive_strength",
                                                "KHR_materials_pbrSpecularGlossiness",
                                                "EXT_mesh_gpu_instancing",
                                                "KHR_texture_basisu",
                                                "EXT_texture_webp"};
  for (const std::string& name : doc.model.extensionsRequired) {
    if (!handled.contains(name)) scene.warnings.push_back("required extension " + name + " is not supported");
  }
}

}  // namespace

Scene load_gltf(const std::string& main_file, std::span<const std::uint8_t> bytes, FileAccess& files,
                ImageDecoder& images, const LoadLimits& limits) {
  (void)main_file;  // side files are named relative to it, which is what FileAccess expects
  if (bytes.size() > limits.max_file_bytes) throw LoadError("file exceeds the size limit");
  Document doc = gltf::parse_document(bytes, files, limits);

  Scene scene;
  warn_unsupported_required(doc, scene);
  gltf::load_materials(doc, images, scene);

  SceneBuilder builder(doc, scene);
  const tinygltf::Model& model = doc.model;
  if (!model.scenes.empty()) {
    const bool valid_default =
        model.defaultScene >= 0 && static_cast<std::size_t>(model.defaultScene) < model.scenes.size();
    builder.place(model.scenes[valid_default ? static_cast<std::size_t>(model.defaultScene) : 0].nodes);
  } else if (!model.nodes.empty()) {
    builder.place(root_nodes(model));
  } else {
    builder.place_every_mesh();
  }

  scene.warnings.insert(scene.warnings.end(), doc.warnings.begin(), doc.warnings.end());
  scene.format = doc.binary ? "glTF 2.0 (GLB)" : "glTF 2.0";
  if (doc.used_draco) scene.format += " + Draco";
  if (doc.used_meshopt) scene.format += " + meshopt";
  return scene;
}

}  // namespace thumbgen::scene
