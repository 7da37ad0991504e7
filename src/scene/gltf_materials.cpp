#include "scene/gltf_materials.h"

#include <cmath>
#include <map>

#include "scene/load_error.h"
#include "scene/tilt_brush.h"

namespace thumbgen::scene::gltf {
namespace {

Wrap to_wrap(int mode) {
  switch (mode) {
    case TINYGLTF_TEXTURE_WRAP_CLAMP_TO_EDGE:
      return Wrap::ClampToEdge;
    case TINYGLTF_TEXTURE_WRAP_MIRRORED_REPEAT:
      return Wrap::MirroredRepeat;
    default:
      return Wrap::Repeat;
  }
}

glm::vec2 vec2_or(const tinygltf::Value* value, glm::vec2 fallback) {
  if (value == nullptr || !value->IsArray() || value->ArrayLen() < 2) return fallback;
  return {number_or(&value->Get(0), fallback.x), number_or(&value->Get(1), fallback.y)};
}

bool is_ktx2(const ImageSource& source) {
  const auto ends_with = [](const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return source.mime_type == "image/ktx2" || ends_with(source.uri, ".ktx2") ||
         source.uri.rfind("data:image/ktx2", 0) == 0;
}

class MaterialBuilder {
 public:
  MaterialBuilder(Document& doc, ImageDecoder& decoder, Scene& scene) : doc_(doc), decoder_(decoder), scene_(scene) {}

  // A textureInfo given as its parts (tinygltf parses core ones; extension ones arrive as Values).
  TextureRef texture(int texture_index, int texcoord, const tinygltf::ExtensionMap* extensions,
                     const tinygltf::Value* extensions_value) {
    TextureRef ref;
    if (texture_index < 0) return ref;
    if (static_cast<std::size_t>(texture_index) >= doc_.model.textures.size()) {
      warn("missing texture " + std::to_string(texture_index));
      return ref;
    }
    const tinygltf::Texture& texture = doc_.model.textures[static_cast<std::size_t>(texture_index)];
    ref.image = image(source_image(texture));
    if (!ref.valid()) return ref;

    ref.texcoord = texcoord;
    if (texture.sampler >= 0 && static_cast<std::size_t>(texture.sampler) < doc_.model.samplers.size()) {
      const tinygltf::Sampler& sampler = doc_.model.samplers[static_cast<std::size_t>(texture.sampler)];
      ref.wrap_s = to_wrap(sampler.wrapS);
      ref.wrap_t = to_wrap(sampler.wrapT);
      ref.nearest = sampler.magFilter == TINYGLTF_TEXTURE_FILTER_NEAREST;
    }
    const tinygltf::Value* transform = nullptr;
    if (extensions) transform = find_extension(*extensions, "KHR_texture_transform");
    if (!transform && extensions_value) transform = find_member(*extensions_value, "KHR_texture_transform");
    if (transform) {
      ref.transform = texture_transform_matrix(vec2_or(find_member(*transform, "offset"), {0, 0}),
                                               static_cast<float>(number_or(find_member(*transform, "rotation"), 0)),
                                               vec2_or(find_member(*transform, "scale"), {1, 1}));
      ref.texcoord = static_cast<int>(number_or(find_member(*transform, "texCoord"), ref.texcoord));
    }
    ref.texcoord = ref.texcoord == 1 ? 1 : 0;  // Scene has uv0 and uv1 only
    return ref;
  }

  TextureRef texture(const tinygltf::TextureInfo& info) {
    return texture(info.index, info.texCoord, &info.extensions, nullptr);
  }

  // A textureInfo inside an extension (KHR_materials_pbrSpecularGlossiness).
  TextureRef texture(const tinygltf::Value* info) {
    if (info == nullptr || !info->IsObject()) return {};
    return texture(static_cast<int>(number_or(find_member(*info, "index"), -1)),
                   static_cast<int>(number_or(find_member(*info, "texCoord"), 0)), nullptr,
                   find_member(*info, "extensions"));
  }

  void warn(std::string message) { scene_.warnings.push_back(std::move(message)); }

 private:
  // The image a texture shows: the core source, else an extension's (EXT_texture_webp, KHR_texture_basisu).
  int source_image(const tinygltf::Texture& texture) {
    if (texture.source >= 0) return texture.source;
    for (const char* name : {"EXT_texture_webp", "KHR_texture_basisu", "EXT_texture_avif", "MSFT_texture_dds"}) {
      if (const tinygltf::Value* ext = find_extension(texture.extensions, name)) {
        return static_cast<int>(number_or(find_member(*ext, "source"), -1));
      }
    }
    return -1;
  }

  // glTF image index → Scene::images index, decoding each image once; -1 when it cannot be used.
  int image(int gltf_image) {
    if (gltf_image < 0 || static_cast<std::size_t>(gltf_image) >= doc_.image_count()) return -1;
    if (auto it = decoded_.find(gltf_image); it != decoded_.end()) return it->second;
    int result = -1;
    const ImageSource& source = doc_.image_source(gltf_image);
    const std::string label = "texture image " + std::to_string(gltf_image) +
                              (source.uri.empty() || source.uri.rfind("data:", 0) == 0 ? "" : " (" + source.uri + ")");
    if (is_ktx2(source)) {
      warn(label + ": KTX2/Basis Universal textures are not supported");
    } else {
      try {
        const std::vector<std::uint8_t> bytes = doc_.image_bytes(gltf_image);
        Image decoded = decoder_.decode(bytes, doc_.limits().max_texture_dimension);
        if (decoded.empty()) throw LoadError("empty image");
        scene_.images.push_back(std::move(decoded));
        result = static_cast<int>(scene_.images.size()) - 1;
      } catch (const LoadError& e) {
        warn(label + ": " + e.what());
      }
    }
    decoded_.emplace(gltf_image, result);
    return result;
  }

  Document& doc_;
  ImageDecoder& decoder_;
  Scene& scene_;
  std::map<int, int> decoded_;
};

glm::vec4 vec4_from(const std::vector<double>& values, glm::vec4 fallback) {
  if (values.size() < 4) return fallback;
  return {values[0], values[1], values[2], values[3]};
}

Material build_material(const tinygltf::Material& source, MaterialBuilder& builder) {
  Material material;
  material.name = source.name;
  const tinygltf::PbrMetallicRoughness& pbr = source.pbrMetallicRoughness;
  material.base_color = vec4_from(pbr.baseColorFactor, glm::vec4(1.0f));
  material.base_color_texture = builder.texture(pbr.baseColorTexture);
  material.metallic = static_cast<float>(pbr.metallicFactor);
  material.roughness = static_cast<float>(pbr.roughnessFactor);
  material.metallic_roughness_texture = builder.texture(pbr.metallicRoughnessTexture);
  material.normal_texture = builder.texture(source.normalTexture.index, source.normalTexture.texCoord,
                                            &source.normalTexture.extensions, nullptr);
  material.normal_scale = static_cast<float>(source.normalTexture.scale);
  material.occlusion_texture = builder.texture(source.occlusionTexture.index, source.occlusionTexture.texCoord,
                                               &source.occlusionTexture.extensions, nullptr);
  material.occlusion_strength = static_cast<float>(source.occlusionTexture.strength);
  if (source.emissiveFactor.size() >= 3) {
    material.emissive = {source.emissiveFactor[0], source.emissiveFactor[1], source.emissiveFactor[2]};
  }
  material.emissive_texture = builder.texture(source.emissiveTexture);
  if (source.alphaMode == "MASK") {
    material.alpha_mode = AlphaMode::Mask;
  } else if (source.alphaMode == "BLEND") {
    material.alpha_mode = AlphaMode::Blend;
  }
  material.alpha_cutoff = static_cast<float>(source.alphaCutoff);
  material.double_sided = source.doubleSided;

  if (const tinygltf::Value* strength = find_extension(source.extensions, "KHR_materials_emissive_strength")) {
    material.emissive *= static_cast<float>(number_or(find_member(*strength, "emissiveStrength"), 1.0));
  }
  material.unlit = find_extension(source.extensions, "KHR_materials_unlit") != nullptr;

  // Older assets only carry specular-glossiness: keep the diffuse as base colour, as a dielectric. An asset that
  // also gives textured metallic-roughness (the fallback the extension asks authors for) is drawn with that:
  // this renderer is metallic-roughness, and the spec-gloss textures are then never decoded.
  const bool has_core_textures = pbr.baseColorTexture.index >= 0 || pbr.metallicRoughnessTexture.index >= 0;
  const tinygltf::Value* sg = find_extension(source.extensions, "KHR_materials_pbrSpecularGlossiness");
  if (sg && !has_core_textures) {
    if (const tinygltf::Value* diffuse = find_member(*sg, "diffuseFactor");
        diffuse && diffuse->IsArray() && diffuse->ArrayLen() >= 4) {
      for (int c = 0; c < 4; ++c) material.base_color[c] = static_cast<float>(number_or(&diffuse->Get(c), 1.0));
    }
    if (TextureRef diffuse_texture = builder.texture(find_member(*sg, "diffuseTexture")); diffuse_texture.valid()) {
      material.base_color_texture = diffuse_texture;
    }
    material.metallic = 0.0f;
    material.roughness = 1.0f - static_cast<float>(number_or(find_member(*sg, "glossinessFactor"), 1.0));
    material.metallic_roughness_texture = {};  // the spec-gloss texture does not map to metal/rough
  }
  // Tilt Brush / Open Brush exports name the brush's GUID in GOOGLE_tilt_brush_material: it decides over the name.
  std::string brush = material.name;
  if (const tinygltf::Value* tilt = find_extension(source.extensions, "GOOGLE_tilt_brush_material")) {
    if (const tinygltf::Value* guid = find_member(*tilt, "guid"); guid && guid->IsString())
      brush = guid->Get<std::string>() + " " + brush;
  }
  apply_tilt_brush_look(material, brush);
  return material;
}

}  // namespace

glm::mat3 texture_transform_matrix(glm::vec2 offset, float rotation, glm::vec2 scale) {
  const float c = std::cos(rotation), s = std::sin(rotation);
  const glm::mat3 translation(1, 0, 0, 0, 1, 0, offset.x, offset.y, 1);
  const glm::mat3 rotate(c, s, 0, -s, c, 0, 0, 0, 1);  // the extension's GLSL, column by column
  const glm::mat3 scaling(scale.x, 0, 0, 0, scale.y, 0, 0, 0, 1);
  return translation * rotate * scaling;
}

void load_materials(Document& doc, ImageDecoder& decoder, Scene& scene) {
  MaterialBuilder builder(doc, decoder, scene);
  scene.materials.reserve(doc.model.materials.size());
  for (const tinygltf::Material& source : doc.model.materials)
    scene.materials.push_back(build_material(source, builder));
}

}  // namespace thumbgen::scene::gltf
