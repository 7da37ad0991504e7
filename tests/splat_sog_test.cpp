// PlayCanvas SOG on files written here as @playcanvas/splat-transform writes them: WebP planes from libwebp's
// lossless encoder (exact mode) in a zip (support/zip_writer.h) or a folder with meta.json, versions 2 and 1; the
// native decoder's exactness on lossless WebP; missing, small, corrupt and hostile parts.
#include <gtest/gtest.h>
#include <webp/encode.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "platform/texture_decoder.h"
#include "scene/load.h"
#include "scene/load_error.h"
#include "scene/splat_loader.h"
#include "support/bytes.h"
#include "support/gltf_loading.h"
#include "support/zip_writer.h"

namespace thumbgen::scene {
namespace {

using nlohmann::json;
using test::Bytes;

// Lossless WebP with exact RGB under transparent pixels (WebPEncodeLosslessRGBA would alter them).
Bytes lossless_webp(const std::vector<std::uint8_t>& rgba, int width, int height) {
  WebPConfig config;
  WebPPicture picture;
  if (!WebPConfigInit(&config) || !WebPPictureInit(&picture)) throw std::runtime_error("libwebp init");
  config.lossless = 1;
  config.exact = 1;
  config.method = 0;  // fast: fixtures, not archives
  picture.use_argb = 1;
  picture.width = width;
  picture.height = height;
  WebPMemoryWriter writer;
  WebPMemoryWriterInit(&writer);
  picture.writer = WebPMemoryWrite;
  picture.custom_ptr = &writer;
  if (!WebPPictureImportRGBA(&picture, rgba.data(), width * 4) || !WebPEncode(&config, &picture)) {
    WebPPictureFree(&picture);
    WebPMemoryWriterClear(&writer);
    throw std::runtime_error("libwebp encode");
  }
  Bytes out(writer.mem, writer.mem + writer.size);
  WebPPictureFree(&picture);
  WebPMemoryWriterClear(&writer);
  return out;
}

struct Splat {
  glm::vec3 position;   // PLY axes
  glm::vec3 log_scale;  // as PLY scale_*
  glm::quat rotation;   // normalised
  glm::vec3 f_dc;
  float opacity;  // sigmoid, [0, 1]
};

std::vector<Splat> sample_splats(int n) {
  std::vector<Splat> splats;
  std::mt19937 random(7);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  for (int i = 0; i < n; ++i) {
    const glm::quat q = glm::normalize(glm::quat(unit(random), unit(random), unit(random), unit(random)));
    splats.push_back({{3.0f * unit(random), 2.0f * unit(random) - 5.0f, 0.5f * unit(random)},
                      {-3.0f + unit(random), -4.0f + unit(random), -2.0f + unit(random)},
                      q,
                      {1.5f * unit(random), 1.5f * unit(random), 1.5f * unit(random)},
                      0.5f + 0.5f * unit(random)});
  }
  return splats;
}

float log_transform(float v) { return v < 0 ? -std::log(-v + 1.0f) : std::log(v + 1.0f); }

std::vector<float> linspace(float lo, float hi) {
  std::vector<float> v(256);
  for (int i = 0; i < 256; ++i) v[static_cast<std::size_t>(i)] = lo + (hi - lo) * static_cast<float>(i) / 255.0f;
  return v;
}

std::uint8_t nearest(const std::vector<float>& codebook, float v) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < codebook.size(); ++i) {
    if (std::fabs(codebook[i] - v) < std::fabs(codebook[best] - v)) best = i;
  }
  return static_cast<std::uint8_t>(best);
}

// The files of a SOG (meta.json and its planes), as splat-transform's writeSog lays them out.
struct SogFiles {
  json meta;
  std::map<std::string, Bytes> planes;
  std::vector<test::ZipEntry> zip_entries() const {
    std::vector<test::ZipEntry> entries;
    for (const auto& [name, bytes] : planes) entries.push_back({name, bytes});
    entries.push_back({"meta.json", test::text_bytes(meta.dump())});
    return entries;
  }
};

