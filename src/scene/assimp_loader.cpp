#include "scene/assimp_loader.h"

#include <assimp/config.h>
#include <assimp/importerdesc.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

#include <algorithm>
#include <assimp/Importer.hpp>
#include <cmath>
#include <cstdint>
#include <glm/gtc/constants.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "scene/assimp_gltf1.h"
#include "scene/assimp_guards.h"
#include "scene/assimp_io.h"
#include "scene/assimp_materials.h"
#include "scene/assimp_ply.h"
#include "scene/file_names.h"
#include "scene/load_error.h"
#include "scene/srgb.h"
#include "scene/tilt_brush.h"
#include "scene/up_axis.h"
#include "util/ascii.h"

namespace thumbgen::scene {
namespace {

// No PreTransformVertices (node transforms become Draws), no normal generation (the renderer shades flat from
// derivatives when normals are absent), no JoinIdenticalVertices (costs more than it saves for a thumbnail).
// FlipUVs gives the glTF convention (v = 0 at the top row) that Scene images use.
// ValidateDataStructure is replaced by validate_indices(): it rejects faceless meshes, which are point clouds.
constexpr unsigned kPostProcess =
    aiProcess_Triangulate | aiProcess_SortByPType | aiProcess_FindInvalidData | aiProcess_FlipUVs;

std::string extension_of(std::string_view name) {
  const size_t dot = name.find_last_of('.');
  const size_t slash = name.find_last_of("/\\");
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return {};
  return util::to_lower_ascii(name.substr(dot + 1));
}

bool contains(std::span<const std::uint8_t> bytes, std::string_view needle, size_t window = 1 << 16) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), std::min(bytes.size(), window));
  return text.find(needle) != std::string_view::npos;
}

bool is_gltf1(std::span<const std::uint8_t> bytes, const std::string& extension) {
  if (bytes.size() >= 8 && std::string_view(reinterpret_cast<const char*>(bytes.data()), 4) == "glTF")
    return bytes[4] == 1;
  return extension == "gltf";  // glTF 2.0 JSON never reaches this loader
}

std::string format_name(const std::string& extension, bool gltf1, const Assimp::Importer& importer) {
  if (gltf1) return "glTF 1.0";
  if (extension == "obj") return "OBJ";
  if (extension == "fbx") return "FBX";
  if (extension == "ply") return "PLY";
  if (extension == "stl") return "STL";
  if (extension == "dae") return "Collada";
  if (extension == "3ds") return "3DS";
  const size_t index = importer.GetImporterIndex(extension.c_str());
  if (const aiImporterDesc* desc = index == static_cast<size_t>(-1) ? nullptr : importer.GetImporterInfo(index))
    return desc->mName;
  return extension.empty() ? "assimp" : util::to_lower_ascii(extension);
}

glm::mat4 to_glm(const aiMatrix4x4& m) {
  // assimp is row-major (a1..a4 = first row), glm is column-major.
  return glm::mat4(m.a1, m.b1, m.c1, m.d1, m.a2, m.b2, m.c2, m.d2, m.a3, m.b3, m.c3, m.d3, m.a4, m.b4, m.c4, m.d4);
}

glm::vec4 display_to_linear(const glm::vec4& c) {
  auto linear = [](float channel) { return srgb_to_linear(std::clamp(channel, 0.0f, 1.0f)); };
  return glm::vec4(linear(c.r), linear(c.g), linear(c.b), std::clamp(c.a, 0.0f, 1.0f));
}

// What the post-processing steps rely on: every face index names a vertex. Faceless meshes are allowed.
void validate_indices(const aiScene& ai) {
  for (unsigned m = 0; m < ai.mNumMeshes; ++m) {
    const aiMesh* mesh = ai.mMeshes[m];
    if (mesh == nullptr || mesh->mVertices == nullptr || mesh->mNumVertices == 0)
      throw LoadError("assimp: mesh without vertices");
    if (mesh->mNumFaces > 0 && mesh->mFaces == nullptr) throw LoadError("assimp: mesh without face data");
    for (unsigned f = 0; f < mesh->mNumFaces; ++f) {
      const aiFace& face = mesh->mFaces[f];
      if (face.mNumIndices == 0 || face.mIndices == nullptr) throw LoadError("assimp: empty face");
      for (unsigned k = 0; k < face.mNumIndices; ++k)
        if (face.mIndices[k] >= mesh->mNumVertices) throw LoadError("assimp: face index out of range");
    }
  }
}

