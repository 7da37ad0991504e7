#include "render/renderer.h"

#include <GLES3/gl3.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <glm/gtc/matrix_inverse.hpp>
#include <glm/gtc/matrix_transform.hpp>
#include <glm/gtc/type_ptr.hpp>
#include <stdexcept>
#include <vector>

#include "render/camera_choice.h"
#include "render/gl_program.h"
#include "render/gpu_scene.h"
#include "render/mesh_programs.h"
#include "render/point_line_size.h"
#include "render/post_aa.h"
#include "render/render_target.h"
#include "render/shaders.h"
#include "render/splat_renderer.h"
#include "scene/drawable_mesh.h"
#include "scene/srgb.h"

namespace thumbgen::render {
namespace {

using scene::linear_to_srgb;
using scene::srgb_to_linear;

GLint gl_wrap(scene::Wrap wrap) {
  switch (wrap) {
    case scene::Wrap::ClampToEdge:
      return GL_CLAMP_TO_EDGE;
    case scene::Wrap::MirroredRepeat:
      return GL_MIRRORED_REPEAT;
    case scene::Wrap::Repeat:
      break;
  }
  return GL_REPEAT;
}

// Points this big show their square corners: they are drawn as discs.
constexpr float kRoundPointSize = 4.0f;

// A draw in the order it must be drawn: opaque first, then blended back to front, then additive glow.
struct QueuedDraw {
  const scene::Draw* draw;
  const scene::Mesh* mesh;
  const scene::Material* material;
  float view_depth;
  int pass;  // 0 opaque/mask, 1 blend, 2 additive
};

const scene::Material kDefaultMaterial = [] {
  scene::Material material;
  material.base_color = glm::vec4(0.8f, 0.8f, 0.8f, 1.0f);
  material.metallic = 0.0f;
  material.roughness = 0.6f;
  material.double_sided = true;
  return material;
}();

}  // namespace

struct Renderer::Impl {
  GlContext& context;
  MeshPrograms programs;
  unsigned frame = 0;
  RenderTarget target;
  SplatRenderer splat_renderer;

  bool software_gl = false;

  explicit Impl(GlContext& gl) : context(gl) {
    // The context's description, not GL_RENDERER: WebGL masks the latter ("WebKit WebGL"), while the web context
    // adds the unmasked name, so a browser on SwiftShader anti-aliases like native llvmpipe (same pixels).
    const std::string renderer = gl.description();
    software_gl = renderer.find("llvmpipe") != std::string::npos || renderer.find("softpipe") != std::string::npos ||
                  renderer.find("SwiftShader") != std::string::npos;
  }

  int samples_for(const ViewOptions& options) const {
    if (options.msaa_samples >= 0) return options.msaa_samples;
    return software_gl ? 0 : 4;
  }

  static void draw_mesh(const GpuMesh& mesh) {
    glBindVertexArray(mesh.vertex_array);
    if (mesh.indexed) {
      glDrawElements(mesh.mode, mesh.count, GL_UNSIGNED_INT, nullptr);
    } else {
      glDrawArrays(mesh.mode, 0, mesh.count);
    }
  }

  // WebGL and many GLES drivers draw every line 1 pixel wide whatever glLineWidth asks; a wider line is the line
  // drawn again at sub-pixel shifts covering a width × width square (the same pixels on every backend).
  static void draw_wide_lines(const MeshUniforms& uniforms, const ViewCamera& camera, const GpuMesh& mesh,
                              const ViewOptions& options) {
    const int width = line_width_pixels(options.height);
    for (int y = 0; y < width; ++y)
      for (int x = 0; x < width; ++x) {
        const float half = static_cast<float>(width - 1) * 0.5f;
        const glm::vec3 shift(2.0f * (static_cast<float>(x) - half) / static_cast<float>(options.width),
                              2.0f * (static_cast<float>(y) - half) / static_cast<float>(options.height), 0.0f);
        const glm::mat4 projection = glm::translate(glm::mat4(1.0f), shift) * camera.projection;
        glUniformMatrix4fv(uniforms.projection, 1, GL_FALSE, glm::value_ptr(projection));
        draw_mesh(mesh);
      }
    glUniformMatrix4fv(uniforms.projection, 1, GL_FALSE, glm::value_ptr(camera.projection));
  }

