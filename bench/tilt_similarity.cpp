// How close a render of a raw Tilt Brush sketch is to the thumbnail Tilt Brush saved inside it: SSIM of both as
// 256×256 greyscale (area-averaged down, Rec. 601 luma; SSIM as bench/ssim.mjs: 11×11 Gaussian σ 1.5, K1 0.01,
// K2 0.03, L 255, mean over the positions where the window fits). Evidence, not a test: the camera field of view and
// the brush shaders differ, so the figure says "same picture" or "not", not pixel parity.
//   thumbgen_tilt_similarity SKETCH.tilt RENDER.png [SKETCH.tilt RENDER.png ...]
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <vector>

#include "platform/texture_decoder.h"
#include "scene/load_error.h"
#include "scene/zip_archive.h"

namespace {

constexpr int kSide = 256;

std::vector<std::uint8_t> read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw thumbgen::scene::LoadError(std::string(path) + ": cannot open");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Area-averaged kSide × kSide luma.
std::vector<double> grey(const thumbgen::scene::Image& image) {
  std::vector<double> sum(kSide * kSide, 0.0), count(kSide * kSide, 0.0);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const std::uint8_t* p = &image.rgba[4 * (static_cast<std::size_t>(y) * image.width + x)];
      const int cell = (y * kSide / image.height) * kSide + x * kSide / image.width;
      sum[cell] += 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
      count[cell] += 1.0;
    }
  }
  for (std::size_t i = 0; i < sum.size(); ++i) sum[i] /= std::max(count[i], 1.0);
  return sum;
}

constexpr int kRadius = 5;

std::vector<double> blur(const std::vector<double>& image) {
  double kernel[2 * kRadius + 1], total = 0;
  for (int i = -kRadius; i <= kRadius; ++i) total += kernel[i + kRadius] = std::exp(-(i * i) / (2 * 1.5 * 1.5));
  for (double& k : kernel) k /= total;
  const int w = kSide - 2 * kRadius;
  std::vector<double> rows(static_cast<std::size_t>(w) * kSide), out(static_cast<std::size_t>(w) * w);
  for (int y = 0; y < kSide; ++y)
    for (int x = 0; x < w; ++x)
      for (int k = 0; k <= 2 * kRadius; ++k) rows[y * w + x] += kernel[k] * image[y * kSide + x + k];
  for (int y = 0; y < w; ++y)
    for (int x = 0; x < w; ++x)
      for (int k = 0; k <= 2 * kRadius; ++k) out[y * w + x] += kernel[k] * rows[(y + k) * w + x];
  return out;
}

double ssim(const std::vector<double>& a, const std::vector<double>& b) {
  auto product = [](const std::vector<double>& x, const std::vector<double>& y) {
    std::vector<double> out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) out[i] = x[i] * y[i];
    return out;
  };
  const double c1 = std::pow(0.01 * 255, 2), c2 = std::pow(0.03 * 255, 2);
  const auto mu_a = blur(a), mu_b = blur(b), aa = blur(product(a, a)), bb = blur(product(b, b)),
             ab = blur(product(a, b));
  double sum = 0;
  for (std::size_t i = 0; i < mu_a.size(); ++i) {
    const double var_a = aa[i] - mu_a[i] * mu_a[i], var_b = bb[i] - mu_b[i] * mu_b[i], cov = ab[i] - mu_a[i] * mu_b[i];
    sum += ((2 * mu_a[i] * mu_b[i] + c1) * (2 * cov + c2)) /
           ((mu_a[i] * mu_a[i] + mu_b[i] * mu_b[i] + c1) * (var_a + var_b + c2));
  }
  return sum / static_cast<double>(mu_a.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc % 2 != 1) {
    std::fprintf(stderr, "usage: %s SKETCH.tilt RENDER.png [SKETCH.tilt RENDER.png ...]\n", argv[0]);
    return 2;
  }
  thumbgen::platform::TextureDecoder decoder;
  int status = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    try {
      const std::vector<std::uint8_t> sketch = read_file(argv[i]);
      const thumbgen::scene::ZipArchive archive(sketch, argv[i]);
      const auto embedded = decoder.decode(archive.read("thumbnail.png", 16u << 20), 0);
      const auto rendered = decoder.decode(read_file(argv[i + 1]), 0);
      std::printf("%.3f\t%s\t%s\n", ssim(grey(embedded), grey(rendered)), argv[i], argv[i + 1]);
    } catch (const std::exception& e) {
      std::printf("error\t%s\t%s\n", argv[i], e.what());
      status = 1;
    }
  }
  return status;
}