// assimp meshes → Scene meshes (same indices: a mesh that cannot be drawn stays, empty).
Mesh convert_mesh(const aiMesh& in) {
  Mesh out;
  out.material = static_cast<int>(in.mMaterialIndex);
  const unsigned types = in.mPrimitiveTypes;
  unsigned corners = 3;
  if (!(types & (aiPrimitiveType_TRIANGLE | aiPrimitiveType_POLYGON))) {
    if (types & aiPrimitiveType_LINE) {
      out.primitive = Primitive::Lines;
      corners = 2;
    } else if (types & aiPrimitiveType_POINT) {
      out.primitive = Primitive::Points;
      corners = 1;
    }
  }
  const unsigned n = in.mNumVertices;
  if (in.mVertices == nullptr || n == 0) return out;
  out.positions.resize(n);
  for (unsigned i = 0; i < n; ++i)
    out.positions[i] = glm::vec3(in.mVertices[i].x, in.mVertices[i].y, in.mVertices[i].z);
  if (in.mNormals != nullptr && out.primitive == Primitive::Triangles) {
    out.normals.resize(n);
    for (unsigned i = 0; i < n; ++i) out.normals[i] = glm::vec3(in.mNormals[i].x, in.mNormals[i].y, in.mNormals[i].z);
  }
  for (int set = 0; set < 2; ++set) {
    const aiVector3D* uv = in.mTextureCoords[set];
    if (uv == nullptr) continue;
    auto& target = set == 0 ? out.uv0 : out.uv1;
    target.resize(n);
    for (unsigned i = 0; i < n; ++i) target[i] = glm::vec2(uv[i].x, uv[i].y);
  }
  if (const aiColor4D* colors = in.mColors[0]) {
    // Vertex colours in these formats are display (sRGB) values: PLY/OBJ 8-bit or float, Tilt Brush exports.
    out.colors.resize(n);
    for (unsigned i = 0; i < n; ++i)
      out.colors[i] = display_to_linear(glm::vec4(colors[i].r, colors[i].g, colors[i].b, colors[i].a));
  }

  if (in.mNumFaces == 0) {  // a bare vertex list (PLY/OBJ point cloud)
    out.primitive = Primitive::Points;
    out.normals.clear();
    return out;
  }
  bool identity = corners == 1 && in.mNumFaces == n;  // point clouds: face i is vertex i → no index buffer
  for (unsigned f = 0; identity && f < in.mNumFaces; ++f)
    identity = in.mFaces[f].mNumIndices == 1 && in.mFaces[f].mIndices[0] == f;
  if (identity) return out;
  out.indices.reserve(static_cast<size_t>(in.mNumFaces) * corners);
  for (unsigned f = 0; f < in.mNumFaces; ++f) {
    const aiFace& face = in.mFaces[f];
    if (face.mNumIndices != corners || face.mIndices == nullptr) continue;
    bool valid = true;
    for (unsigned k = 0; k < corners; ++k) valid = valid && face.mIndices[k] < n;
    if (valid) out.indices.insert(out.indices.end(), face.mIndices, face.mIndices + corners);
  }
  if (out.indices.empty()) out.positions.clear();  // nothing drawable
  return out;
}

void add_draws(const aiScene& ai, Scene& scene) {
  if (ai.mRootNode == nullptr) return;
  // Iterative walk: a hostile file can nest nodes deeply.
  std::vector<std::pair<const aiNode*, glm::mat4>> stack{{ai.mRootNode, glm::mat4(1.0f)}};
  while (!stack.empty()) {
    const auto [node, parent] = stack.back();
    stack.pop_back();
    const glm::mat4 world = parent * to_glm(node->mTransformation);
    for (unsigned i = 0; i < node->mNumMeshes; ++i) {
      const unsigned mesh = node->mMeshes[i];
      if (mesh < scene.meshes.size() && !scene.meshes[mesh].positions.empty())
        scene.draws.push_back(Draw{static_cast<int>(mesh), world});
    }
    for (unsigned i = 0; i < node->mNumChildren; ++i)
      if (node->mChildren[i] != nullptr) stack.emplace_back(node->mChildren[i], world);
  }
}

