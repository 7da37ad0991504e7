#include "scene/assimp_materials.h"

#include <assimp/material.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "scene/assimp_io.h"
#include "scene/load_error.h"
#include "scene/tilt_brush.h"

namespace thumbgen::scene {
namespace {

// Phong/Lambert materials (OBJ, FBX, Collada, 3DS) have no roughness: a middle value looks like painted plastic.
constexpr float kDefaultRoughness = 0.6f;

Wrap to_wrap(int mode) {
  switch (mode) {
    case aiTextureMapMode_Clamp:
    case aiTextureMapMode_Decal:
      return Wrap::ClampToEdge;
    case aiTextureMapMode_Mirror:
      return Wrap::MirroredRepeat;
    default:
      return Wrap::Repeat;
  }
}

// Uncompressed embedded texture (BGRA texels) → RGBA, point-sampled down to the size limit.
Image convert_texels(const aiTexture& texture, int max_dimension) {
  const int width = static_cast<int>(texture.mWidth), height = static_cast<int>(texture.mHeight);
  if (width <= 0 || height <= 0 || width > 16384 || height > 16384 || texture.pcData == nullptr)
    throw LoadError("bad embedded texture size");
  const int step = std::max(1, (std::max(width, height) + max_dimension - 1) / std::max(1, max_dimension));
  Image image;
  image.width = (width + step - 1) / step;
  image.height = (height + step - 1) / step;
  image.rgba.resize(static_cast<size_t>(image.width) * image.height * 4);
  std::uint8_t* out = image.rgba.data();
  for (int y = 0; y < height; y += step) {
    for (int x = 0; x < width; x += step) {
      const aiTexel& t = texture.pcData[static_cast<size_t>(y) * width + x];
      *out++ = t.r;
      *out++ = t.g;
      *out++ = t.b;
      *out++ = t.a;
    }
  }
  return image;
}

// Paths from PLY comments and MTL lines can carry stray spaces or a CR.
std::string trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

class TextureLoader {
 public:
  TextureLoader(const aiScene& ai, const AssimpMaterialOptions& options, FileAccess& files, ImageDecoder& decoder,
                const LoadLimits& limits, Scene& scene)
      : ai_(ai), options_(options), files_(files), decoder_(decoder), limits_(limits), scene_(scene) {}

  // Index into scene.images, or -1 (with a warning) when the texture cannot be had.
  int load(const std::string& path) {
    if (path.empty()) return -1;
    if (const auto it = cache_.find(path); it != cache_.end()) return it->second;
    int index = -1;
    try {
      Image image = decode(path);
      if (!image.empty()) {
        index = static_cast<int>(scene_.images.size());
        scene_.images.push_back(std::move(image));
      }
    } catch (const LoadError& error) {
      scene_.warnings.push_back("texture " + path + ": " + error.what());
    }
    cache_.emplace(path, index);
    return index;
  }

 private:
  Image decode(const std::string& path) {
    if (const aiTexture* embedded = ai_.GetEmbeddedTexture(path.c_str())) {
      if (embedded->mHeight != 0) return convert_texels(*embedded, limits_.max_texture_dimension);
      const auto* data = reinterpret_cast<const std::uint8_t*>(embedded->pcData);
      return decoder_.decode(std::span(data, embedded->mWidth), limits_.max_texture_dimension);
    }
    if (path.starts_with("*")) throw LoadError("missing embedded texture");
    if (const auto it = options_.extra_texture_bytes.find(path); it != options_.extra_texture_bytes.end()) {
      const auto* data = reinterpret_cast<const std::uint8_t*>(it->second.data());
      return decoder_.decode(std::span(data, it->second.size()), limits_.max_texture_dimension);
    }
    std::string_view name = path;
    if (name.starts_with("file://")) name.remove_prefix(7);
    const std::vector<std::uint8_t> bytes = read_side_file(files_, name, limits_.max_file_bytes);
    return decoder_.decode(bytes, limits_.max_texture_dimension);
  }