SogFiles write_sog(const std::vector<Splat>& splats, int version = 2) {
  const int n = static_cast<int>(splats.size());
  const int width = static_cast<int>(std::ceil(std::sqrt(n) / 4.0)) * 4;
  const int height = static_cast<int>(std::ceil(n / double(width) / 4.0)) * 4;
  const std::size_t size = static_cast<std::size_t>(width) * height * 4;
  std::vector<std::uint8_t> means_l(size), means_u(size), quats(size), scales(size), sh0(size);

  glm::vec3 lo(1e30f), hi(-1e30f);
  for (const Splat& s : splats) {
    for (int k = 0; k < 3; ++k) {
      lo[k] = std::min(lo[k], log_transform(s.position[k]));
      hi[k] = std::max(hi[k], log_transform(s.position[k]));
    }
  }
  const std::vector<float> scale_book = linspace(-6.0f, 0.0f), color_book = linspace(-2.0f, 2.0f);
  const glm::vec3 scale_min(-5.0f, -5.0f, -3.5f), scale_max(-1.5f, -2.5f, 0.0f);  // version 1's lerp ranges
  const glm::vec4 color_min(-1.6f, -1.6f, -1.6f, -4.0f), color_max(1.6f, 1.6f, 1.6f, 4.0f);
  for (int i = 0; i < n; ++i) {
    const Splat& s = splats[static_cast<std::size_t>(i)];
    std::uint8_t* p = nullptr;
    for (int k = 0; k < 3; ++k) {
      const auto q = static_cast<std::uint32_t>(65535.0f * (log_transform(s.position[k]) - lo[k]) / (hi[k] - lo[k]));
      means_l[i * 4 + k] = q & 0xff;
      means_u[i * 4 + k] = (q >> 8) & 0xff;
    }
    means_l[i * 4 + 3] = means_u[i * 4 + 3] = 0xff;
    // quats: w x y z; the largest's sign made positive, the other three · √2 into bytes, alpha 252 + its index.
    float q[4] = {s.rotation.w, s.rotation.x, s.rotation.y, s.rotation.z};
    int largest = 0;
    for (int k = 1; k < 4; ++k)
      if (std::fabs(q[k]) > std::fabs(q[largest])) largest = k;
    const float sign = q[largest] < 0 ? -1.0f : 1.0f;
    p = &quats[i * 4];
    for (int k = 0, out = 0; k < 4; ++k) {
      if (k == largest) continue;
      p[out++] = static_cast<std::uint8_t>(255.0f * (sign * q[k] * std::sqrt(2.0f) * 0.5f + 0.5f));
    }
    p[3] = static_cast<std::uint8_t>(252 + largest);
    p = &scales[i * 4];
    const float logit = std::log(s.opacity / (1.0f - s.opacity));
    for (int k = 0; k < 3; ++k) {
      p[k] =
          version == 2
              ? nearest(scale_book, s.log_scale[k])
              : static_cast<std::uint8_t>(std::lround(
                    255.0f * std::clamp((s.log_scale[k] - scale_min[k]) / (scale_max[k] - scale_min[k]), 0.0f, 1.0f)));
      sh0[i * 4 + k] = version == 2 ? nearest(color_book, s.f_dc[k])
                                    : static_cast<std::uint8_t>(std::lround(255.0f * (s.f_dc[k] - color_min[k]) /
                                                                            (color_max[k] - color_min[k])));
    }
    p[3] = 0xff;
    sh0[i * 4 + 3] =
        version == 2 ? static_cast<std::uint8_t>(s.opacity * 255.0f)
                     : static_cast<std::uint8_t>(std::lround(
                           255.0f * std::clamp((logit - color_min[3]) / (color_max[3] - color_min[3]), 0.0f, 1.0f)));
  }
  SogFiles files;
  files.planes["means_l.webp"] = lossless_webp(means_l, width, height);
  files.planes["means_u.webp"] = lossless_webp(means_u, width, height);
  files.planes["quats.webp"] = lossless_webp(quats, width, height);
  files.planes["scales.webp"] = lossless_webp(scales, width, height);
  files.planes["sh0.webp"] = lossless_webp(sh0, width, height);
  const json means = {
      {"mins", {lo.x, lo.y, lo.z}}, {"maxs", {hi.x, hi.y, hi.z}}, {"files", {"means_l.webp", "means_u.webp"}}};
  if (version == 2) {
    files.meta = {{"version", 2},
                  {"asset", {{"generator", "thumbgen test"}}},
                  {"count", n},
                  {"means", means},
                  {"scales", {{"codebook", scale_book}, {"files", {"scales.webp"}}}},
                  {"quats", {{"files", {"quats.webp"}}}},
                  {"sh0", {{"codebook", color_book}, {"files", {"sh0.webp"}}}}};
  } else {
    json v1_means = means;
    v1_means["shape"] = {n, 3};
    files.meta = {{"means", v1_means},
                  {"scales",
                   {{"mins", {scale_min.x, scale_min.y, scale_min.z}},
                    {"maxs", {scale_max.x, scale_max.y, scale_max.z}},
                    {"files", {"scales.webp"}}}},
                  {"quats", {{"files", {"quats.webp"}}}},
                  {"sh0",
                   {{"mins", {color_min.x, color_min.y, color_min.z, color_min.w}},
                    {"maxs", {color_max.x, color_max.y, color_max.z, color_max.w}},
                    {"files", {"sh0.webp"}}}}};
  }
  return files;
}