glm::mat4 node_world(const aiScene& ai, const aiString& name) {
  const aiNode* node = ai.mRootNode ? ai.mRootNode->FindNode(name) : nullptr;
  glm::mat4 world(1.0f);
  for (; node != nullptr; node = node->mParent) world = to_glm(node->mTransformation) * world;
  return world;
}

void add_cameras(const aiScene& ai, bool gltf1, Scene& scene) {
  for (unsigned i = 0; i < ai.mNumCameras; ++i) {
    const aiCamera* in = ai.mCameras[i];
    if (in == nullptr) continue;
    // Camera frame in its node's space: position, look direction and up, looking down local −Z.
    const glm::vec3 position(in->mPosition.x, in->mPosition.y, in->mPosition.z);
    glm::vec3 forward(in->mLookAt.x, in->mLookAt.y, in->mLookAt.z);
    glm::vec3 up(in->mUp.x, in->mUp.y, in->mUp.z);
    // assimp's glTF 1.0 importer leaves aiCamera's default +Z look direction; glTF cameras look down −Z.
    if (gltf1) forward = glm::vec3(0, 0, -1), up = glm::vec3(0, 1, 0);
    if (glm::length(forward) < 1e-8f) forward = glm::vec3(0, 0, -1);
    forward = glm::normalize(forward);
    glm::vec3 right = glm::cross(forward, up);
    if (glm::length(right) < 1e-8f)
      right = glm::cross(forward, std::abs(forward.y) < 0.9f ? glm::vec3(0, 1, 0) : glm::vec3(1, 0, 0));
    right = glm::normalize(right);
    up = glm::cross(right, forward);
    const glm::mat4 local(glm::vec4(right, 0), glm::vec4(up, 0), glm::vec4(-forward, 0), glm::vec4(position, 1));

    Camera camera;
    camera.world = node_world(ai, in->mName) * local;
    const float aspect = in->mAspect > 0.0f ? in->mAspect : 1.0f;
    if (in->mOrthographicWidth > 0.0f) {
      camera.perspective = false;
      camera.xmag = in->mOrthographicWidth;
      camera.ymag = in->mOrthographicWidth / aspect;
    } else {
      // Most importers store the full horizontal angle (despite the header's "half").
      // (glTF 1.0: assimp stores yfov × aspect.)
      const float horizontal = std::clamp(in->mHorizontalFOV, 0.01f, 3.0f);
      const float vertical = gltf1 ? horizontal / aspect : 2.0f * std::atan(std::tan(horizontal * 0.5f) / aspect);
      camera.yfov = std::clamp(vertical, 0.05f, 2.8f);
    }
    if (in->mClipPlaneNear > 0.0f) camera.znear = in->mClipPlaneNear;
    if (in->mClipPlaneFar > camera.znear) camera.zfar = in->mClipPlaneFar;
    scene.cameras.push_back(camera);
  }
}

std::string material_name(const aiScene& ai, int index) {
  aiString name;
  const aiMaterial* material = ai.mMaterials[index];
  return material && material->Get(AI_MATKEY_NAME, name) == aiReturn_SUCCESS ? name.C_Str() : "";
}

// Tilt Brush / Open Brush exports: brush names are material names only there, so "Light" in an ordinary FBX
// stays an ordinary material.
bool looks_like_tilt_brush(const aiScene& ai, std::span<const std::uint8_t> bytes) {
  if (contains(bytes, "Tilt Brush") || contains(bytes, "Open Brush")) return true;
  for (unsigned i = 0; i < ai.mNumMaterials; ++i) {
    aiString name;
    if (ai.mMaterials[i] && ai.mMaterials[i]->Get(AI_MATKEY_NAME, name) == aiReturn_SUCCESS) {
      const std::string_view text = name.C_Str();
      // A brush GUID, or the "brush_" prefix Open Brush writes.
      if ((text.size() >= 36 && tilt_brush_look(text)) || (text.starts_with("brush_") && tilt_brush_look(text)))
        return true;
    }
  }
  return false;
}

