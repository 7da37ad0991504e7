#include "support/brush_fixtures.h"

#include <vector>

#include "render/encode.h"
#include "support/gltf_writer.h"

namespace thumbgen::test {

std::string brush_texture_path(const std::string& brush) { return brush + "/" + brush + "-v10.0-MainTex.png"; }

std::string red_png() {
  scene::Image red{4, 4, std::vector<std::uint8_t>(4 * 4 * 4)};
  for (std::size_t i = 0; i < red.rgba.size(); i += 4) red.rgba[i] = red.rgba[i + 3] = 255;
  const std::vector<std::uint8_t> png = render::encode_image(red, render::ImageFormat::Png, 100);
  return {png.begin(), png.end()};
}

std::string brush_stroke_gltf(const std::string& brush) {
  SimpleAsset asset;
  asset.meshes.push_back(unit_cube());
  const std::string png = red_png();
  asset.meshes[0].texture.assign(png.begin(), png.end());
  asset.meshes[0].unlit = true;
  GltfBuilder builder = build(asset);
  builder.json["images"][0] = {{"uri", "https://www.tiltbrush.com/shaders/brushes/" + brush_texture_path(brush)}};
  return builder.gltf();
}

}  // namespace thumbgen::test
