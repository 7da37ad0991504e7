#include "render/mesh_programs.h"

#include <string>

#include "render/shaders.h"

namespace thumbgen::render {

MeshFeatures MeshFeatures::normalized() const {
  MeshFeatures result = *this;
  if (!result.shaded) {  // unlit: only the base colour and emissive textures are read
    result.texture_mask &= (1 << shaders::kBaseColorSlot) | (1 << shaders::kEmissiveSlot);
    result.has_normals = false;
  }
  if (result.texture_mask == 0) result.uv1 = result.uv_transforms = false;
  return result;
}

int MeshFeatures::key() const {
  return texture_mask | (shaded ? 1 << 5 : 0) | (has_normals ? 1 << 6 : 0) | (alpha_mode & 3) << 7 |
         (uv1 ? 1 << 9 : 0) | (uv_transforms ? 1 << 10 : 0) | (round_points ? 1 << 11 : 0);
}

MeshUniforms::MeshUniforms(const Program& p)
    : model(p.uniform("u_model")),
      normal_matrix(p.uniform("u_normal_matrix")),
      view(p.uniform("u_view")),
      projection(p.uniform("u_projection")),
      point_size(p.uniform("u_point_size")),
      uv_set(p.uniform("u_uv_set")),
      uv_transform(p.uniform("u_uv_transform")),
      textures(p.uniform("u_textures")) {}

MeshProgram& MeshPrograms::get(const MeshFeatures& wanted) {
  const MeshFeatures features = wanted.normalized();
  auto [it, inserted] = programs_.try_emplace(features.key());
  if (inserted) {
    const std::string fragment = std::string("#version 300 es\n") +
                                 "const int TEXTURE_MASK = " + std::to_string(features.texture_mask) + ";\n" +
                                 "const bool SHADED = " + (features.shaded ? "true" : "false") + ";\n" +
                                 "const bool HAS_NORMALS = " + (features.has_normals ? "true" : "false") + ";\n" +
                                 "const int ALPHA_MODE = " + std::to_string(features.alpha_mode) + ";\n" +
                                 "const bool UV1 = " + (features.uv1 ? "true" : "false") + ";\n" +
                                 "const bool UV_TRANSFORMS = " + (features.uv_transforms ? "true" : "false") + ";\n" +
                                 "const bool ROUND_POINTS = " + (features.round_points ? "true" : "false") + ";\n" +
                                 shaders::kFastExp2 + shaders::kMeshFragmentBody;
    try {
      Program program(shaders::kMeshVertex, fragment.c_str(), "mesh " + std::to_string(features.key()));
      MeshUniforms uniforms(program);
      it->second = std::make_unique<MeshProgram>(MeshProgram{std::move(program), uniforms});
    } catch (...) {
      programs_.erase(it);
      throw;
    }
  }
  return *it->second;
}

}  // namespace thumbgen::render