  // The uniforms every draw of a frame shares; set once per frame in each program used.
  static void set_frame_uniforms(const MeshUniforms& uniforms, const ViewCamera& camera, float point_size) {
    glUniformMatrix4fv(uniforms.view, 1, GL_FALSE, glm::value_ptr(camera.view));
    glUniformMatrix4fv(uniforms.projection, 1, GL_FALSE, glm::value_ptr(camera.projection));
    const GLint units[shaders::kSlotCount] = {0, 1, 2, 3, 4};
    glUniform1iv(uniforms.textures, shaders::kSlotCount, units);
    glUniform1f(uniforms.point_size, point_size);
  }

  static bool has_meshes(const scene::Scene& scene) {
    return std::any_of(scene.draws.begin(), scene.draws.end(),
                       [&](const scene::Draw& draw) { return scene::drawable_mesh(scene, draw) != nullptr; });
  }

  static std::array<const scene::TextureRef*, shaders::kSlotCount> texture_slots(const scene::Material& material) {
    return {&material.base_color_texture, &material.metallic_roughness_texture, &material.normal_texture,
            &material.occlusion_texture, &material.emissive_texture};
  }

  static void set_uv_features(const scene::Material& material, int texture_mask, MeshFeatures& features) {
    const auto slots = texture_slots(material);
    for (int slot = 0; slot < shaders::kSlotCount; ++slot) {
      if (!(texture_mask & (1 << slot))) continue;
      const scene::TextureRef& ref = *slots[static_cast<std::size_t>(slot)];
      features.uv1 = features.uv1 || ref.texcoord == 1;
      features.uv_transforms = features.uv_transforms || ref.transform != glm::mat3(1.0f);
    }
  }

