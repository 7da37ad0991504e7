// Internal to the glTF loader: glTF materials/textures/images → Scene::materials and Scene::images.
#pragma once

#include "scene/gltf_document.h"
#include "scene/image_decoder.h"
#include "scene/scene.h"

namespace thumbgen::scene::gltf {

// Fills scene.materials (same indices as the glTF materials) and scene.images (only the images a material uses,
// each decoded once). A texture that cannot be read or decoded becomes a warning; the material renders without it.
void load_materials(Document& doc, ImageDecoder& decoder, Scene& scene);

// KHR_texture_transform's UV matrix T * R * S (column-major, as the extension's GLSL defines it).
glm::mat3 texture_transform_matrix(glm::vec2 offset, float rotation, glm::vec2 scale);

}  // namespace thumbgen::scene::gltf
