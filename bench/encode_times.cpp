// How long one thumbnail takes to encode in each format on this machine, and how big it is: a synthetic render
// (tests/support/render_like) encoded at quality 85, one warm-up, then the median of --runs encodes.
// Usage: thumbgen_encode_times [--size WxH] [--runs N]     (default 1280x720, 5 runs)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "render/encode.h"
#include "support/render_like.h"

int main(int argc, char** argv) {
  using namespace thumbgen;
  int width = 1280, height = 720, runs = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--size") == 0) std::sscanf(argv[i + 1], "%dx%d", &width, &height);
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::max(1, std::atoi(argv[i + 1]));
  }
  const scene::Image image = test::render_like(width, height, false);
  for (const render::ImageFormat format :
       {render::ImageFormat::Jpeg, render::ImageFormat::Png, render::ImageFormat::Webp}) {
    std::size_t size = render::encode_image(image, format, 85).size();  // warm-up
    std::vector<double> ms;
    for (int run = 0; run < runs; ++run) {
      const auto start = std::chrono::steady_clock::now();
      size = render::encode_image(image, format, 85).size();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
    std::printf("encode %dx%d %-4s %8.1f ms  %9zu bytes\n", width, height, render::file_extension(format),
                ms[ms.size() / 2], size);
  }
  return 0;
}