  // Binds the material's textures to their units (state shared by every program); returns the slots bound.
  static int bind_textures(GpuScene& gpu, const scene::Material& material) {
    const auto slots = texture_slots(material);
    int mask = 0;
    for (int slot = 0; slot < shaders::kSlotCount; ++slot) {
      const scene::TextureRef& ref = *slots[static_cast<std::size_t>(slot)];
      const bool srgb = slot == shaders::kBaseColorSlot || slot == shaders::kEmissiveSlot;
      // Select the unit first: uploading a texture binds it to the active unit.
      glActiveTexture(GL_TEXTURE0 + slot);
      const GLuint texture = ref.valid() ? gpu.texture(ref.image, srgb) : 0;
      glBindTexture(GL_TEXTURE_2D, texture);
      if (texture) {
        mask |= 1 << slot;
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, gl_wrap(ref.wrap_s));
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, gl_wrap(ref.wrap_t));
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, ref.nearest ? GL_NEAREST : GL_LINEAR_MIPMAP_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, ref.nearest ? GL_NEAREST : GL_LINEAR);
      }
    }
    return mask;
  }

  static void set_material_uniforms(const MeshUniforms& uniforms, const scene::Material& material) {
    const auto slots = texture_slots(material);
    GLint uv_sets[shaders::kSlotCount] = {};
    float transforms[shaders::kSlotCount * 9];
    for (int slot = 0; slot < shaders::kSlotCount; ++slot) {
      const scene::TextureRef& ref = *slots[static_cast<std::size_t>(slot)];
      uv_sets[slot] = ref.texcoord == 1 ? 1 : 0;
      std::copy_n(glm::value_ptr(ref.transform), 9, transforms + slot * 9);
    }
    glUniform1iv(uniforms.uv_set, shaders::kSlotCount, uv_sets);
    glUniformMatrix3fv(uniforms.uv_transform, shaders::kSlotCount, GL_FALSE, transforms);
    // The material's constants are vertex attributes without arrays (shaders.cpp says why).
    glVertexAttrib4fv(shaders::kBaseColorAttribute, glm::value_ptr(material.base_color));
    glVertexAttrib4f(shaders::kMaterialAttribute, material.metallic, material.roughness, material.normal_scale,
                     material.occlusion_strength);
    glVertexAttrib4f(shaders::kEmissiveAttribute, material.emissive.r, material.emissive.g, material.emissive.b,
                     material.alpha_cutoff);
  }

  static void set_pass_state(int pass) {
    if (pass == 0) {
      glDisable(GL_BLEND);
      glDepthMask(GL_TRUE);
    } else if (pass == 1) {
      glEnable(GL_BLEND);
      glBlendFuncSeparate(GL_ONE, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
      glDepthMask(GL_FALSE);
    } else {
      glEnable(GL_BLEND);
      glBlendFuncSeparate(GL_ONE, GL_ONE, GL_ZERO, GL_ONE);
      glDepthMask(GL_FALSE);
    }
  }

  std::vector<QueuedDraw> queue(const scene::Scene& scene, GpuScene& gpu, const ViewCamera& camera) {
    std::vector<QueuedDraw> draws;
    draws.reserve(scene.draws.size());
    for (const scene::Draw& draw : scene.draws) {
      const scene::Mesh* drawable = scene::drawable_mesh(scene, draw);
      if (!drawable) continue;
      const scene::Mesh& mesh = *drawable;
      const bool has_material = mesh.material >= 0 && static_cast<std::size_t>(mesh.material) < scene.materials.size();
      const scene::Material& material =
          has_material ? scene.materials[static_cast<std::size_t>(mesh.material)] : kDefaultMaterial;
      int pass = 0;
      if (material.alpha_mode == scene::AlphaMode::Blend) pass = 1;
      if (material.alpha_mode == scene::AlphaMode::Additive) pass = 2;
      const glm::vec3 center = gpu.mesh(static_cast<std::size_t>(draw.mesh)).local_bounds.center();
      const float depth = (camera.view * draw.transform * glm::vec4(center, 1.0f)).z;
      draws.push_back({&draw, &mesh, &material, depth, pass});
    }
    std::stable_sort(draws.begin(), draws.end(), [](const QueuedDraw& a, const QueuedDraw& b) {
      if (a.pass != b.pass) return a.pass < b.pass;
      return a.pass == 1 && a.view_depth < b.view_depth;  // farther (more negative z) first
    });
    return draws;
  }

  scene::Image draw(const scene::Scene& scene, const ViewCamera& camera, const ViewOptions& options) {
    context.make_current();
    // Splats alone are composited in display colours, like the reference rasteriser (see SplatCompositing);
    // everything else in linear light, encoded by the sRGB target.
    const bool splats_alone = !scene.splats.empty() && !has_meshes(scene);
    const bool srgb_target = !splats_alone;
    target.bind(options.width, options.height, samples_for(options), srgb_target);
    const glm::vec4 bg = options.background;
    const bool transparent = bg.a < 1.0f;
    const glm::vec3 clear =
        srgb_target ? glm::vec3(srgb_to_linear(bg.r), srgb_to_linear(bg.g), srgb_to_linear(bg.b)) : glm::vec3(bg);
    glClearColor(clear.r * bg.a, clear.g * bg.a, clear.b * bg.a, bg.a);
    glClearDepthf(1.0f);
    glDepthMask(GL_TRUE);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    glEnable(GL_DEPTH_TEST);
    glDepthFunc(GL_LEQUAL);

    {
      GpuScene gpu(scene, /*cpu_mipmaps=*/software_gl);
      ++frame;
      const float points = point_size_pixels(scene, camera.projection * camera.view, options.width, options.height);
      int current_pass = -1;
      const scene::Material* current_material = nullptr;
      int texture_mask = 0;
      MeshProgram* current_program = nullptr;
      bool material_uniforms_stale = true;
      for (const QueuedDraw& queued : queue(scene, gpu, camera)) {
        if (queued.pass != current_pass) {
          set_pass_state(queued.pass);
          current_pass = queued.pass;
        }
        if (queued.material != current_material) {
          texture_mask = bind_textures(gpu, *queued.material);
          current_material = queued.material;
          material_uniforms_stale = true;
        }
        const GpuMesh& mesh = gpu.mesh(static_cast<std::size_t>(queued.draw->mesh));
        MeshFeatures features;
        features.texture_mask = texture_mask;
        features.shaded = !queued.material->unlit && mesh.mode == GL_TRIANGLES;
        features.has_normals = mesh.has_normals;
        features.alpha_mode = static_cast<int>(queued.material->alpha_mode);
        features.round_points = mesh.mode == GL_POINTS && points >= kRoundPointSize;
        set_uv_features(*queued.material, texture_mask, features);
        MeshProgram& program = programs.get(features);
        if (&program != current_program) {
          glUseProgram(program.program.id());
          if (program.frame != frame) {
            set_frame_uniforms(program.uniforms, camera, points);
            program.frame = frame;
          }
          current_program = &program;
          material_uniforms_stale = true;
        }
        if (material_uniforms_stale) {
          set_material_uniforms(program.uniforms, *queued.material);
          material_uniforms_stale = false;
        }
        const glm::mat4& model = queued.draw->transform;
        glUniformMatrix4fv(program.uniforms.model, 1, GL_FALSE, glm::value_ptr(model));
        const glm::mat3 normal_matrix = glm::inverseTranspose(glm::mat3(camera.view * model));
        glUniformMatrix3fv(program.uniforms.normal_matrix, 1, GL_FALSE, glm::value_ptr(normal_matrix));
        // Mirrored transforms flip the winding; single-sided materials cull their back faces.
        glFrontFace(glm::determinant(glm::mat3(model)) < 0.0f ? GL_CW : GL_CCW);
        if (queued.material->double_sided || mesh.mode != GL_TRIANGLES) {
          glDisable(GL_CULL_FACE);
        } else {
          glEnable(GL_CULL_FACE);
          glCullFace(GL_BACK);
        }
        if (mesh.mode == GL_LINES) {
          draw_wide_lines(program.uniforms, camera, mesh, options);
        } else {
          draw_mesh(mesh);
        }
      }
      glBindVertexArray(0);
      glDisable(GL_CULL_FACE);
      glFrontFace(GL_CCW);

      if (!scene.splats.empty()) {
        glEnable(GL_BLEND);
        glBlendFunc(GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
        glDepthMask(GL_FALSE);
        for (const scene::SplatCloud& cloud : scene.splats) {
          splat_renderer.draw(cloud, camera.view, camera.projection, options.width, options.height,
                              splats_alone ? SplatCompositing::Alone : SplatCompositing::AmongMeshes);
        }
      }
      glUseProgram(0);
      for (int slot = 0; slot < shaders::kSlotCount; ++slot) {
        glActiveTexture(GL_TEXTURE0 + slot);
        glBindTexture(GL_TEXTURE_2D, 0);
      }
      glActiveTexture(GL_TEXTURE0);
    }  // every buffer and texture of the asset is deleted here
    glDisable(GL_BLEND);
    glDepthMask(GL_TRUE);

    scene::Image image = target.read_back();
    if (samples_for(options) <= 1) smooth_edges(image);
    if (transparent) unpremultiply(image, srgb_target);
    const GLenum error = glGetError();
    if (error != GL_NO_ERROR) {
      char code[16];
      std::snprintf(code, sizeof code, "0x%04X", error);
      throw std::runtime_error(std::string("GL error ") + code + " while rendering");
    }
    return image;
  }

  // Blending produced premultiplied colour (in linear light, stored sRGB-encoded, when `srgb_target`); a
  // transparent PNG/WebP wants straight alpha.
  static void unpremultiply(scene::Image& image, bool srgb_target) {
    if (!srgb_target) {
      for (std::size_t i = 0; i + 3 < image.rgba.size(); i += 4) {
        const unsigned alpha = image.rgba[i + 3];
        if (alpha == 0 || alpha == 255) continue;
        for (int c = 0; c < 3; ++c) {
          std::uint8_t& value = image.rgba[i + static_cast<std::size_t>(c)];
          value = static_cast<std::uint8_t>(std::min(255u, (value * 255u + alpha / 2) / alpha));
        }
      }
      return;
    }
    static const auto tables = [] {
      std::pair<std::vector<float>, std::vector<float>> t;
      t.first.resize(256);
      for (int i = 0; i < 256; ++i) t.first[static_cast<std::size_t>(i)] = srgb_to_linear(i / 255.0f);
      return t;
    }();
    const std::vector<float>& to_linear = tables.first;
    for (std::size_t i = 0; i + 3 < image.rgba.size(); i += 4) {
      const std::uint8_t alpha = image.rgba[i + 3];
      if (alpha == 0 || alpha == 255) continue;
      const float a = alpha / 255.0f;
      for (int c = 0; c < 3; ++c) {
        const float linear = std::min(1.0f, to_linear[image.rgba[i + static_cast<std::size_t>(c)]] / a);
        const float encoded = linear_to_srgb(linear);
        image.rgba[i + static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(std::lround(encoded * 255.0f));
      }
    }
  }
};

Renderer::Renderer(GlContext& context) {
  context.make_current();
  impl_ = std::make_unique<Impl>(context);
}

Renderer::~Renderer() {
  if (impl_) impl_->context.make_current();
}

RenderResult Renderer::render(const scene::Scene& scene, const ViewOptions& options) {
  RenderResult result;
  result.camera_source = choose_camera_source(options, scene);
  result.camera = camera_for(result.camera_source, scene, options);
  result.image = impl_->draw(scene, result.camera, options);
  result.authored_camera =
      result.camera_source == CameraSource::Authored || result.camera_source == CameraSource::Presentation;
  return result;
}

void Renderer::warm_up(const ViewOptions& options) {
  scene::Scene scene;
  scene::Image texture;
  texture.width = texture.height = 4;
  texture.rgba.assign(4 * 4 * 4, 200);
  scene.images.push_back(texture);
  auto add = [&](scene::Primitive primitive, scene::Material material, bool normals, glm::mat4 transform) {
    scene::Mesh mesh;
    mesh.primitive = primitive;
    mesh.positions = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}};
    if (normals) mesh.normals.assign(3, {0, 0, 1});
    mesh.uv0.assign(3, {0.5f, 0.5f});
    mesh.colors.assign(3, {1, 1, 1, 1});
    mesh.material = static_cast<int>(scene.materials.size());
    scene.materials.push_back(material);
    scene.draws.push_back({static_cast<int>(scene.meshes.size()), transform});
    scene.meshes.push_back(std::move(mesh));
  };
  scene::Material lit;
  lit.base_color_texture.image = 0;
  lit.metallic_roughness_texture.image = 0;
  lit.normal_texture.image = 0;
  lit.occlusion_texture.image = 0;
  lit.emissive_texture.image = 0;
  add(scene::Primitive::Triangles, lit, true, glm::mat4(1.0f));
  add(scene::Primitive::Triangles, lit, false, glm::mat4(-1.0f));  // flat shading, mirrored winding
  scene::Material plain;
  plain.double_sided = true;
  add(scene::Primitive::Triangles, plain, true, glm::mat4(1.0f));
  for (scene::AlphaMode mode : {scene::AlphaMode::Mask, scene::AlphaMode::Blend, scene::AlphaMode::Additive}) {
    scene::Material material = lit;
    material.alpha_mode = mode;
    material.unlit = mode == scene::AlphaMode::Additive;
    add(scene::Primitive::Triangles, material, true, glm::mat4(1.0f));
  }
  add(scene::Primitive::Points, plain, false, glm::mat4(1.0f));
  add(scene::Primitive::Lines, plain, false, glm::mat4(1.0f));
  scene::SplatCloud splats;
  for (int i = 0; i < 8; ++i) {
    splats.positions.push_back({0.1f * static_cast<float>(i), 0.5f, 0.0f});
    splats.scales.push_back(glm::vec3(0.1f));
    splats.rotations.push_back(glm::quat(1, 0, 0, 0));
    splats.colors.push_back({1, 1, 1, 0.8f});
  }
  scene.splats.push_back(std::move(splats));
  // Variants do not depend on the frame size: a small frame compiles the same code without shading and
  // smoothing a full-size one twice (60 ms of each render process's start at 1280x720).
  for (const glm::vec4& background : {options.background, glm::vec4(0.0f)}) {
    ViewOptions view = options;
    view.background = background;
    view.width = std::min(options.width, 128);
    view.height = std::min(options.height, 72);
    render(scene, view);
  }
}

scene::Image Renderer::render_with_camera(const scene::Scene& scene, const ViewCamera& camera,
                                          const ViewOptions& options) {
  return impl_->draw(scene, camera, options);
}

}  // namespace thumbgen::render
