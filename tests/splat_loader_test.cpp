// Splat loaders on fixtures written here: 3DGS PLY, compressed PLY, SPZ (gzip v2/v3, zstd v4) and .splat,
// plus hostile files (truncated, absurd counts, bad or bomb-like compressed data).
#include "scene/splat_loader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "scene/load_error.h"

#if THUMBGEN_WITH_ZSTD
#include <zstd.h>
#endif

using thumbgen::scene::LoadError;
using thumbgen::scene::LoadLimits;
using thumbgen::scene::SplatCloud;
using Bytes = std::vector<std::uint8_t>;

namespace {

constexpr float kShC0 = 0.28209479177387814f;

template <typename T>
void put(Bytes& out, T value) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}

void put_text(Bytes& out, const std::string& text) { out.insert(out.end(), text.begin(), text.end()); }

struct GsSplat {
  float x, y, z;
  float f_dc[3];
  float opacity;  // logit
  float rot[4];   // w x y z
  float log_scale[3];
};

std::string gs_header(std::uint64_t count) {
  std::string h =
      "ply\nformat binary_little_endian 1.0\ncomment made by a test\nelement vertex " + std::to_string(count) + "\n";
  for (const char* p : {"x", "y", "z", "f_dc_0", "f_dc_1", "f_dc_2", "opacity", "rot_0", "rot_1", "rot_2", "rot_3",
                        "scale_0", "scale_1", "scale_2"}) {
    h += std::string("property float ") + p + "\n";
  }
  return h + "end_header\n";
}

Bytes gs_ply(const std::vector<GsSplat>& splats) {
  Bytes out;
  put_text(out, gs_header(splats.size()));
  for (const GsSplat& s : splats) {
    for (float v : {s.x, s.y, s.z, s.f_dc[0], s.f_dc[1], s.f_dc[2], s.opacity, s.rot[0], s.rot[1], s.rot[2], s.rot[3],
                    s.log_scale[0], s.log_scale[1], s.log_scale[2]}) {
      put(out, v);
    }
  }
  return out;
}

const GsSplat kRedSplat{1.0f, 2.0f, 3.0f, {1.0f, -1.0f, 0.0f}, 0.0f, {2.0f, 0.0f, 0.0f, 0.0f}, {0.0f, -1.0f, -2.0f}};

