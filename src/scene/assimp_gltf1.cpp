#include "scene/assimp_gltf1.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "scene/assimp_io.h"
#include "scene/load_error.h"
#include "util/ascii.h"

namespace thumbgen::scene {
namespace {

using nlohmann::json;

std::uint32_t read_u32(std::span<const std::uint8_t> bytes, size_t offset) {
  std::uint32_t value = 0;
  std::memcpy(&value, bytes.data() + offset, 4);
  return value;  // little-endian hosts only (x86, wasm)
}

const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// A texture parameter whose name says it is the colour: Tilt Brush "MainTex", common "diffuse"/"baseColor".
bool is_colour_texture_parameter(std::string_view name) {
  const std::string key = util::to_lower_ascii(name);
  return key.find("maintex") != std::string::npos || key == "diffuse" || key == "u_diffuse" ||
         key.find("basecolor") != std::string::npos;
}

// The image key for a texture id: its URI, or "glb:<image id>" after copying GLB-embedded bytes.
std::string image_key(const json& root, const std::string& texture_id, std::span<const std::uint8_t> body,
                      AssimpMaterialOptions& options) {
  const json* textures = member(root, "textures");
  const json* texture = textures ? member(*textures, texture_id.c_str()) : nullptr;
  const json* source = texture ? member(*texture, "source") : nullptr;
  if (source == nullptr || !source->is_string()) return {};
  const std::string image_id = source->get<std::string>();
  const json* images = member(root, "images");
  const json* image = images ? member(*images, image_id.c_str()) : nullptr;
  if (image == nullptr) return {};
  const json* extensions = member(*image, "extensions");
  const json* binary = extensions ? member(*extensions, "KHR_binary_glTF") : nullptr;
  const json* view_id = binary ? member(*binary, "bufferView") : nullptr;
  if (view_id != nullptr && view_id->is_string()) {
    const json* views = member(root, "bufferViews");
    const json* view = views ? member(*views, view_id->get<std::string>().c_str()) : nullptr;
    const json* offset = view ? member(*view, "byteOffset") : nullptr;
    const json* length = view ? member(*view, "byteLength") : nullptr;
    if (length == nullptr || !length->is_number_unsigned()) return {};
    const std::uint64_t start = offset && offset->is_number_unsigned() ? offset->get<std::uint64_t>() : 0;
    const std::uint64_t size = length->get<std::uint64_t>();
    if (start > body.size() || size > body.size() - start) return {};
    std::string key = "glb:" + image_id;
    options.extra_texture_bytes[key] = std::string(reinterpret_cast<const char*>(body.data() + start), size);
    return key;
  }
  const json* uri = member(*image, "uri");
  if (uri == nullptr || !uri->is_string()) return {};
  std::string value = uri->get<std::string>();
  if (value.starts_with("data:")) return {};  // assimp decodes data URIs it understands; rare for techniques
  return value;
}

bool has_entry(const json& root, const char* dictionary, const json& id) {
  const json* entries = member(root, dictionary);
  return id.is_string() && entries != nullptr && member(*entries, id.get<std::string>().c_str()) != nullptr;
}

// Calls visit(id, entry) for each entry of a glTF 1.0 dictionary (an object keyed by id).
template <typename Visit>
void for_each_entry(json& root, const char* dictionary, Visit visit) {
  const auto it = root.find(dictionary);
  if (it == root.end() || !it->is_object()) return;
  for (auto& [id, entry] : it->items()) visit(id, entry);
}

json* object_member(json& object, const char* key) {
  const auto it = object.is_object() ? object.find(key) : object.end();
  return it == object.end() ? nullptr : &*it;
}

// Drops the ids of `list` (an array of ids) that name nothing in `dictionary`; says which.
void drop_dangling_ids(const json& root, json* list, const char* dictionary, const std::string& owner,
                       std::vector<std::string>& warnings) {
  if (list == nullptr || !list->is_array()) return;
  for (auto id = list->begin(); id != list->end();) {
    if (has_entry(root, dictionary, *id)) {
      ++id;
      continue;
    }
    warnings.push_back("glTF 1.0: " + owner + " names " + dictionary + " " + id->dump() +
                       ", which does not exist: left out");
    id = list->erase(id);
  }
}

// Removes the entries of `dictionary` whose `key` names nothing in `target` (`exempt` excepted); says which.
void drop_entries_naming_nothing(json& root, const char* dictionary, const char* key, const char* target,
                                 const char* exempt, std::vector<std::string>& warnings) {
  const auto entries = root.find(dictionary);
  if (entries == root.end() || !entries->is_object()) return;
  for (auto entry = entries->begin(); entry != entries->end();) {
    const json* id = member(*entry, key);
    if (id == nullptr || has_entry(root, target, *id) || (id->is_string() && *id == exempt)) {
      ++entry;
      continue;
    }
    warnings.push_back("glTF 1.0: " + std::string(dictionary) + " \"" + entry.key() + "\" names " + target + " " +
                       id->dump() + ", which does not exist: left out");
    entry = entries->erase(entry);
  }
}

// The data chain a primitive draws from: buffer views naming no buffer, accessors naming no view, then primitives
// naming no accessor. An attribute naming nothing is left out; a primitive whose positions or indices name nothing
// cannot be drawn and is left out whole.
void repair_dangling_data(json& root, std::vector<std::string>& warnings) {
  // KHR_binary_glTF's body is the buffer "binary_glTF", whether or not "buffers" lists it.
  drop_entries_naming_nothing(root, "bufferViews", "buffer", "buffers", "binary_glTF", warnings);
  drop_entries_naming_nothing(root, "accessors", "bufferView", "bufferViews", "", warnings);
  for_each_entry(root, "meshes", [&](const std::string& id, json& mesh) {
    json* primitives = object_member(mesh, "primitives");
    if (primitives == nullptr || !primitives->is_array()) return;
    std::size_t index = 0;
    for (auto primitive = primitives->begin(); primitive != primitives->end(); ++index) {
      const std::string owner = "mesh \"" + id + "\" primitive " + std::to_string(index);
      bool drawable = true;
      if (json* attributes = object_member(*primitive, "attributes"); attributes && attributes->is_object()) {
        for (auto attribute = attributes->begin(); attribute != attributes->end();) {
          if (has_entry(root, "accessors", *attribute)) {
            ++attribute;
            continue;
          }
          const bool positions = attribute.key() == "POSITION";
          warnings.push_back("glTF 1.0: " + owner + " names accessor " + attribute->dump() +
                             ", which does not exist: " + (positions ? "the primitive is left out" : "left out"));
          drawable = drawable && !positions;
          attribute = attributes->erase(attribute);
        }
      }
      if (const json* indices = object_member(*primitive, "indices");
          indices && !has_entry(root, "accessors", *indices)) {
        warnings.push_back("glTF 1.0: " + owner + " names accessor " + indices->dump() +
                           " for its indices, which does not exist: the primitive is left out");
        drawable = false;
      }
      primitive = drawable ? primitive + 1 : primitives->erase(primitive);
    }
  });
}

// assimp's glTF 1.0 reader fails the whole asset ("No suitable reader") on one id that names nothing, where the
// browsers' loaders draw what they can. So does this, by removing such references; a primitive's missing
// material becomes kGltf1DefaultMaterial. Returns a warning per repair (none: the JSON is unchanged).
std::vector<std::string> repair_dangling_references(json& root) {
  std::vector<std::string> warnings;
  repair_dangling_data(root, warnings);
  for_each_entry(root, "textures", [&](const std::string& id, json& texture) {
    const json* sampler = object_member(texture, "sampler");
    if (sampler == nullptr || has_entry(root, "samplers", *sampler)) return;
    warnings.push_back("glTF 1.0: texture \"" + id + "\" names sampler " + sampler->dump() +
                       ", which does not exist: default sampling");
    texture.erase("sampler");
  });
  const json* textures = member(root, "textures");
  for_each_entry(root, "materials", [&](const std::string& id, json& material) {
    json* values = object_member(material, "values");
    if (values == nullptr || !values->is_object()) return;
    for (auto value = values->begin(); value != values->end();) {
      // In glTF 1.0 material values, a string is a texture id; the texture must name an existing image.
      const json* texture =
          value->is_string() && textures != nullptr ? member(*textures, value->get<std::string>().c_str()) : nullptr;
      const json* source = texture != nullptr ? member(*texture, "source") : nullptr;
      if (!value->is_string() || (source != nullptr && has_entry(root, "images", *source))) {
        ++value;
        continue;
      }
      warnings.push_back("glTF 1.0: material \"" + id + "\" names texture " + value->dump() +
                         ", which does not exist or has no image: left out");
      value = values->erase(value);
    }
  });
  bool default_material = false;
  for_each_entry(root, "meshes", [&](const std::string& id, json& mesh) {
    json* primitives = object_member(mesh, "primitives");
    if (primitives == nullptr || !primitives->is_array()) return;
    for (json& primitive : *primitives) {
      const json* material = object_member(primitive, "material");
      if (material == nullptr || has_entry(root, "materials", *material)) continue;
      warnings.push_back("glTF 1.0: mesh \"" + id + "\" names material " + material->dump() +
                         ", which does not exist: drawn with the default material");
      primitive["material"] = kGltf1DefaultMaterial;
      default_material = true;
    }
  });
  if (default_material) root["materials"][kGltf1DefaultMaterial] = json::object();
  for_each_entry(root, "nodes", [&](const std::string& id, json& node) {
    const std::string owner = "node \"" + id + "\"";
    drop_dangling_ids(root, object_member(node, "meshes"), "meshes", owner, warnings);
    drop_dangling_ids(root, object_member(node, "children"), "nodes", owner, warnings);
    const json* camera = object_member(node, "camera");
    if (camera == nullptr || has_entry(root, "cameras", *camera)) return;
    warnings.push_back("glTF 1.0: " + owner + " names camera " + camera->dump() + ", which does not exist: left out");
    node.erase("camera");
  });
  for_each_entry(root, "scenes", [&](const std::string& id, json& scene) {
    drop_dangling_ids(root, object_member(scene, "nodes"), "nodes", "scene \"" + id + "\"", warnings);
  });
  const json* scene = object_member(root, "scene");
  if (scene != nullptr && !has_entry(root, "scenes", *scene)) {
    warnings.push_back("glTF 1.0: the default scene " + scene->dump() + " does not exist: left out");
    root.erase("scene");
  }
  return warnings;
}

}  // namespace

Gltf1ForAssimp gltf1_for_assimp(std::span<const std::uint8_t> bytes) {
  const bool glb = bytes.size() >= 20 && std::memcmp(bytes.data(), "glTF", 4) == 0;
  size_t json_start = 0, json_size = bytes.size();
  if (glb) {
    if (read_u32(bytes, 4) != 1) return {};
    if (read_u32(bytes, 12) > bytes.size() - 20) throw LoadError("truncated GLB: JSON chunk exceeds file size");
    json_start = 20;
    json_size = read_u32(bytes, 12);
  }
  // A GLB a few bytes short of its declared length (seen in the wild: the last image cut off) still has its
  // geometry: pad it rather than lose the model. Larger gaps stay errors.
  constexpr std::uint64_t kMaxPadding = 4096;
  const std::uint64_t declared = glb ? read_u32(bytes, 8) : bytes.size();
  const std::uint64_t padding = declared > bytes.size() ? declared - bytes.size() : 0;
  if (padding > kMaxPadding) throw LoadError("truncated GLB: header length exceeds file size");
  const auto text = bytes.subspan(json_start, json_size);
  json root;
  try {
    root = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    // Said here: assimp would only report that no reader suits the file.
    throw LoadError(std::string("invalid glTF JSON: ") + e.what());
  }
  if (!root.is_object()) return {};
  Gltf1ForAssimp result;
  result.warnings = repair_dangling_references(root);
  const json* asset = member(root, "asset");
  const bool has_version = asset != nullptr && member(*asset, "version") != nullptr;
  const bool needs_padding = glb && padding > 0;
  // assimp starts the body at the next multiple of 4 after the JSON; the browsers' loaders (and the exporters
  // that leave the JSON unpadded) start it right after. Spaces after the JSON make both agree.
  const bool unaligned = glb && json_size % 4 != 0;
  if (has_version && !needs_padding && !unaligned && result.warnings.empty()) return result;

  std::string new_json;
  if (!result.warnings.empty()) {
    if (!has_version) root["asset"]["version"] = "1.0";
    new_json = root.dump();
  } else {
    // Only the version to add: the JSON stays as written. A leading "asset" member wins over a later one
    // (assimp's JSON lookup takes the first).
    const auto brace = std::find(text.begin(), text.end(), '{');
    if (brace == text.end()) return {};
    new_json.assign(text.begin(), brace + 1);
    if (!has_version) new_json += R"("asset":{"version":"1.0"},)";
    new_json.append(brace + 1, text.end());
  }
  if (glb) new_json.append((4 - new_json.size() % 4) % 4, ' ');
  std::vector<std::uint8_t> out;
  if (glb) out.assign(bytes.begin(), bytes.begin() + 20);  // the GLB header; lengths are set below
  out.insert(out.end(), new_json.begin(), new_json.end());
  out.insert(out.end(), bytes.begin() + json_start + json_size, bytes.end());
  if (glb) {
    if (needs_padding) out.resize(out.size() + padding, 0);
    const std::uint32_t total = static_cast<std::uint32_t>(out.size());
    const std::uint32_t content = static_cast<std::uint32_t>(new_json.size());
    std::memcpy(out.data() + 8, &total, 4);
    std::memcpy(out.data() + 12, &content, 4);
  }
  result.bytes = std::move(out);
  return result;
}

void find_gltf1_technique_textures(std::span<const std::uint8_t> bytes, AssimpMaterialOptions& options) {
  std::span<const std::uint8_t> text = bytes;
  std::span<const std::uint8_t> body;
  if (bytes.size() >= 20 && std::memcmp(bytes.data(), "glTF", 4) == 0) {
    if (read_u32(bytes, 4) != 1) return;
    const std::uint64_t content_length = read_u32(bytes, 12);
    if (content_length > bytes.size() - 20) return;
    text = bytes.subspan(20, content_length);
    body = bytes.subspan(20 + content_length);
  }
  const json root = json::parse(text.begin(), text.end(), nullptr, false);
  const json* materials = member(root, "materials");
  if (materials == nullptr || !materials->is_object()) return;
  for (const auto& [id, material] : materials->items()) {
    const json* values = member(material, "values");
    if (values == nullptr || !values->is_object()) continue;
    for (const auto& [parameter, value] : values->items()) {
      if (!value.is_string() || !is_colour_texture_parameter(parameter)) continue;
      const std::string key = image_key(root, value.get<std::string>(), body, options);
      if (key.empty()) continue;
      options.extra_base_textures.emplace(id, key);
      if (const json* name = member(material, "name"); name && name->is_string())
        options.extra_base_textures.emplace(name->get<std::string>(), key);
      break;
    }
  }
}

namespace {

// Splits a GLB v1 into its JSON and body; a .gltf is all JSON.
void split_glb(std::span<const std::uint8_t> bytes, std::span<const std::uint8_t>& text,
               std::span<const std::uint8_t>& body) {
  text = bytes;
  body = {};
  if (bytes.size() >= 20 && std::memcmp(bytes.data(), "glTF", 4) == 0 && read_u32(bytes, 4) == 1) {
    const std::uint64_t content_length = read_u32(bytes, 12);
    if (content_length > bytes.size() - 20) return;
    text = bytes.subspan(20, content_length);
    body = bytes.subspan(20 + content_length);
  }
}

std::uint64_t number(const json* value, std::uint64_t fallback = 0) {
  return value != nullptr && value->is_number_unsigned() ? value->get<std::uint64_t>() : fallback;
}

// One colour accessor (float, or normalized unsigned byte/short; VEC3 or VEC4) → RGBA.
std::vector<glm::vec4> read_color_accessor(const json& root, const std::string& accessor_id,
                                           std::span<const std::uint8_t> body, FileAccess& files,
                                           std::uint64_t max_file_bytes,
                                           std::map<std::string, std::vector<std::uint8_t>>& buffers) {
  const json* accessors = member(root, "accessors");
  const json* accessor = accessors ? member(*accessors, accessor_id.c_str()) : nullptr;
  if (accessor == nullptr) return {};
  const json* type = member(*accessor, "type");
  const int components = type && type->is_string() ? (*type == "VEC4" ? 4 : *type == "VEC3" ? 3 : 0) : 0;
  const std::uint64_t component_type = number(member(*accessor, "componentType"));
  const std::uint64_t component_size = component_type == 5126   ? 4
                                       : component_type == 5123 ? 2
                                       : component_type == 5121 ? 1
                                                                : 0;
  const json* view_id = member(*accessor, "bufferView");
  const json* views = member(root, "bufferViews");
  const json* view =
      views && view_id && view_id->is_string() ? member(*views, view_id->get<std::string>().c_str()) : nullptr;
  const json* buffer_id = view ? member(*view, "buffer") : nullptr;
  if (components == 0 || component_size == 0 || buffer_id == nullptr || !buffer_id->is_string()) return {};

  const std::string buffer_name = buffer_id->get<std::string>();
  std::span<const std::uint8_t> buffer;
  if (buffer_name == "binary_glTF") {
    buffer = body;
  } else {
    auto it = buffers.find(buffer_name);
    if (it == buffers.end()) {
      const json* all = member(root, "buffers");
      const json* entry = all ? member(*all, buffer_name.c_str()) : nullptr;
      const json* uri = entry ? member(*entry, "uri") : nullptr;
      std::vector<std::uint8_t> data;
      if (uri && uri->is_string() && !uri->get<std::string>().starts_with("data:")) {
        try {
          data = read_side_file(files, uri->get<std::string>(), max_file_bytes);
        } catch (const LoadError&) {
        }
      }
      it = buffers.emplace(buffer_name, std::move(data)).first;
    }
    buffer = it->second;
  }

  const std::uint64_t count = number(member(*accessor, "count"));
  const std::uint64_t element = component_size * components;
  const std::uint64_t stride = std::max(number(member(*accessor, "byteStride")), element);
  const std::uint64_t start = number(member(*view, "byteOffset")) + number(member(*accessor, "byteOffset"));
  const std::uint64_t view_end = number(member(*view, "byteOffset")) + number(member(*view, "byteLength"));
  if (count == 0 || count > (1u << 28) || view_end > buffer.size()) return {};
  if (start > view_end || (count - 1) * stride + element > view_end - start) return {};

  std::vector<glm::vec4> colors(count, glm::vec4(1.0f));
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::uint8_t* p = buffer.data() + start + i * stride;
    for (int c = 0; c < components; ++c) {
      float value = 0.0f;
      if (component_size == 4) {
        std::memcpy(&value, p + c * 4, 4);
      } else if (component_size == 2) {
        std::uint16_t v;
        std::memcpy(&v, p + c * 2, 2);
        value = v / 65535.0f;
      } else {
        value = p[c] / 255.0f;
      }
      colors[i][c] = value;
    }
  }
  return colors;
}

}  // namespace