  const aiScene& ai_;
  const AssimpMaterialOptions& options_;
  FileAccess& files_;
  ImageDecoder& decoder_;
  const LoadLimits& limits_;
  Scene& scene_;
  std::map<std::string, int> cache_;
};

// The first texture of `type`, with its UV set and wrap modes.
TextureRef texture_of(const aiMaterial& material, aiTextureType type, TextureLoader& loader) {
  TextureRef ref;
  if (material.GetTextureCount(type) == 0) return ref;
  aiString path;
  unsigned int uv_index = 0;
  aiTextureMapMode modes[2] = {aiTextureMapMode_Wrap, aiTextureMapMode_Wrap};
  if (material.GetTexture(type, 0, &path, nullptr, &uv_index, nullptr, nullptr, modes) != aiReturn_SUCCESS) return ref;
  ref.image = loader.load(trim(path.C_Str()));
  ref.texcoord = uv_index == 1 ? 1 : 0;
  ref.wrap_s = to_wrap(modes[0]);
  ref.wrap_t = to_wrap(modes[1]);
  return ref;
}

Material convert_material(const aiMaterial& in, const AssimpMaterialOptions& options, TextureLoader& loader,
                          std::vector<std::string>& warnings) {
  Material out;
  aiString name;
  if (in.Get(AI_MATKEY_NAME, name) == aiReturn_SUCCESS) out.name = name.C_Str();

  aiColor4D color(1.0f, 1.0f, 1.0f, 1.0f);
  if (in.Get(AI_MATKEY_BASE_COLOR, color) == aiReturn_SUCCESS ||
      in.Get(AI_MATKEY_COLOR_DIFFUSE, color) == aiReturn_SUCCESS)
    out.base_color = glm::vec4(color.r, color.g, color.b, color.a);
  out.base_color = glm::clamp(out.base_color, glm::vec4(0.0f), glm::vec4(1.0f));

  float opacity = 1.0f;
  if (in.Get(AI_MATKEY_OPACITY, opacity) == aiReturn_SUCCESS && opacity < 1.0f) {
    // Opacity 0 on a whole material is an exporter bug far more often than an invisible object.
    if (opacity > 0.05f) {
      out.base_color.a *= opacity;
    } else {
      warnings.push_back("material " + out.name + ": ignored opacity " + std::to_string(opacity));
    }
  }
  if (out.base_color.a < 1.0f) out.alpha_mode = AlphaMode::Blend;

  aiColor3D emissive(0.0f, 0.0f, 0.0f);
  if (in.Get(AI_MATKEY_COLOR_EMISSIVE, emissive) == aiReturn_SUCCESS) {
    float intensity = 1.0f;
    in.Get(AI_MATKEY_EMISSIVE_INTENSITY, intensity);
    out.emissive = glm::max(glm::vec3(emissive.r, emissive.g, emissive.b) * intensity, glm::vec3(0.0f));
  }

  out.metallic = 0.0f;
  out.roughness = kDefaultRoughness;
  float factor = 0.0f;
  if (in.Get(AI_MATKEY_METALLIC_FACTOR, factor) == aiReturn_SUCCESS) out.metallic = std::clamp(factor, 0.0f, 1.0f);
  if (in.Get(AI_MATKEY_ROUGHNESS_FACTOR, factor) == aiReturn_SUCCESS) out.roughness = std::clamp(factor, 0.0f, 1.0f);

  int flag = 0;
  if (in.Get(AI_MATKEY_TWOSIDED, flag) == aiReturn_SUCCESS) out.double_sided = flag != 0;
  int shading = 0;
  if (in.Get(AI_MATKEY_SHADING_MODEL, shading) == aiReturn_SUCCESS)
    out.unlit = shading == aiShadingMode_NoShading || shading == aiShadingMode_Unlit;

  out.base_color_texture = texture_of(in, aiTextureType_BASE_COLOR, loader);
  if (!out.base_color_texture.valid()) out.base_color_texture = texture_of(in, aiTextureType_DIFFUSE, loader);
  if (!out.base_color_texture.valid()) {
    if (const auto it = options.extra_base_textures.find(out.name); it != options.extra_base_textures.end())
      out.base_color_texture.image = loader.load(it->second);
  }
  out.emissive_texture = texture_of(in, aiTextureType_EMISSIVE, loader);
  if (out.emissive_texture.valid() && out.emissive == glm::vec3(0.0f)) out.emissive = glm::vec3(1.0f);
  out.normal_texture = texture_of(in, aiTextureType_NORMALS, loader);

  if (options.tilt_brush && apply_tilt_brush_look(out)) {
    // Brush colour lives in the vertex colours; exporters' diffuse values are shader parameters, not tints.
    out.base_color = glm::vec4(1.0f);
    out.emissive = glm::vec3(0.0f);
  }
  return out;
}

}  // namespace

void add_assimp_materials(const aiScene& ai, const AssimpMaterialOptions& options, FileAccess& files,
                          ImageDecoder& images, const LoadLimits& limits, Scene& scene) {
  TextureLoader loader(ai, options, files, images, limits, scene);
  for (unsigned int i = 0; i < ai.mNumMaterials; ++i) {
    if (ai.mMaterials[i] == nullptr) {
      scene.materials.emplace_back();
      continue;
    }
    scene.materials.push_back(convert_material(*ai.mMaterials[i], options, loader, scene.warnings));
  }
}

}  // namespace thumbgen::scene