Bytes gzip(const Bytes& data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  Bytes out(deflateBound(&z, data.size()) + 64);
  z.next_in = const_cast<Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// SPZ attribute streams for `n` splats at version `version` (2 or 3).
struct SpzStreams {
  Bytes positions, alphas, colors, scales, rotations;
};

SpzStreams spz_streams(int version) {
  SpzStreams s;
  // Splat 0 at (1, −2, 0.5), splat 1 at (0, 0, −3); 12 fractional bits.
  for (float v : {1.0f, -2.0f, 0.5f, 0.0f, 0.0f, -3.0f}) {
    const auto fixed = static_cast<std::int32_t>(std::lround(v * 4096.0f));
    for (int b = 0; b < 3; ++b) s.positions.push_back(static_cast<std::uint8_t>((fixed >> (8 * b)) & 0xff));
  }
  s.alphas = {255, 128};
  // colour byte = 255·(0.5 + 0.15·f_dc): 128 ≈ f_dc 0 (grey), 230 → bright.
  s.colors = {230, 128, 128, 128, 128, 128};
  // scale byte = 16·(log σ + 10): 160 → σ = 1, 112 → σ = e^-3.
  s.scales = {160, 160, 160, 112, 112, 112};
  if (version >= 3) {
    // Smallest-three: largest index 3 (w), others zero → identity.
    for (int i = 0; i < 2; ++i) {
      const std::uint32_t packed = 3u << 30;
      put(s.rotations, packed);
    }
  } else {
    s.rotations = {128, 128, 128, 128, 128, 128};  // x = y = z ≈ 0 → identity
  }
  return s;
}

Bytes spz_legacy_payload(int version, std::uint32_t count_in_header) {
  Bytes out;
  put(out, std::uint32_t{0x5053474e});
  put(out, static_cast<std::uint32_t>(version));
  put(out, count_in_header);
  out.insert(out.end(), {0, 12, 0, 0});  // sh degree, fractional bits, flags, reserved
  const SpzStreams s = spz_streams(version);
  for (const Bytes* stream : {&s.positions, &s.alphas, &s.colors, &s.scales, &s.rotations}) {
    out.insert(out.end(), stream->begin(), stream->end());
  }
  return out;
}

void expect_near_vec(const glm::vec3& a, const glm::vec3& b, float tolerance) {
  EXPECT_NEAR(a.x, b.x, tolerance);
  EXPECT_NEAR(a.y, b.y, tolerance);
  EXPECT_NEAR(a.z, b.z, tolerance);
}

void expect_load_error(const std::function<void()>& load, const std::string& needle) {
  try {
    load();
    FAIL() << "expected LoadError containing '" << needle << "'";
  } catch (const LoadError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(SplatPly, DetectsSplatPropertiesOnly) {
  const Bytes splat = gs_ply({kRedSplat});
  EXPECT_TRUE(thumbgen::scene::is_splat_ply(std::span(splat).first(gs_header(1).size())));  // header only
  Bytes mesh;
  put_text(mesh,
           "ply\nformat binary_little_endian 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
           "property float z\nend_header\n");
  EXPECT_FALSE(thumbgen::scene::is_splat_ply(mesh));
  Bytes junk;
  put_text(junk, "solid cube\n");
  EXPECT_FALSE(thumbgen::scene::is_splat_ply(junk));
}

TEST(SplatPly, ConvertsActivationsColourAndAxes) {
  const SplatCloud cloud = thumbgen::scene::load_splat_ply(gs_ply({kRedSplat}), LoadLimits{});
  ASSERT_EQ(cloud.size(), 1u);
  // 180° about X: y and z change sign.
  expect_near_vec(cloud.positions[0], {1.0f, -2.0f, -3.0f}, 1e-6f);
  expect_near_vec(cloud.scales[0], {1.0f, std::exp(-1.0f), std::exp(-2.0f)}, 1e-5f);
  // Identity (after normalising (2,0,0,0)) turned by 180° about X is the quaternion (w 0, x 1, y 0, z 0).
  EXPECT_NEAR(std::abs(cloud.rotations[0].x), 1.0f, 1e-6f);
  EXPECT_NEAR(cloud.rotations[0].w, 0.0f, 1e-6f);
  // Display colour 0.5 + C0·f_dc, kept as display colour; opacity is the sigmoid.
  const glm::vec4 c = cloud.colors[0];
  EXPECT_NEAR(c.r, 0.5f + kShC0, 1e-5f);
  EXPECT_NEAR(c.g, 0.5f - kShC0, 1e-5f);
  EXPECT_NEAR(c.b, 0.5f, 1e-5f);
  EXPECT_NEAR(c.a, 0.5f, 1e-6f);
}

TEST(SplatPly, DropsNonFiniteSplats) {
  GsSplat bad = kRedSplat;
  bad.x = std::nanf("");
  GsSplat huge = kRedSplat;
  huge.log_scale[0] = 1000.0f;  // exp overflows to inf
  const SplatCloud cloud = thumbgen::scene::load_splat_ply(gs_ply({bad, kRedSplat, huge}), LoadLimits{});
  EXPECT_EQ(cloud.size(), 1u);
  expect_load_error([&] { thumbgen::scene::load_splat_ply(gs_ply({bad}), LoadLimits{}); }, "non-finite");
}

TEST(SplatPly, RejectsTruncatedAndAbsurdFiles) {
  Bytes full = gs_ply({kRedSplat, kRedSplat});
  Bytes cut(full.begin(), full.end() - 10);
  expect_load_error([&] { thumbgen::scene::load_splat_ply(cut, LoadLimits{}); }, "truncated PLY");

  Bytes huge;
  put_text(huge, gs_header(1ull << 40));
  expect_load_error([&] { thumbgen::scene::load_splat_ply(huge, LoadLimits{}); }, "exceed the limit");
  LoadLimits no_limit;
  no_limit.max_splats = ~0ull;  // even without a count limit the size check must refuse before allocating
  expect_load_error([&] { thumbgen::scene::load_splat_ply(huge, no_limit); }, "truncated PLY");

  Bytes no_end(full.begin(), full.begin() + 60);
  expect_load_error([&] { thumbgen::scene::load_splat_ply(no_end, LoadLimits{}); }, "end_header");

  Bytes ascii;
  put_text(ascii,
           "ply\nformat ascii 1.0\nelement vertex 0\nproperty float f_dc_0\nproperty float opacity\n"
           "property float x\nproperty float y\nproperty float z\nproperty float f_dc_1\nproperty float f_dc_2\n"
           "property float scale_0\nproperty float scale_1\nproperty float scale_2\nproperty float rot_0\n"
           "property float rot_1\nproperty float rot_2\nproperty float rot_3\nend_header\n");
  expect_load_error([&] { thumbgen::scene::load_splat_ply(ascii, LoadLimits{}); }, "ascii");

  LoadLimits one;
  one.max_splats = 1;
  expect_load_error([&] { thumbgen::scene::load_splat_ply(full, one); }, "exceed the limit");
}

namespace {

Bytes compressed_ply(std::uint64_t vertex_count, std::uint64_t chunk_count) {
  Bytes out;
  std::string h = "ply\nformat binary_little_endian 1.0\nelement chunk " + std::to_string(chunk_count) + "\n";
  for (const char* p :
       {"min_x", "min_y", "min_z", "max_x", "max_y", "max_z", "min_scale_x", "min_scale_y", "min_scale_z",
        "max_scale_x", "max_scale_y", "max_scale_z", "min_r", "min_g", "min_b", "max_r", "max_g", "max_b"}) {
    h += std::string("property float ") + p + "\n";
  }
  h += "element vertex " + std::to_string(vertex_count) + "\n";
  for (const char* p : {"packed_position", "packed_rotation", "packed_scale", "packed_color"}) {
    h += std::string("property uint ") + p + "\n";
  }
  put_text(out, h + "end_header\n");
  for (std::uint64_t c = 0; c < chunk_count; ++c) {
    // Positions in [0,2]³, log scales in [-4,0], colours in [0,1].
    for (float v : {0.0f, 0.0f, 0.0f, 2.0f, 2.0f, 2.0f, -4.0f, -4.0f, -4.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f,
                    1.0f, 1.0f}) {
      put(out, v);
    }
  }
  for (std::uint64_t i = 0; i < vertex_count; ++i) {
    put(out, std::uint32_t{(2047u << 21) | (0u << 11) | 1023u});               // x max, y min, z ~half
    put(out, std::uint32_t{(0u << 30) | (512u << 20) | (512u << 10) | 512u});  // w largest, others ≈ 0
    put(out, std::uint32_t{(2047u << 21) | (1023u << 11) | 2047u});            // all max → log scale 0
    put(out, std::uint32_t{(255u << 24) | (0u << 16) | (0u << 8) | 255u});     // red, opaque
  }
  return out;
}

}  // namespace

TEST(SplatPly, DecodesCompressedLayout) {
  const Bytes file = compressed_ply(3, 1);
  EXPECT_TRUE(thumbgen::scene::is_splat_ply(file));
  const SplatCloud cloud = thumbgen::scene::load_splat_ply(file, LoadLimits{});
  ASSERT_EQ(cloud.size(), 3u);
  expect_near_vec(cloud.positions[0], {2.0f, -0.0f, -2.0f * 1023.0f / 2047.0f}, 1e-4f);
  expect_near_vec(cloud.scales[0], {1.0f, 1.0f, 1.0f}, 1e-4f);
  EXPECT_NEAR(cloud.colors[0].r, 1.0f, 1e-4f);
  EXPECT_NEAR(cloud.colors[0].g, 0.0f, 1e-4f);
  EXPECT_NEAR(cloud.colors[0].a, 1.0f, 1e-4f);
  // Identity turned by 180° about X.
  EXPECT_NEAR(std::abs(cloud.rotations[0].x), 1.0f, 1e-2f);

  expect_load_error([] { thumbgen::scene::load_splat_ply(compressed_ply(300, 1), LoadLimits{}); }, "chunks");
  Bytes cut = compressed_ply(3, 1);
  cut.resize(cut.size() - 1);
  expect_load_error([&] { thumbgen::scene::load_splat_ply(cut, LoadLimits{}); }, "truncated PLY");
}

TEST(Spz, DecodesGzipVersions2And3) {
  for (int version : {2, 3}) {
    SCOPED_TRACE(version);
    const Bytes file = gzip(spz_legacy_payload(version, 2));
    EXPECT_TRUE(thumbgen::scene::is_spz(std::span(file).first(std::min<std::size_t>(file.size(), 64))));
    const SplatCloud cloud = thumbgen::scene::load_spz(file, LoadLimits{});
    ASSERT_EQ(cloud.size(), 2u);
    // SPZ is already right-up-back: no axis change.
    expect_near_vec(cloud.positions[0], {1.0f, -2.0f, 0.5f}, 1e-3f);
    expect_near_vec(cloud.positions[1], {0.0f, 0.0f, -3.0f}, 1e-3f);
    expect_near_vec(cloud.scales[0], {1.0f, 1.0f, 1.0f}, 1e-4f);
    expect_near_vec(cloud.scales[1], glm::vec3(std::exp(-3.0f)), 1e-5f);
    EXPECT_NEAR(cloud.colors[0].a, 1.0f, 1e-6f);
    EXPECT_NEAR(cloud.colors[1].a, 128.0f / 255.0f, 1e-6f);
    const float f_dc = (230.0f / 255.0f - 0.5f) / 0.15f;
    EXPECT_NEAR(cloud.colors[0].r, std::min(1.0f, 0.5f + kShC0 * f_dc), 1e-4f);
    EXPECT_LT(cloud.colors[0].g, cloud.colors[0].r);
    EXPECT_NEAR(cloud.rotations[1].w, 1.0f, 1e-2f);
  }
}

TEST(Spz, RejectsHostileStreams) {
  const LoadLimits limits;
  // Header claims 4 billion splats.
  expect_load_error([&] { thumbgen::scene::load_spz(gzip(spz_legacy_payload(2, 0xffffffffu)), limits); },
                    "exceed the limit");
  // Header claims more splats than the stream holds.
  expect_load_error([&] { thumbgen::scene::load_spz(gzip(spz_legacy_payload(2, 1000)), limits); }, "truncated SPZ");
  // Gzip cut in the middle.
  Bytes cut = gzip(spz_legacy_payload(3, 2));
  cut.resize(cut.size() / 2);
  expect_load_error([&] { thumbgen::scene::load_spz(cut, limits); }, "SPZ");
  // Corrupt deflate data after a valid gzip header.
  Bytes corrupt = gzip(spz_legacy_payload(3, 2));
  for (std::size_t i = 12; i < corrupt.size(); ++i) corrupt[i] ^= 0x5a;
  expect_load_error([&] { thumbgen::scene::load_spz(corrupt, limits); }, "SPZ");
  // A bomb: the header says 2 splats but 4 MB of zeros follow; inflation stops at the header's size.
  Bytes bomb = spz_legacy_payload(2, 2);
  bomb.resize(4 << 20, 0);
  expect_load_error([&] { thumbgen::scene::load_spz(gzip(bomb), limits); }, "exceeds");
  // Unknown version.
  Bytes v9 = spz_legacy_payload(2, 2);
  v9[4] = 9;
  expect_load_error([&] { thumbgen::scene::load_spz(gzip(v9), limits); }, "unsupported SPZ version 9");
  expect_load_error([&] { thumbgen::scene::load_spz(Bytes{1, 2, 3}, limits); }, "SPZ");
}

#if THUMBGEN_WITH_ZSTD
namespace {

Bytes zstd(const Bytes& data) {
  Bytes out(ZSTD_compressBound(data.size()));
  const std::size_t size = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  EXPECT_FALSE(ZSTD_isError(size));
  out.resize(size);
  return out;
}

Bytes spz_v4(std::uint32_t count) {
  const SpzStreams s = spz_streams(3);
  Bytes out;
  put(out, std::uint32_t{0x5053474e});
  put(out, std::uint32_t{4});
  put(out, count);
  out.insert(out.end(), {0, 12, 0, 5});  // sh degree, fractional bits, flags, stream count
  put(out, std::uint32_t{32});           // table of contents offset
  out.resize(32, 0);
  std::vector<Bytes> compressed;
  for (const Bytes* stream : {&s.positions, &s.alphas, &s.colors, &s.scales, &s.rotations}) {
    compressed.push_back(zstd(*stream));
    put(out, std::uint64_t{compressed.back().size()});
    put(out, std::uint64_t{stream->size()});
  }
  for (const Bytes& c : compressed) out.insert(out.end(), c.begin(), c.end());
  return out;
}

}  // namespace

TEST(Spz, DecodesZstdVersion4) {
  const Bytes file = spz_v4(2);
  EXPECT_TRUE(thumbgen::scene::is_spz(file));
  const SplatCloud cloud = thumbgen::scene::load_spz(file, LoadLimits{});
  ASSERT_EQ(cloud.size(), 2u);
  expect_near_vec(cloud.positions[0], {1.0f, -2.0f, 0.5f}, 1e-3f);
  expect_near_vec(cloud.scales[1], glm::vec3(std::exp(-3.0f)), 1e-5f);

  // The table of contents disagrees with the header's count.
  expect_load_error([] { thumbgen::scene::load_spz(spz_v4(3), LoadLimits{}); }, "expected");
  Bytes cut = spz_v4(2);
  cut.resize(cut.size() - 4);
  expect_load_error([&] { thumbgen::scene::load_spz(cut, LoadLimits{}); }, "truncated SPZ");
}
#endif

TEST(DotSplat, DecodesRecords) {
  Bytes file;
  for (float v : {1.0f, 2.0f, 3.0f, 0.5f, 0.25f, 0.125f}) put(file, v);
  file.insert(file.end(), {255, 0, 128, 255});    // colour + opacity
  file.insert(file.end(), {255, 128, 128, 128});  // rotation ≈ identity
  const SplatCloud cloud = thumbgen::scene::load_dot_splat(file, LoadLimits{});
  ASSERT_EQ(cloud.size(), 1u);
  expect_near_vec(cloud.positions[0], {1.0f, -2.0f, -3.0f}, 1e-6f);
  expect_near_vec(cloud.scales[0], {0.5f, 0.25f, 0.125f}, 1e-6f);
  EXPECT_NEAR(cloud.colors[0].r, 1.0f, 1e-3f);
  EXPECT_NEAR(cloud.colors[0].b, 128.0f / 255.0f, 1e-5f);
  EXPECT_NEAR(cloud.colors[0].a, 1.0f, 1e-6f);

  file.push_back(0);
  expect_load_error([&] { thumbgen::scene::load_dot_splat(file, LoadLimits{}); }, "truncated .splat");
  expect_load_error([] { thumbgen::scene::load_dot_splat(Bytes{}, LoadLimits{}); }, "no splats");
}