std::map<std::string, std::vector<glm::vec4>> read_gltf1_colors(std::span<const std::uint8_t> bytes, FileAccess& files,
                                                                std::uint64_t max_file_bytes) {
  std::map<std::string, std::vector<glm::vec4>> result;
  std::span<const std::uint8_t> text, body;
  split_glb(bytes, text, body);
  const json root = json::parse(text.begin(), text.end(), nullptr, false);
  const json* meshes = member(root, "meshes");
  if (meshes == nullptr || !meshes->is_object()) return result;
  std::map<std::string, std::vector<std::uint8_t>> buffers;
  for (const auto& [id, mesh] : meshes->items()) {
    const json* primitives = member(mesh, "primitives");
    if (primitives == nullptr || !primitives->is_array()) continue;
    for (size_t p = 0; p < primitives->size(); ++p) {
      const json* attributes = member((*primitives)[p], "attributes");
      const json* color = attributes ? member(*attributes, "COLOR") : nullptr;
      if (color == nullptr && attributes != nullptr) color = member(*attributes, "COLOR_0");
      if (color == nullptr || !color->is_string()) continue;
      std::vector<glm::vec4> colors =
          read_color_accessor(root, color->get<std::string>(), body, files, max_file_bytes, buffers);
      if (colors.empty()) continue;
      result[primitives->size() == 1 ? id : id + "-" + std::to_string(p)] = std::move(colors);
    }
  }
  return result;
}

}  // namespace thumbgen::scene
