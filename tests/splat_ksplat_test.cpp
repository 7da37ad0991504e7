// GaussianSplats3D .ksplat on files written here in SplatBuffer.js's layout: compression levels 0, 1 and 2, SH
// degrees 0-2, several sections, full and partially filled buckets; plus truncated and hostile files.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "scene/load.h"
#include "scene/load_error.h"
#include "scene/splat_loader.h"
#include "support/gltf_loading.h"

namespace thumbgen::scene {
namespace {

using Bytes = std::vector<std::uint8_t>;

template <typename T>
void put_at(Bytes& out, std::size_t offset, T value) {
  std::memcpy(out.data() + offset, &value, sizeof(T));
}
template <typename T>
void put(Bytes& out, T value) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}

// float → IEEE binary16 for the normal, exactly representable values these fixtures use.
std::uint16_t to_half(float f) {
  if (f == 0.0f) return 0;
  std::uint32_t bits;
  std::memcpy(&bits, &f, 4);
  const std::uint32_t sign = (bits >> 16) & 0x8000;
  const int exponent = static_cast<int>((bits >> 23) & 0xff) - 127 + 15;
  const std::uint32_t mantissa = (bits >> 13) & 0x3ff;
  return static_cast<std::uint16_t>(sign | (static_cast<std::uint32_t>(exponent) << 10) | mantissa);
}

struct KSplat {
  glm::vec3 position;
  glm::vec3 scale;     // linear
  glm::vec4 rotation;  // w x y z
  std::array<std::uint8_t, 4> rgba;
};

struct SectionSpec {
  std::vector<KSplat> splats;
  int sh_degree = 0;
  // Levels 1-2: splats [0, full·bucket_size) fill full buckets of bucket_size, then partial buckets of these lengths.
  std::uint32_t bucket_size = 4;
  std::vector<std::uint32_t> partial_lengths = {};
};

constexpr float kBlockSize = 5.0f;
constexpr std::uint32_t kRange = 32767;

std::size_t bytes_per_splat(int level, int sh_degree) {
  const std::size_t sh_components[] = {0, 9, 24};
  return level == 0 ? 44 + 4 * sh_components[sh_degree] : 24 + (level == 1 ? 2 : 1) * sh_components[sh_degree];
}

Bytes ksplat(int level, const std::vector<SectionSpec>& sections, int major = 0, int minor = 1) {
  Bytes out(4096 + 1024 * sections.size(), 0);
  std::uint32_t total = 0;
  for (const auto& s : sections) total += static_cast<std::uint32_t>(s.splats.size());
  out[0] = static_cast<std::uint8_t>(major);
  out[1] = static_cast<std::uint8_t>(minor);
  put_at<std::uint32_t>(out, 4, static_cast<std::uint32_t>(sections.size()));
  put_at<std::uint32_t>(out, 8, static_cast<std::uint32_t>(sections.size()));
  put_at<std::uint32_t>(out, 12, total);
  put_at<std::uint32_t>(out, 16, total);
  put_at<std::uint16_t>(out, 20, static_cast<std::uint16_t>(level));
  for (std::size_t si = 0; si < sections.size(); ++si) {
    const SectionSpec& spec = sections[si];
    const std::size_t n = spec.splats.size();
    // Bucket membership: full buckets first, then the partial ones.
    std::vector<std::uint32_t> bucket_of(n);
    std::uint32_t full = 0;
    std::size_t partial_total = 0;
    for (auto len : spec.partial_lengths) partial_total += len;
    const std::size_t in_full = n - partial_total;
    if (level >= 1) {
      full = static_cast<std::uint32_t>(in_full / spec.bucket_size);
      std::size_t i = 0;
      for (; i < in_full; ++i) bucket_of[i] = static_cast<std::uint32_t>(i / spec.bucket_size);
      std::uint32_t b = full;
      for (auto len : spec.partial_lengths) {
        for (std::uint32_t k = 0; k < len; ++k) bucket_of[i++] = b;
        ++b;
      }
    }
    const std::uint32_t bucket_count = level >= 1 ? full + static_cast<std::uint32_t>(spec.partial_lengths.size()) : 0;
    // Each bucket's centre: its first splat's position rounded (any point near its splats works).
    std::vector<glm::vec3> centres(bucket_count);
    for (std::size_t i = 0; i < n && level >= 1; ++i) centres[bucket_of[i]] = glm::round(spec.splats[i].position);

    Bytes section;
    if (level >= 1) {
      for (auto len : spec.partial_lengths) put<std::uint32_t>(section, len);
      for (const glm::vec3& c : centres) {
        for (int k = 0; k < 3; ++k) put<float>(section, c[k]);
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      const KSplat& s = spec.splats[i];
      const std::size_t start = section.size();
      if (level == 0) {
        for (int k = 0; k < 3; ++k) put<float>(section, s.position[k]);
        for (int k = 0; k < 3; ++k) put<float>(section, s.scale[k]);
        for (int k = 0; k < 4; ++k) put<float>(section, s.rotation[k]);
      } else {
        const float factor = kRange / (kBlockSize * 0.5f);
        for (int k = 0; k < 3; ++k) {
          const float delta = s.position[k] - centres[bucket_of[i]][k];
          put<std::uint16_t>(section, static_cast<std::uint16_t>(std::lround(delta * factor) + kRange));
        }
        for (int k = 0; k < 3; ++k) put<std::uint16_t>(section, to_half(s.scale[k]));
        for (int k = 0; k < 4; ++k) put<std::uint16_t>(section, to_half(s.rotation[k]));
      }
      section.insert(section.end(), s.rgba.begin(), s.rgba.end());
      section.resize(start + bytes_per_splat(level, spec.sh_degree), 0x55);  // SH: filler the reader skips
    }
    const std::size_t header = 4096 + 1024 * si;
    put_at<std::uint32_t>(out, header + 0, static_cast<std::uint32_t>(n));
    put_at<std::uint32_t>(out, header + 4, static_cast<std::uint32_t>(n));
    if (level >= 1) {
      put_at<std::uint32_t>(out, header + 8, spec.bucket_size);
      put_at<std::uint32_t>(out, header + 12, bucket_count);
      put_at<float>(out, header + 16, kBlockSize);
      put_at<std::uint16_t>(out, header + 20, 12);
      put_at<std::uint32_t>(out, header + 24, kRange);
      put_at<std::uint32_t>(out, header + 32, full);
      put_at<std::uint32_t>(out, header + 36, static_cast<std::uint32_t>(spec.partial_lengths.size()));
    }
    put_at<std::uint32_t>(out, header + 28, static_cast<std::uint32_t>(section.size()));
    put_at<std::uint16_t>(out, header + 40, static_cast<std::uint16_t>(spec.sh_degree));
    out.insert(out.end(), section.begin(), section.end());
  }
  return out;
}

std::vector<KSplat> sample_splats(int n, float offset = 0.0f) {
  std::vector<KSplat> splats;
  for (int i = 0; i < n; ++i) {
    const float f = static_cast<float>(i);
    splats.push_back({{offset + 0.5f * f, 1.0f - 0.25f * f, 2.0f + 0.125f * f},
                      {0.25f, 0.5f, 0.125f},
                      {0.5f, 0.5f, 0.5f, 0.5f},
                      {static_cast<std::uint8_t>(10 * i), 128, 255, static_cast<std::uint8_t>(200 - i)}});
  }
  return splats;
}

// What the loader must make of `s`: PLY axes turned 180° about X, rotation Rx(180°)·q, colours and opacity / 255.
void expect_splat(const SplatCloud& cloud, std::size_t i, const KSplat& s, float position_eps) {
  SCOPED_TRACE("splat " + std::to_string(i));
  test::expect_near(cloud.positions[i], glm::vec3(s.position.x, -s.position.y, -s.position.z), position_eps);
  test::expect_near(cloud.scales[i], s.scale, 1e-6f);
  const glm::quat want = glm::quat(0.0f, 1.0f, 0.0f, 0.0f) *
                         glm::normalize(glm::quat(s.rotation[0], s.rotation[1], s.rotation[2], s.rotation[3]));
  EXPECT_NEAR(std::fabs(glm::dot(cloud.rotations[i], want)), 1.0f, 1e-5f);
  EXPECT_NEAR(cloud.colors[i].r, s.rgba[0] / 255.0f, 1e-6f);
  EXPECT_NEAR(cloud.colors[i].g, s.rgba[1] / 255.0f, 1e-6f);
  EXPECT_NEAR(cloud.colors[i].b, s.rgba[2] / 255.0f, 1e-6f);
  EXPECT_NEAR(cloud.colors[i].a, s.rgba[3] / 255.0f, 1e-6f);
}

std::string ksplat_error(const Bytes& bytes, const LoadLimits& limits = {}) {
  try {
    load_ksplat(bytes, limits);
  } catch (const LoadError& e) {
    return e.what();
  }
  return "";
}

TEST(KsplatLoader, Level0StoresFloats) {
  const auto splats = sample_splats(5);
  const SplatCloud cloud = load_ksplat(ksplat(0, {{splats}}), {});
  ASSERT_EQ(cloud.size(), 5u);
  for (std::size_t i = 0; i < splats.size(); ++i) expect_splat(cloud, i, splats[i], 1e-6f);
}

TEST(KsplatLoader, Levels1And2StoreBucketOffsetsAndHalfFloats) {
  for (int level : {1, 2}) {
    for (int sh : {0, 1, 2}) {
      SCOPED_TRACE("level " + std::to_string(level) + ", SH degree " + std::to_string(sh));
      // 11 splats: two full buckets of 4, then partial buckets of 2 and 1.
      const auto splats = sample_splats(11);
      const SplatCloud cloud = load_ksplat(ksplat(level, {{splats, sh, 4, {2, 1}}}), {});
      ASSERT_EQ(cloud.size(), 11u);
      const float step = kBlockSize * 0.5f / kRange;  // the position quantum
      for (std::size_t i = 0; i < splats.size(); ++i) expect_splat(cloud, i, splats[i], step);
    }
  }
}

TEST(KsplatLoader, SectionsFollowOneAnother) {
  const auto first = sample_splats(6), second = sample_splats(3, 100.0f);
  const SplatCloud cloud = load_ksplat(ksplat(1, {{first, 1, 4, {2}}, {second, 1, 2, {1}}}), {});
  ASSERT_EQ(cloud.size(), 9u);
  const float step = kBlockSize * 0.5f / kRange;
  expect_splat(cloud, 0, first[0], step);
  expect_splat(cloud, 5, first[5], step);
  expect_splat(cloud, 6, second[0], step);
  expect_splat(cloud, 8, second[2], step);
}

TEST(KsplatLoader, LoadSceneTakesKsplatByItsExtension) {
  test::MemoryFiles files;
  files.files["garden.ksplat"] = ksplat(1, {{sample_splats(8), 0, 4, {}}});
  test::FakeDecoder decoder;
  const Scene scene = load_scene("garden.ksplat", files, decoder, {});
  EXPECT_EQ(scene.format, "KSPLAT");
  ASSERT_EQ(scene.splats.size(), 1u);
  EXPECT_EQ(scene.splats[0].size(), 8u);
  EXPECT_FALSE(scene.upright.has_value());
}

TEST(KsplatLoader, TruncatedFilesFailCleanly) {
  const Bytes good = ksplat(1, {{sample_splats(6), 1, 4, {2}}});
  ASSERT_EQ(ksplat_error(good), "");
  for (std::size_t n = 0; n < good.size(); n += (n < 4200 ? 97 : 1)) {
    EXPECT_NE(ksplat_error(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n))), "") << n;
  }
}

