#include "support/gltf_loading.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "scene/gltf_loader.h"

namespace thumbgen::test {

using scene::LoadError;

std::vector<std::uint8_t> MemoryFiles::read(std::string_view path) {
  reads.emplace_back(path);
  if (path.find("..") != std::string_view::npos) throw LoadError(std::string(path) + ": path leaves the model folder");
  if (path.find("://") != std::string_view::npos) throw LoadError(std::string(path) + ": network URLs are not allowed");
  auto it = files.find(std::string(path));
  if (it == files.end()) throw LoadError(std::string(path) + ": file not found");
  return it->second;
}

bool MemoryFiles::exists(std::string_view path) { return files.contains(std::string(path)); }

scene::Image FakeDecoder::decode(std::span<const std::uint8_t> bytes, int max_dimension) {
  ++calls;
  if (bytes.size() < 5 || std::memcmp(bytes.data(), "IMG", 3) != 0) throw LoadError("not an image");
  scene::Image image;
  image.width = std::min<int>(bytes[3], max_dimension);
  image.height = std::min<int>(bytes[4], max_dimension);
  image.rgba.assign(static_cast<std::size_t>(image.width * image.height * 4), 255);
  return image;
}

std::vector<std::uint8_t> fake_image(int w, int h) { return {'I', 'M', 'G', std::uint8_t(w), std::uint8_t(h)}; }

std::span<const std::uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

scene::Scene Loader::load(std::span<const std::uint8_t> bytes, const std::string& name) {
  return scene::load_gltf(name, bytes, files, decoder, limits);
}

scene::Scene Loader::load(const std::string& text) { return load(bytes_of(text), "model.gltf"); }

std::string load_error(Loader& loader, std::span<const std::uint8_t> bytes) {
  try {
    loader.load(bytes);
  } catch (const LoadError& e) {
    return e.what();
  }
  return "";
}

scene::Bounds world_bounds(const scene::Scene& scene) {
  scene::Bounds bounds;
  for (const scene::Draw& draw : scene.draws) {
    for (const glm::vec3& p : scene.meshes.at(static_cast<std::size_t>(draw.mesh)).positions) {
      bounds.add(glm::vec3(draw.transform * glm::vec4(p, 1.0f)));
    }
  }
  return bounds;
}

void expect_near(glm::vec3 a, glm::vec3 b, float eps) {
  EXPECT_NEAR(a.x, b.x, eps);
  EXPECT_NEAR(a.y, b.y, eps);
  EXPECT_NEAR(a.z, b.z, eps);
}

nlohmann::json triangle_primitive(int position, int indices, int mode) {
  nlohmann::json p = {{"attributes", {{"POSITION", position}}}, {"mode", mode}};
  if (indices >= 0) p["indices"] = indices;
  return p;
}

int add_triangle(GltfBuilder& b) {
  const std::vector<float> p = {0, 0, 0, 1, 0, 0, 0, 1, 0};
  return b.add_floats(p, "VEC3", true);
}

GltfBuilder single_mesh(nlohmann::json primitive) {
  GltfBuilder b;
  b.append("meshes", {{"primitives", nlohmann::json::array({primitive})}});
  b.append("nodes", {{"mesh", 0}});
  b.append("scenes", {{"nodes", {0}}});
  return b;
}

}  // namespace thumbgen::test
