#include "scene/load.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "scene/gltf_generation.h"
#include "scene/gltf_loader.h"
#include "scene/model_formats.h"
#include "scene/splat_loader.h"
#include "scene/vox_loader.h"
#include "scene/tilt_sketch.h"
#include "util/ascii.h"
#if THUMBGEN_WITH_ASSIMP
#include "scene/assimp_loader.h"
#endif

namespace thumbgen::scene {
namespace {

std::string lower_extension(std::string_view file_name) {
  const auto dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return {};
  return util::to_lower_ascii(file_name.substr(dot + 1));
}

bool starts_with(std::span<const std::uint8_t> bytes, std::string_view prefix) {
  return bytes.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

std::string_view as_text(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// glTF JSON says its version in "asset": {"version": "2.0"}; glTF 1.0 files have "1.0" or no asset at all.
FormatKind gltf_json_version(std::string_view head) {
  const auto asset = head.find("\"asset\"");
  if (asset == std::string_view::npos) return FormatKind::Gltf1;
  const auto version = head.find("\"version\"", asset);
  if (version == std::string_view::npos) return FormatKind::Gltf1;
  const auto quote = head.find('"', head.find(':', version) + 1);
  if (quote == std::string_view::npos || quote + 1 >= head.size()) return FormatKind::Gltf2;
  return head[quote + 1] == '1' ? FormatKind::Gltf1 : FormatKind::Gltf2;
}

std::uint32_t read_u32(std::span<const std::uint8_t> bytes, std::size_t offset) {
  return std::uint32_t(bytes[offset]) | std::uint32_t(bytes[offset + 1]) << 8 | std::uint32_t(bytes[offset + 2]) << 16 |
         std::uint32_t(bytes[offset + 3]) << 24;
}

}  // namespace

FormatKind detect_format(std::string_view file_name, std::span<const std::uint8_t> head) {
  const std::string ext = lower_extension(file_name);
  if (starts_with(head, "glTF") && head.size() >= 8) {
    return read_u32(head, 4) == 1 ? FormatKind::Gltf1 : FormatKind::Gltf2;
  }
  if (starts_with(head, "PK\x03\x04")) {
    // A .tilt sketch is a zip holding data.sketch (its name appears in the first local header or soon after).
    if (ext == "tilt" || as_text(head).find("data.sketch") != std::string_view::npos) return FormatKind::TiltRaw;
    if (ext == "sog" || is_sog_zip_head(head)) return FormatKind::Sog;
    return FormatKind::Other;
  }
  if (starts_with(head, "VOX ")) return FormatKind::Vox;
  if (is_sog_meta(file_name, head)) return FormatKind::Sog;  // before the glTF sniff: SOG v2 meta has an "asset"
  if (ext == "ksplat") return FormatKind::Ksplat;
  if (starts_with(head, "ply")) return is_splat_ply(head) ? FormatKind::SplatPly : FormatKind::Ply;
  if (ext == "spz" || (starts_with(head, "\x1f\x8b") && ext != "gz")) return FormatKind::Spz;
  if (ext == "splat") return FormatKind::Splat;
  if (ext == "gltf") return gltf_json_version(as_text(head));
  if (ext == "stl") return FormatKind::Stl;
  if (ext == "obj") return FormatKind::Obj;
  if (ext == "tilt" || starts_with(head, "tilT")) return FormatKind::TiltRaw;
  if (ext == "glb") return FormatKind::Gltf2;  // a GLB without its magic: let the glTF loader say what is wrong
  // A .json/.txt that is really glTF (some galleries store glTF under other names).
  std::string_view text = as_text(head);
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{' && text.find("\"asset\"") != std::string_view::npos) {
    return gltf_json_version(text);
  }
  return FormatKind::Other;
}

Scene load_scene(const std::string& main_file, FileAccess& files, ImageDecoder& images, const LoadLimits& limits) {
  const std::vector<std::uint8_t> bytes = files.read(main_file);
  if (bytes.empty()) throw LoadError("empty file");
  const std::span<const std::uint8_t> all(bytes);
  FormatKind kind = detect_format(main_file, all.first(std::min<std::size_t>(all.size(), 64 * 1024)));
  // The head only hints at a glTF JSON document's generation: its "asset" may come after the first 64 KiB.
  const bool gltf_json = (kind == FormatKind::Gltf1 || kind == FormatKind::Gltf2) && !starts_with(all, "glTF");
  if (gltf_json) kind = gltf_json_generation(all);

  Scene scene;
  switch (kind) {
    case FormatKind::TiltRaw:
      scene = load_tilt_sketch(all, files, images, limits);
      break;
    case FormatKind::Gltf2:
      scene = load_gltf(main_file, all, files, images, limits);
      break;
    case FormatKind::SplatPly:
      scene.splats.push_back(load_splat_ply(all, limits));
      scene.format = "3DGS PLY";
      break;
    case FormatKind::Spz:
      scene.splats.push_back(load_spz(all, limits));
      scene.format = "SPZ";
      break;
    case FormatKind::Splat:
      scene.splats.push_back(load_dot_splat(all, limits));
      scene.format = "SPLAT";
      break;
    case FormatKind::Vox:
      scene = load_vox(all, limits);
      break;
    case FormatKind::Ksplat:
      scene.splats.push_back(load_ksplat(all, limits));
      scene.format = "KSPLAT";
      break;
    case FormatKind::Sog:
      scene.splats.push_back(load_sog(main_file, all, files, images, limits));
      scene.format = "SOG";
      break;
    case FormatKind::Gltf1:
    case FormatKind::Ply:
    case FormatKind::Stl:
    case FormatKind::Obj:
    case FormatKind::Other:
    case FormatKind::Unknown:
#if THUMBGEN_WITH_ASSIMP
      scene = load_with_assimp(main_file, all, files, images, limits);
      break;
#else
      throw LoadError("unsupported format in this build");
#endif
  }
  if (!scene.has_geometry()) throw LoadError("no geometry: the model has nothing to draw");
  if (!scene.upright) {  // no declaration in the file: its format's convention
    const ModelFormat* format = model_format_for(lower_extension(main_file));
    if (format != nullptr && format->up != UpAxis::PlusY) scene.upright = upright_rotation(format->up);
  }
  return scene;
}

}  // namespace thumbgen::scene
