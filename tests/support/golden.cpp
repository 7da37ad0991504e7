#include "support/golden.h"

#include <spng.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "render/encode.h"

namespace thumbgen::test {
namespace {

bool update_requested() {
  const char* value = std::getenv("THUMBGEN_UPDATE_GOLDEN");
  return value && std::string(value) == "1";
}

void write_png(const scene::Image& image, const std::filesystem::path& path) {
  const std::vector<std::uint8_t> png = render::encode_image(image, render::ImageFormat::Png, 100);
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
}

// Empty image when the file is missing or not a PNG.
scene::Image read_png(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  scene::Image image;
  spng_ctx* ctx = spng_ctx_new(0);
  spng_ihdr ihdr{};
  std::size_t size = 0;
  if (!bytes.empty() && spng_set_png_buffer(ctx, bytes.data(), bytes.size()) == 0 && spng_get_ihdr(ctx, &ihdr) == 0 &&
      spng_decoded_image_size(ctx, SPNG_FMT_RGBA8, &size) == 0) {
    image.rgba.resize(size);
    if (spng_decode_image(ctx, image.rgba.data(), size, SPNG_FMT_RGBA8, 0) == 0) {
      image.width = static_cast<int>(ihdr.width);
      image.height = static_cast<int>(ihdr.height);
    } else {
      image.rgba.clear();
    }
  }
  spng_ctx_free(ctx);
  return image;
}

}  // namespace

std::string golden_path(const std::string& name) {
  return std::string(THUMBGEN_SOURCE_DIR) + "/tests/golden/" + name + ".png";
}

::testing::AssertionResult matches_golden(const scene::Image& image, const std::string& name,
                                          const GoldenTolerance& tolerance) {
  const std::string path = golden_path(name);
  if (update_requested()) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    write_png(image, path);
    std::printf("[ golden   ] wrote %s\n", path.c_str());
    return ::testing::AssertionSuccess();
  }
  const scene::Image golden = read_png(path);
  if (golden.empty())
    return ::testing::AssertionFailure() << "no golden " << path << " (record it with THUMBGEN_UPDATE_GOLDEN=1)";
  if (golden.width != image.width || golden.height != image.height)
    return ::testing::AssertionFailure() << name << ": render is " << image.width << "x" << image.height << ", golden "
                                         << golden.width << "x" << golden.height;

  scene::Image diff{image.width, image.height, std::vector<std::uint8_t>(image.rgba.size())};
  std::size_t outliers = 0;
  int worst = 0;
  double sum = 0;
  for (std::size_t p = 0; p < image.rgba.size(); p += 4) {
    int pixel_worst = 0;
    for (int c = 0; c < 4; ++c) {
      const int d = std::abs(image.rgba[p + c] - golden.rgba[p + c]);
      sum += d;
      pixel_worst = std::max(pixel_worst, d);
    }
    worst = std::max(worst, pixel_worst);
    if (pixel_worst > tolerance.pixel) ++outliers;
    const auto shown = static_cast<std::uint8_t>(std::min(255, pixel_worst * 8));  // small differences visible
    diff.rgba[p] = diff.rgba[p + 1] = diff.rgba[p + 2] = shown;
    diff.rgba[p + 3] = 255;
  }
  const double pixels = static_cast<double>(image.rgba.size() / 4);
  const double mean = sum / (pixels * 4);
  if (outliers <= tolerance.outliers * pixels && mean <= tolerance.mean) return ::testing::AssertionSuccess();
  write_png(image, name + ".actual.png");
  write_png(diff, name + ".diff.png");
  return ::testing::AssertionFailure() << name << " differs from " << path << ": " << outliers
                                       << " pixels differ by more than " << tolerance.pixel << " (allowed "
                                       << static_cast<std::size_t>(tolerance.outliers * pixels) << "), worst " << worst
                                       << ", mean difference " << mean << " (allowed " << tolerance.mean << "); wrote "
                                       << std::filesystem::absolute(name + ".actual.png").string() << " and " << name
                                       << ".diff.png";
}

}  // namespace thumbgen::test
