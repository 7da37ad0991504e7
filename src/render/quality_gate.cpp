#include "render/quality_gate.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace thumbgen::render {

namespace {

constexpr int kColorThreshold = 6;              // 8-bit sRGB: above render noise and dithering
constexpr int kAlphaThreshold = 8;              // transparent background: faint anti-aliasing is not content
constexpr double kBlankFraction = 0.0005;       // less content than this is nothing visible
constexpr double kUniformFraction = 0.99;       // this much of the image in one colour is a uniform render
constexpr double kSignificantBorderRun = 0.02;  // content along one border beyond this is a cut object
constexpr double kBorderTouch = 0.002;          // less than this along a border is stray anti-aliasing or noise

bool valid(const scene::Image& image) {
  return !image.empty() && image.rgba.size() == static_cast<std::size_t>(image.width) * image.height * 4;
}

// A pixel is content when it differs visibly from the background; with a transparent background (the render's
// colour under alpha 0 is arbitrary) only alpha counts.
class ContentTest {
 public:
  explicit ContentTest(const glm::vec4& background_srgb) {
    for (int c = 0; c < 4; ++c)
      background_[c] = static_cast<int>(std::lround(std::clamp(background_srgb[c], 0.0f, 1.0f) * 255.0f));
    transparent_ = background_[3] == 0;
  }
  bool operator()(const std::uint8_t* p) const {
    if (transparent_) return p[3] > kAlphaThreshold;
    return std::abs(p[0] - background_[0]) > kColorThreshold || std::abs(p[1] - background_[1]) > kColorThreshold ||
           std::abs(p[2] - background_[2]) > kColorThreshold || std::abs(p[3] - background_[3]) > kAlphaThreshold;
  }

 private:
  std::array<int, 4> background_{};
  bool transparent_ = false;
};

const std::uint8_t* pixel(const scene::Image& image, int x, int y) {
  return &image.rgba[(static_cast<std::size_t>(y) * image.width + x) * 4];
}

// Whether nearly every sampled pixel has the same colour (a camera inside an object, a blown-out render).
bool uniform(const scene::Image& image, int step) {
  std::array<double, 4> mean{};
  std::size_t samples = 0;
  for (int y = 0; y < image.height; y += step)
    for (int x = 0; x < image.width; x += step, ++samples)
      for (int c = 0; c < 4; ++c) mean[c] += pixel(image, x, y)[c];
  for (double& m : mean) m /= static_cast<double>(samples);
  std::size_t near_mean = 0;
  for (int y = 0; y < image.height; y += step)
    for (int x = 0; x < image.width; x += step) {
      const std::uint8_t* p = pixel(image, x, y);
      bool near = true;
      for (int c = 0; c < 4; ++c) near = near && std::abs(p[c] - mean[c]) <= kColorThreshold;
      near_mean += near;
    }
  return static_cast<double>(near_mean) >= kUniformFraction * static_cast<double>(samples);
}

std::string join_edges(const std::vector<const char*>& edges) {
  std::string text;
  for (std::size_t i = 0; i < edges.size(); ++i) {
    if (i > 0) text += i + 1 == edges.size() ? " and " : ", ";
    text += edges[i];
  }
  return text + (edges.size() == 1 ? " edge" : " edges");
}

// Framing leaves a margin, so content along the border means the object is cut: a long run on one edge, or
// content on two opposite edges.
std::optional<std::string> clipping(const scene::Image& image, const ContentTest& is_content) {
  auto count_row = [&](int y) {
    int n = 0;
    for (int x = 0; x < image.width; ++x) n += is_content(pixel(image, x, y));
    return n;
  };
  auto count_column = [&](int x) {
    int n = 0;
    for (int y = 0; y < image.height; ++y) n += is_content(pixel(image, x, y));
    return n;
  };
  struct Edge {
    const char* name;
    int content;
    int length;
  };
  const std::array<Edge, 4> edges{{{"left", count_column(0), image.height},
                                   {"right", count_column(image.width - 1), image.height},
                                   {"top", count_row(0), image.width},
                                   {"bottom", count_row(image.height - 1), image.width}}};
  auto touches = [](const Edge& e) { return e.content >= std::max(2.0, kBorderTouch * e.length); };
  auto significant = [](const Edge& e) { return e.content > kSignificantBorderRun * e.length; };
  const bool clipped = std::any_of(edges.begin(), edges.end(), significant) ||
                       (touches(edges[0]) && touches(edges[1])) || (touches(edges[2]) && touches(edges[3]));
  if (!clipped) return std::nullopt;
  std::vector<const char*> touched;
  for (const Edge& e : edges)
    if (touches(e) || significant(e)) touched.push_back(e.name);
  return "object clipped by the frame (touches the " + join_edges(touched) + ")";
}

}  // namespace

std::optional<std::string> check_quality(const scene::Image& image, const glm::vec4& background_srgb,
                                         const QualityOptions& options) {
  if (!valid(image)) return "blank render: no image";
  const ContentTest is_content(background_srgb);
  // Every second pixel each way is plenty for fractions and a quarter of the work at 1280×720.
  const int step = static_cast<std::size_t>(image.width) * image.height >= 250'000 ? 2 : 1;
  std::size_t samples = 0, content = 0;
  for (int y = 0; y < image.height; y += step)
    for (int x = 0; x < image.width; x += step, ++samples) content += is_content(pixel(image, x, y));
  const double fraction = static_cast<double>(content) / static_cast<double>(samples);
  if (fraction < kBlankFraction) return "blank render: nothing visible";
  // When the background dominates, a single colour is just a small object: the blank test covers that.
  if (fraction > 0.5 && uniform(image, step)) return "uniform render: the image is a single colour";
  if (options.check_clipping) return clipping(image, is_content);
  return std::nullopt;
}

ContentBox content_box(const scene::Image& image, const glm::vec4& background_srgb) {
  ContentBox box;
  if (!valid(image)) return box;
  const ContentTest is_content(background_srgb);
  int min_x = image.width, min_y = image.height, max_x = -1, max_y = -1;
  std::size_t content = 0;
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x) {
      if (!is_content(pixel(image, x, y))) continue;
      ++content;
      min_x = std::min(min_x, x);
      max_x = std::max(max_x, x);
      min_y = std::min(min_y, y);
      max_y = std::max(max_y, y);
    }
  if (content == 0) return box;
  const auto w = static_cast<float>(image.width), h = static_cast<float>(image.height);
  box.left = static_cast<float>(min_x) / w;
  box.right = static_cast<float>(max_x + 1) / w;
  box.top = static_cast<float>(min_y) / h;
  box.bottom = static_cast<float>(max_y + 1) / h;
  box.coverage = static_cast<float>(content) / (w * h);
  box.empty = false;
  return box;
}

}  // namespace thumbgen::render