struct SogLoad {
  test::MemoryFiles files;
  platform::TextureDecoder decoder;
  LoadLimits limits;
  Scene load(const std::string& name) { return load_scene(name, files, decoder, limits); }
  std::string error(const std::string& name) {
    try {
      load(name);
    } catch (const LoadError& e) {
      return e.what();
    }
    return "";
  }
};

void expect_cloud(const SplatCloud& cloud, const std::vector<Splat>& splats, int version) {
  ASSERT_EQ(cloud.size(), splats.size());
  for (std::size_t i = 0; i < splats.size(); ++i) {
    SCOPED_TRACE("splat " + std::to_string(i));
    const Splat& s = splats[i];
    // 16-bit positions in log space: well under a thousandth here.
    test::expect_near(cloud.positions[i], glm::vec3(s.position.x, -s.position.y, -s.position.z), 2e-3f);
    const float scale_eps = version == 2 ? 6.0f / 255.0f : 5.0f / 255.0f;  // one codebook / lerp step in log space
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(std::log(cloud.scales[i][k]), s.log_scale[k], scale_eps);
    const glm::quat want = glm::quat(0.0f, 1.0f, 0.0f, 0.0f) * s.rotation;
    EXPECT_GT(std::fabs(glm::dot(cloud.rotations[i], want)), 0.999f);
    const glm::vec3 colour = glm::clamp(glm::vec3(0.5f) + 0.28209479f * s.f_dc, 0.0f, 1.0f);
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(cloud.colors[i][k], colour[k], 0.01f);
    EXPECT_NEAR(cloud.colors[i].a, s.opacity, version == 2 ? 1.0f / 255.0f : 0.01f);
  }
}

TEST(SogLoader, TheNativeDecoderReturnsLosslessWebpBytesExactly) {
  std::vector<std::uint8_t> rgba(37 * 23 * 4);
  std::mt19937 random(3);
  for (auto& b : rgba) b = static_cast<std::uint8_t>(random());
  for (std::size_t i = 3; i < rgba.size(); i += 40) rgba[i] = 0;  // transparent pixels keep their RGB
  platform::TextureDecoder decoder;
  const Image image = decoder.decode(lossless_webp(rgba, 37, 23), 16384);
  ASSERT_EQ(image.width, 37);
  ASSERT_EQ(image.height, 23);
  EXPECT_EQ(image.rgba, rgba);
}

TEST(SogLoader, Version2ZipLoadsEverySplat) {
  const auto splats = sample_splats(37);  // not a multiple of the plane width: padding texels are ignored
  SogLoad sog;
  sog.files.files["plant.sog"] = test::make_zip(write_sog(splats).zip_entries());
  const Scene scene = sog.load("plant.sog");
  EXPECT_EQ(scene.format, "SOG");
  ASSERT_EQ(scene.splats.size(), 1u);
  expect_cloud(scene.splats[0], splats, 2);
}

TEST(SogLoader, TheUnzippedFolderLoadsFromItsMetaJson) {
  const auto splats = sample_splats(20);
  const SogFiles sog_files = write_sog(splats);
  const Bytes meta = test::text_bytes(sog_files.meta.dump());
  EXPECT_EQ(detect_format("scan/meta.json", meta), FormatKind::Sog);
  EXPECT_EQ(detect_format("scan/lod-meta.json", meta), FormatKind::Gltf2);  // another layout: not taken as SOG
  SogLoad flat;
  for (const auto& [name, bytes] : sog_files.planes) flat.files.files[name] = bytes;
  flat.files.files["meta.json"] = meta;
  const Scene scene = flat.load("meta.json");
  EXPECT_EQ(scene.format, "SOG");
  expect_cloud(scene.splats[0], splats, 2);
}

TEST(SogLoader, Version1MetaLerpsBetweenMinsAndMaxs) {
  const auto splats = sample_splats(16);
  SogLoad sog;
  sog.files.files["old.sog"] = test::make_zip(write_sog(splats, 1).zip_entries(), false);
  expect_cloud(sog.load("old.sog").splats[0], splats, 1);
}