// An FBX file declares its axes in GlobalSettings (3ds Max and many CAD exports: +Z up, front -Y); assimp 5.2.5
// reports them as scene metadata and leaves the geometry in those axes. nullopt: +Y up, or nothing declared.
std::optional<glm::quat> declared_upright(const aiScene& ai) {
  const aiMetadata* metadata = ai.mMetaData;
  if (metadata == nullptr) return std::nullopt;
  AxisSystem axes;
  auto read = [&](const char* key, int& value) {
    std::int32_t number = 0;
    if (metadata->Get(key, number)) value = number;
  };
  std::int32_t up_axis = -1;
  if (!metadata->Get("UpAxis", up_axis)) return std::nullopt;
  axes.up_axis = up_axis;
  read("UpAxisSign", axes.up_sign);
  read("FrontAxis", axes.front_axis);
  read("FrontAxisSign", axes.front_sign);
  read("CoordAxis", axes.coord_axis);
  read("CoordAxisSign", axes.coord_sign);
  const std::optional<glm::quat> turn = upright_rotation(axes);
  if (!turn || std::abs(std::abs(turn->w) - 1.0f) < 1e-6f) return std::nullopt;  // no turn needed
  return turn;
}

// Tilt Brush / Open Brush FBX exports name their application in the header's SceneInfo ("Original|ApplicationName"
// and "LastSaved|ApplicationName", binary or ASCII: the value follows the name within a few bytes).
bool exported_by_tilt_brush(std::span<const std::uint8_t> bytes) {
  constexpr size_t kHeaderWindow = 1 << 16, kValueWindow = 64;
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), std::min(bytes.size(), kHeaderWindow));
  for (size_t at = text.find("ApplicationName"); at != std::string_view::npos;
       at = text.find("ApplicationName", at + 1)) {
    const std::string_view value = text.substr(at, kValueWindow);
    if (value.find("Tilt Brush") != std::string_view::npos || value.find("Open Brush") != std::string_view::npos)
      return true;
  }
  return false;
}

// The artist faces +Z in Tilt Brush's (Unity) room, so a sketch's front faces -Z and its FBX export keeps that: the
// default view (from +Z) would see it from behind, its text mirrored. Half a turn about +Y shows the artist's side.
const glm::quat kFaceTheArtist = glm::angleAxis(glm::pi<float>(), glm::vec3(0.0f, 1.0f, 0.0f));

}  // namespace

void configure_assimp_importer(Assimp::Importer& importer) {
  importer.SetPropertyInteger(AI_CONFIG_PP_SBP_REMOVE, 0);  // keep points and lines
  importer.SetPropertyBool(AI_CONFIG_IMPORT_NO_SKELETON_MESHES, true);
  importer.SetPropertyBool(AI_CONFIG_IMPORT_FBX_READ_ANIMATIONS, false);
  importer.SetPropertyBool(AI_CONFIG_IMPORT_FBX_READ_LIGHTS, false);
  importer.SetPropertyBool(AI_CONFIG_IMPORT_FBX_PRESERVE_PIVOTS, false);
  importer.SetPropertyBool(AI_CONFIG_IMPORT_COLLADA_IGNORE_UP_DIRECTION, false);
  importer.SetPropertyBool(AI_CONFIG_IMPORT_REMOVE_EMPTY_BONES, true);
}