TEST(KsplatLoader, HostileHeadersAreRefusedWithAReason) {
  EXPECT_NE(ksplat_error(ksplat(0, {{sample_splats(1)}}, 0, 0)).find("unsupported .ksplat version 0.0"),
            std::string::npos);
  EXPECT_NE(ksplat_error(ksplat(0, {{sample_splats(1)}}, 1, 0)).find("unsupported .ksplat version 1.0"),
            std::string::npos);
  Bytes level3 = ksplat(0, {{sample_splats(1)}});
  level3[20] = 3;
  EXPECT_NE(ksplat_error(level3).find("compression level 3"), std::string::npos);

  LoadLimits limits;
  limits.max_splats = 4;
  EXPECT_NE(ksplat_error(ksplat(0, {{sample_splats(5)}}), limits).find("exceed the limit"), std::string::npos);

  // Section headers claiming 2³² − 1 splats, or more sections than the file holds.
  Bytes huge = ksplat(0, {{sample_splats(2)}});
  put_at<std::uint32_t>(huge, 4096 + 4, 0xffffffffu);
  EXPECT_NE(ksplat_error(huge), "");
  Bytes sections = ksplat(0, {{sample_splats(2)}});
  put_at<std::uint32_t>(sections, 4, 1'000'000u);
  EXPECT_NE(ksplat_error(sections).find("section headers do not fit"), std::string::npos);

  // Bucket tables that do not cover the splats: every splat still has to name a bucket inside the file.
  Bytes buckets = ksplat(1, {{sample_splats(6), 0, 4, {2}}});
  put_at<std::uint32_t>(buckets, 4096 + 36, 0);  // no partial buckets
  EXPECT_NE(ksplat_error(buckets), "");
  Bytes counts = ksplat(1, {{sample_splats(6), 0, 4, {2}}});
  put_at<std::uint32_t>(counts, 4096 + 32, 1000);  // more full buckets than buckets
  EXPECT_NE(ksplat_error(counts).find("inconsistent bucket tables"), std::string::npos);
  Bytes degree = ksplat(0, {{sample_splats(1)}});
  put_at<std::uint16_t>(degree, 4096 + 40, 3);
  EXPECT_NE(ksplat_error(degree).find("SH degree 3"), std::string::npos);
}

}  // namespace
}  // namespace thumbgen::scene
