#include "support/server_fixtures.h"

#include <nlohmann/json.hpp>

#include "render/encode.h"

namespace thumbgen::test {

std::vector<std::uint8_t> test_jpeg(std::uint8_t shade, int width, int height) {
  scene::Image image;
  image.width = width;
  image.height = height;
  image.rgba.assign(static_cast<std::size_t>(width * height * 4), shade);
  for (std::size_t i = 3; i < image.rgba.size(); i += 4) image.rgba[i] = 255;
  return render::encode_image(image, render::ImageFormat::Jpeg, 90);
}

std::string upload_body(std::uint8_t shade) {
  return nlohmann::json{{"thumbnail_base64", base64(test_jpeg(shade))}}.dump();
}

server::AssetRecord test_asset(std::string url, std::optional<std::int64_t> id, bool compatible) {
  server::AssetRecord record;
  record.id = id;
  record.url = std::move(url);
  record.name = "Name of " + record.url;
  record.owner_displayname = "Owner";
  record.is_viewer_compatible = compatible;
  record.formats.push_back({"GLB", "https://cdn.example/" + record.url + ".glb", true, {}});
  return record;
}

}  // namespace thumbgen::test