Scene load_with_assimp(const std::string& main_file, std::span<const std::uint8_t> bytes, FileAccess& files,
                       ImageDecoder& images, const LoadLimits& limits) {
  if (bytes.empty()) throw LoadError("empty file");
  if (bytes.size() > limits.max_file_bytes) throw LoadError("file too large");
  check_ply_header(bytes, limits);
  const std::string extension_hint = extension_of(main_file);
  const bool gltf1 = is_gltf1(bytes, extension_hint);
  Gltf1ForAssimp gltf1_repair;
  if (gltf1) gltf1_repair = gltf1_for_assimp(bytes);
  const std::vector<std::uint8_t> patched = gltf1 ? std::move(gltf1_repair.bytes) : ply_for_assimp(bytes);
  std::span<const std::uint8_t> served = patched.empty() ? bytes : std::span<const std::uint8_t>(patched);
  if (extension_hint == "stl") served = served.first(binary_stl_bytes(served));

  // assimp sees the main file by its bare name, so the side files it derives ("model.mtl", "model.bin") are
  // relative to the model, as FileAccess wants them.
  const std::string_view file_name = file_name_of(main_file);
  const std::string name = file_name.empty() ? "model" : std::string(file_name);
  const std::string extension = extension_of(name);
  Assimp::Importer importer;
  auto* io = new AssimpFileSystem(name, served, files, limits.max_file_bytes);
  importer.SetIOHandler(io);  // the importer owns it
  configure_assimp_importer(importer);

  const aiScene* ai = nullptr;
  try {
    ai = importer.ReadFile(name, 0);
    if (ai != nullptr) {
      if (ai->mNumMeshes == 0 || ai->mMeshes == nullptr) throw LoadError("no geometry");
      validate_indices(*ai);
      ai = importer.ApplyPostProcessing(kPostProcess);
    }
  } catch (const LoadError&) {
    throw;
  } catch (const std::exception& error) {
    throw LoadError(std::string("assimp: ") + error.what());
  }
  if (ai == nullptr) {
    std::string reason = importer.GetErrorString();
    if (reason.empty()) reason = "could not read the file";
    throw LoadError("assimp: " + reason);
  }
  if (ai->mNumMeshes == 0 || ai->mMeshes == nullptr) throw LoadError("no geometry");

  std::uint64_t vertices = 0;
  for (unsigned i = 0; i < ai->mNumMeshes; ++i) vertices += ai->mMeshes[i] ? ai->mMeshes[i]->mNumVertices : 0;
  if (vertices > limits.max_vertices)
    throw LoadError("too many vertices: " + std::to_string(vertices) + " (limit " +
                    std::to_string(limits.max_vertices) + ")");

  Scene scene;
  scene.format = format_name(extension, gltf1, importer);
  for (const std::string& missing : io->missing()) scene.warnings.push_back("missing file: " + missing);
  scene.warnings.insert(scene.warnings.end(), gltf1_repair.warnings.begin(), gltf1_repair.warnings.end());

  AssimpMaterialOptions options;
  if (gltf1) find_gltf1_technique_textures(bytes, options);
  options.tilt_brush = looks_like_tilt_brush(*ai, bytes);
  add_assimp_materials(*ai, options, files, images, limits, scene);

  scene.meshes.reserve(ai->mNumMeshes);
  for (unsigned i = 0; i < ai->mNumMeshes; ++i) {
    scene.meshes.push_back(ai->mMeshes[i] ? convert_mesh(*ai->mMeshes[i]) : Mesh{});
    Mesh& mesh = scene.meshes.back();
    if (mesh.material < 0 || mesh.material >= static_cast<int>(scene.materials.size())) mesh.material = -1;
    if (gltf1 && mesh.material >= 0 && material_name(*ai, mesh.material) == kGltf1DefaultMaterial) mesh.material = -1;
  }
  if (gltf1) {
    const auto colors = read_gltf1_colors(served, files, limits.max_file_bytes);
    for (unsigned i = 0; i < ai->mNumMeshes && !colors.empty(); ++i) {
      const auto it = ai->mMeshes[i] ? colors.find(ai->mMeshes[i]->mName.C_Str()) : colors.end();
      Mesh& mesh = scene.meshes[i];
      if (it == colors.end() || !mesh.colors.empty() || it->second.size() != mesh.positions.size()) continue;
      mesh.colors.resize(it->second.size());
      for (size_t v = 0; v < it->second.size(); ++v) mesh.colors[v] = display_to_linear(it->second[v]);
    }
  }
  add_draws(*ai, scene);
  if (scene.draws.empty()) {
    // Meshes no node places (some importers): draw each once where it is.
    for (size_t i = 0; i < scene.meshes.size(); ++i)
      if (!scene.meshes[i].positions.empty()) scene.draws.push_back(Draw{static_cast<int>(i), glm::mat4(1.0f)});
  }
  if (scene.draws.empty()) throw LoadError("no geometry");
  // Only glTF 1.0 cameras are authored views (Poly / Tilt Brush exports). FBX/DAE/3DS files carry whatever cameras
  // the modelling tool had open (measured on the corpus: spider.fbx and huesitos.fbx frame a close-up of a texture
  // or a limb), so auto-framing gives the better thumbnail there.
  if (gltf1) add_cameras(*ai, gltf1, scene);
  if (extension == "fbx") {
    scene.upright = declared_upright(*ai);
    if (exported_by_tilt_brush(bytes)) scene.upright = kFaceTheArtist * scene.upright.value_or(glm::quat(1, 0, 0, 0));
  }
  return scene;
}

}  // namespace thumbgen::scene
