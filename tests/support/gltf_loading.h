// Running the glTF 2.0 loader on fixtures from support/gltf_writer: an in-memory model folder, a fake image
// decoder, and the small document builders and checks the gltf_*_test files share.
#pragma once

#include <glm/glm.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scene/file_access.h"
#include "scene/image_decoder.h"
#include "scene/load.h"
#include "scene/scene.h"
#include "support/gltf_writer.h"

namespace thumbgen::test {

// In-memory model folder that refuses what the real one refuses ("..", URLs) and records what was read.
class MemoryFiles : public scene::FileAccess {
 public:
  std::map<std::string, std::vector<std::uint8_t>> files;
  std::vector<std::string> reads;

  std::vector<std::uint8_t> read(std::string_view path) override;
  bool exists(std::string_view path) override;
};

// "Decodes" images of the form "IMG" w h (bytes); anything else fails like a corrupt file. Counts its calls.
class FakeDecoder : public scene::ImageDecoder {
 public:
  int calls = 0;
  scene::Image decode(std::span<const std::uint8_t> bytes, int max_dimension) override;
};

// An image FakeDecoder decodes to w×h.
std::vector<std::uint8_t> fake_image(int w, int h);

std::span<const std::uint8_t> bytes_of(const std::string& text);

template <typename T>
std::span<const std::uint8_t> raw(const std::vector<T>& v) {
  return {reinterpret_cast<const std::uint8_t*>(v.data()), v.size() * sizeof(T)};
}

// load_gltf() on a MemoryFiles folder with a FakeDecoder.
struct Loader {
  MemoryFiles files;
  FakeDecoder decoder;
  scene::LoadLimits limits;
  scene::Scene load(std::span<const std::uint8_t> bytes, const std::string& name = "model.glb");
  scene::Scene load(const std::string& text);  // as "model.gltf"
};

// The LoadError's text, or "" when the bytes loaded.
std::string load_error(Loader& loader, std::span<const std::uint8_t> bytes);

// The bounds of every drawn mesh in world space.
scene::Bounds world_bounds(const scene::Scene& scene);
void expect_near(glm::vec3 a, glm::vec3 b, float eps = 1e-4f);

// One triangle primitive from raw accessor indices.
nlohmann::json triangle_primitive(int position, int indices = -1, int mode = kTriangles);
// Adds the positions of one triangle, (0,0,0) (1,0,0) (0,1,0), as a float VEC3 accessor; returns its index.
int add_triangle(GltfBuilder& b);
// A document with one mesh (one primitive) placed by node 0 in scene 0.
GltfBuilder single_mesh(nlohmann::json primitive);

}  // namespace thumbgen::test
