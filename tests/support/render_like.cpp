#include "support/render_like.h"

#include <algorithm>
#include <cmath>

namespace thumbgen::test {

scene::Image render_like(int width, int height, bool transparent_background) {
  scene::Image image{width, height, std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height * 4)};
  const float cx = width * 0.5f, cy = height * 0.5f, radius = height * 0.4f;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      std::uint8_t* p = &image.rgba[(static_cast<std::size_t>(y) * width + x) * 4];
      const float dx = (x - cx) / radius, dy = (y - cy) / radius, d2 = dx * dx + dy * dy;
      if (d2 < 1.0f) {
        const float shade = 0.3f + 0.7f * std::sqrt(1.0f - d2) * (0.6f - 0.4f * dx - 0.3f * dy);
        p[0] = static_cast<std::uint8_t>(std::clamp(220.0f * shade, 0.0f, 255.0f));
        p[1] = static_cast<std::uint8_t>(std::clamp(140.0f * shade, 0.0f, 255.0f));
        p[2] = static_cast<std::uint8_t>(std::clamp(60.0f * shade + 20.0f, 0.0f, 255.0f));
        p[3] = 255;
      } else {
        p[0] = p[1] = p[2] = 40;
        p[3] = transparent_background ? 0 : 255;
      }
    }
  return image;
}

}  // namespace thumbgen::test
