#include "scene/tilt_sketch.h"

#include <algorithm>
#include <glm/gtc/matrix_transform.hpp>
#include <map>
#include <string>

#include "scene/load_error.h"
#include "scene/srgb.h"
#include "scene/tilt_brush.h"
#include "scene/tilt_brush_families.h"
#include "scene/tilt_brush_glow.h"
#include "scene/tilt_environments.h"
#include "scene/tilt_sketch_data.h"
#include "scene/tilt_sketch_metadata.h"
#include "scene/tilt_stroke_geometry.h"
#include "scene/zip_archive.h"
#include "util/ascii.h"

namespace thumbgen::scene {
namespace {

// Open Brush's metadata.json is a few KB (brush GUIDs, a few transforms, layers); more is a parse-memory bomb, and the
// server reads it too (reference discovery of an upload).
constexpr std::uint64_t kMaxMetadataBytes = 1ull << 20;
// Tilt Brush's thumbnail camera has no stored field of view; this is about what its saved thumbnails show.
constexpr float kThumbnailFovDegrees = 60.0f;
// Unity (left-handed, +Z forward) → right-handed (+Z towards the viewer): mirror Z.
const glm::mat4 kUnityToRightHanded = glm::scale(glm::mat4(1.0f), glm::vec3(1.0f, 1.0f, -1.0f));

// The brush a stroke's index names: its GUID (metadata.json's BrushIndex) and what the brush table knows of it.
struct BrushSlot {
  std::string guid;                      // empty: the index names nothing (default brush)
  std::optional<std::string_view> name;  // nullopt: not in the brush table
  int material = -1;
  int mesh = -1;
};

// A glow brush's stroke colour gets bloomColor's channel floor first (see tilt_brush_glow.h).
glm::vec4 linear_stroke_color(const glm::vec4& stored, bool glow) {
  glm::vec4 c = glm::clamp(stored, 0.0f, 1.0f);
  if (glow) c = tilt_glow_floor(c);
  return {srgb_to_linear(c.r), srgb_to_linear(c.g), srgb_to_linear(c.b), c.a};
}

// One of the brush's textures through FileAccess; -1 when it is not served (the brush named in `missing`, when given)
// or broken (a warning).
int brush_texture(const BrushSlot& brush, std::string_view kind, FileAccess& files, ImageDecoder& images,
                  const LoadLimits& limits, Scene& scene, std::vector<std::string>* missing) {
  const std::string url = tilt_brush_texture_url(*brush.name, brush.guid, kind);
  try {
    if (files.exists(url)) {
      Image image = images.decode(files.read(url), limits.max_texture_dimension);
      if (!image.empty()) {
        scene.images.push_back(std::move(image));
        return static_cast<int>(scene.images.size()) - 1;
      }
    }
  } catch (const LoadError& e) {
    scene.warnings.push_back("brush texture " + url + ": " + e.what());
    return -1;
  }
  if (missing) missing->emplace_back(*brush.name);
  return -1;
}

Material brush_material(const BrushSlot& brush) {
  Material material;
  material.name = brush.name ? std::string(*brush.name) : brush.guid.empty() ? "Tilt Brush stroke" : brush.guid;
  material.metallic = 0.0f;
  material.roughness = 0.8f;
  material.double_sided = true;
  apply_tilt_brush_look(material);  // unknown brushes stay lit, opaque and two-sided: a plain ribbon
  if (const auto gain = brush.name ? tilt_brush_emission_gain(*brush.name) : std::nullopt)
    material.base_color = glm::vec4(glm::vec3(tilt_glow_brightness(*gain)), 1.0f);
  return material;
}

// The thumbnail camera (room space, Unity axes, looking down +Z) as a Scene camera looking down its −Z.
Camera thumbnail_camera(const TiltTransform& pose) {
  Camera camera;
  const glm::mat4 unity_pose = glm::translate(glm::mat4(1.0f), pose.translation) * glm::mat4_cast(pose.rotation);
  camera.world = kUnityToRightHanded * unity_pose * kUnityToRightHanded;
  camera.yfov = glm::radians(kThumbnailFovDegrees);
  return camera;
}

std::string missing_textures_warning(const std::vector<std::string>& missing) {
  std::string names;
  for (const std::string& name : missing) names += (names.empty() ? "" : ", ") + name;
  return "brush textures not available (drawn untextured): " + names;
}

TiltSketchMetadata read_metadata(const ZipArchive& archive, std::vector<std::string>& warnings) {
  if (!archive.contains("metadata.json")) {
    warnings.push_back("no metadata.json: default brush, camera and background");
    return {};
  }
  const std::vector<std::uint8_t> text = archive.read("metadata.json", kMaxMetadataBytes);
  return parse_tilt_metadata({reinterpret_cast<const char*>(text.data()), text.size()}, warnings);
}

// Lit strokes (Ink, OilPaint, ...) get their shape across the stroke from the brush's normal map, where it has one:
// without it a ribbon is one flat colour.
bool wants_normal_map(const Material& material) { return !material.unlit; }

}  // namespace

std::vector<std::string> tilt_sketch_brush_texture_urls(std::span<const std::uint8_t> bytes,
                                                        std::vector<std::string>& warnings) {
  const ZipArchive archive(bytes, "Tilt Brush sketch");
  std::vector<std::string> urls;
  for (const std::string& guid : read_metadata(archive, warnings).brush_guids) {
    const std::optional<std::string_view> name = tilt_brush_name_for_guid(guid);
    if (!name) continue;
    urls.push_back(tilt_brush_texture_url(*name, guid, "MainTex"));
    if (wants_normal_map(brush_material(BrushSlot{guid, name})))
      urls.push_back(tilt_brush_texture_url(*name, guid, "BumpMap"));
  }
  return urls;
}

std::string tilt_brush_texture_url(std::string_view brush_name, std::string_view guid, std::string_view kind) {
  const std::string folder = std::string(brush_name) + "-" + std::string(guid);
  return "https://www.tiltbrush.com/shaders/brushes/" + folder + "/" + folder + "-v10.0-" + std::string(kind) + ".png";
}

Scene load_tilt_sketch(std::span<const std::uint8_t> bytes, FileAccess& files, ImageDecoder& images,
                       const LoadLimits& limits) {
  const ZipArchive archive(bytes, "Tilt Brush sketch");
  if (!archive.contains("data.sketch")) throw LoadError("not a Tilt Brush sketch: the zip has no data.sketch");
  Scene scene;
  scene.format = "Tilt Brush sketch";

  const TiltSketchMetadata metadata = read_metadata(archive, scene.warnings);

  // Every control point makes at least two vertices.
  const TiltSketchData sketch =
      parse_tilt_sketch_data(archive.read("data.sketch", limits.max_file_bytes), limits.max_vertices / 2);

  std::map<int, BrushSlot> brushes;  // by the strokes' brush index
  std::uint64_t vertices = 0;
  for (const TiltStroke& stroke : sketch.strokes) {
    auto [it, added] = brushes.try_emplace(stroke.brush_index);
    BrushSlot& brush = it->second;
    if (added && stroke.brush_index >= 0 &&
        static_cast<std::size_t>(stroke.brush_index) < metadata.brush_guids.size()) {
      brush.guid = metadata.brush_guids[static_cast<std::size_t>(stroke.brush_index)];
      brush.name = tilt_brush_name_for_guid(brush.guid);
    }
    vertices += tilt_stroke_vertex_bound(tilt_brush_shape(brush.name.value_or("")).family, stroke.points.size());
  }
  if (vertices > limits.max_vertices) {
    throw LoadError("sketch too large: its strokes make up to " + std::to_string(vertices) + " vertices (limit " +
                    std::to_string(limits.max_vertices) + ")");
  }

  std::vector<std::string> unknown, missing_textures;
  // One material per brush (its textures decoded once), however often BrushIndex names it; every unknown brush shares
  // the plain ribbon's (key ""): a hostile sketch names thousands.
  std::map<std::string, int> material_of_brush;
  for (auto& [index, brush] : brushes) {
    if (!brush.name) unknown.push_back(brush.guid.empty() ? "index " + std::to_string(index) : brush.guid);
    const std::string key = brush.name ? util::to_lower_ascii(brush.guid) : std::string();
    if (const auto known = material_of_brush.find(key); known != material_of_brush.end()) {
      brush.material = known->second;
      continue;
    }
    Material material = brush_material(brush);
    if (brush.name) {
      material.base_color_texture.image =
          brush_texture(brush, "MainTex", files, images, limits, scene, &missing_textures);
      if (wants_normal_map(material) && material.base_color_texture.image >= 0)
        material.normal_texture.image = brush_texture(brush, "BumpMap", files, images, limits, scene, nullptr);
    }
    scene.materials.push_back(std::move(material));
    brush.material = static_cast<int>(scene.materials.size()) - 1;
    material_of_brush.emplace(key, brush.material);
  }
  std::map<int, int> mesh_of_material;
  for (std::size_t i = 0; i < sketch.strokes.size(); ++i) {
    const TiltStroke& stroke = sketch.strokes[i];
    BrushSlot& brush = brushes.at(stroke.brush_index);
    if (brush.mesh < 0) {
      auto [mesh, added] = mesh_of_material.try_emplace(brush.material, static_cast<int>(scene.meshes.size()));
      if (added) scene.meshes.emplace_back().material = brush.material;
      brush.mesh = mesh->second;
    }
    const bool glow = brush.name && tilt_brush_emission_gain(*brush.name);
    append_tilt_stroke(stroke, tilt_brush_shape(brush.name.value_or("")), linear_stroke_color(stroke.color, glow), i,
                       scene.meshes[static_cast<std::size_t>(brush.mesh)]);
  }
  if (!unknown.empty()) {
    constexpr std::size_t kListed = 10;
    std::string list;
    for (std::size_t i = 0; i < std::min(unknown.size(), kListed); ++i) list += (i == 0 ? "" : ", ") + unknown[i];
    if (unknown.size() > kListed) list += " and " + std::to_string(unknown.size() - kListed) + " more";
    scene.warnings.push_back("unknown brushes drawn as plain ribbons: " + list);
  }
  if (!missing_textures.empty()) scene.warnings.push_back(missing_textures_warning(missing_textures));

  // Strokes are in canvas space; the canvas sits in the scene, the scene in the room, where the camera is.
  const glm::mat4 canvas_in_room = metadata.scene_in_room.matrix() * metadata.canvas_in_scene.matrix();
  for (std::size_t i = 0; i < scene.meshes.size(); ++i) {
    if (!scene.meshes[i].positions.empty())
      scene.draws.push_back({static_cast<int>(i), kUnityToRightHanded * canvas_in_room});
  }
  if (metadata.thumbnail_camera) scene.cameras.push_back(thumbnail_camera(*metadata.thumbnail_camera));
  scene.background = tilt_sky_gradient_background(metadata.sky_gradient);
  if (!scene.background) scene.background = tilt_environment_background(metadata.environment_guid);
  return scene;
}

}  // namespace thumbgen::scene