TEST(SogLoader, MissingSmallOrCorruptPlanesAreNamed) {
  const SogFiles good = write_sog(sample_splats(20));
  const auto with = [&](const std::function<void(SogFiles&)>& change) {
    SogFiles files = good;
    change(files);
    SogLoad sog;
    sog.files.files["x.sog"] = test::make_zip(files.zip_entries());
    return sog.error("x.sog");
  };
  EXPECT_EQ(with([](SogFiles&) {}), "");
  EXPECT_NE(with([](SogFiles& f) { f.planes.erase("quats.webp"); }).find("SOG: quats.webp: "), std::string::npos);
  EXPECT_NE(with([](SogFiles& f) { f.planes["sh0.webp"].resize(40); }).find("SOG: sh0.webp: corrupt WebP"),
            std::string::npos);
  EXPECT_NE(with([](SogFiles& f) {
              f.planes["scales.webp"] = lossless_webp(std::vector<std::uint8_t>(16, 9), 2, 2);
            }).find("scales.webp is 2x2, too small for 20 splats"),
            std::string::npos);
  EXPECT_NE(with([](SogFiles& f) { f.meta["version"] = 3; }).find("unsupported meta.json version 3"),
            std::string::npos);
  EXPECT_NE(with([](SogFiles& f) { f.meta["count"] = -4; }).find("not a non-negative integer"), std::string::npos);
  EXPECT_NE(with([](SogFiles& f) { f.meta["means"].erase("mins"); }).find("means.mins"), std::string::npos);
  EXPECT_NE(with([](SogFiles& f) { f.meta["sh0"].erase("files"); }).find("names no sh0 file 0"), std::string::npos);

  SogLoad no_meta;
  no_meta.files.files["x.sog"] = test::make_zip({{"means_l.webp", good.planes.at("means_l.webp")}});
  EXPECT_NE(no_meta.error("x.sog").find("meta.json is missing"), std::string::npos);
  SogLoad not_json;
  not_json.files.files["x.sog"] = test::make_zip({{"meta.json", test::text_bytes("{not json")}});
  EXPECT_NE(not_json.error("x.sog").find("meta.json is not a JSON object"), std::string::npos);
  SogLoad not_zip;
  not_zip.files.files["x.sog"] = test::text_bytes("PK\x03\x04 and then nothing a zip needs");
  EXPECT_NE(not_zip.error("x.sog").find("not a zip archive"), std::string::npos);
}

// Decodes as the native decoder does and remembers the largest image it was asked to decode.
struct RecordingDecoder : ImageDecoder {
  platform::TextureDecoder real;
  std::uint64_t largest_pixels = 0;
  Image decode(std::span<const std::uint8_t> bytes, int max_dimension) override {
    Image image = real.decode(bytes, max_dimension);
    largest_pixels = std::max(largest_pixels, std::uint64_t(image.width) * std::uint64_t(image.height));
    return image;
  }
};

// A few splats with planes far larger than they need: a lossless WebP of one colour is a few hundred bytes however
// large, so without a check before decoding a tiny upload holds five planes of up to 16384² (1 GiB each) at once.
TEST(SogLoader, PlanesFarLargerThanTheSplatCountAreRefusedBeforeDecoding) {
  SogFiles files = write_sog(sample_splats(4));
  const int width = 2048, height = 1024;
  files.planes["quats.webp"] =
      lossless_webp(std::vector<std::uint8_t>(std::size_t(width) * height * 4, 7), width, height);
  ASSERT_LT(files.planes["quats.webp"].size(), 64u * 1024);
  test::MemoryFiles memory;
  memory.files["x.sog"] = test::make_zip(files.zip_entries());
  RecordingDecoder decoder;
  std::string error;
  try {
    load_scene("x.sog", memory, decoder, LoadLimits{});
  } catch (const LoadError& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("SOG: quats.webp: 2048x1024 pixels, far more than 4 splats need"), std::string::npos) << error;
  EXPECT_LT(decoder.largest_pixels, std::uint64_t(width) * height);
}

TEST(SogLoader, DeeplyNestedMetaJsonIsRefused) {
  SogFiles files = write_sog(sample_splats(4));
  std::string meta = files.meta.dump();
  meta.insert(meta.size() - 1, ", \"extra\": " + std::string(100'000, '[') + std::string(100'000, ']'));
  std::vector<test::ZipEntry> entries = files.zip_entries();
  entries.back().bytes = test::text_bytes(meta);
  SogLoad sog;
  sog.files.files["x.sog"] = test::make_zip(entries);
  EXPECT_EQ(sog.error("x.sog"), "SOG: meta.json nests deeper than 32 levels");
}

TEST(SogLoader, CountsOverTheLimitStopBeforeDecoding) {
  SogFiles files = write_sog(sample_splats(4));
  files.meta["count"] = 30'000'000;
  SogLoad sog;
  sog.files.files["x.sog"] = test::make_zip(files.zip_entries());
  EXPECT_NE(sog.error("x.sog").find("exceed the limit"), std::string::npos);
}

}  // namespace
}  // namespace thumbgen::scene
