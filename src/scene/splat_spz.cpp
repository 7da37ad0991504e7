// Niantic SPZ. Versions 1–3: one gzip stream holding a 16-byte header and then the attributes one after another
// (positions, alphas, colours, scales, rotations, SH). Version 4: a plain 32-byte header, optional extension
// records, a table of contents, then one zstd frame per attribute. Only what a degree-0 thumbnail needs is decoded;
// spherical harmonics are skipped. Positions are in SPZ's documented RUB axes, which is our Y-up convention.
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "scene/load_error.h"
#include "scene/splat_common.h"
#include "scene/splat_loader.h"

#if THUMBGEN_WITH_ZSTD
#include <zstd.h>
#endif

namespace thumbgen::scene {
namespace {

constexpr std::uint32_t kMagic = 0x5053474e;  // "NGSP"
constexpr std::size_t kLegacyHeaderBytes = 16;
constexpr std::size_t kV4HeaderBytes = 32;
constexpr std::size_t kMaxExtensionBytes = 1 << 20;  // room for extension records in a legacy stream
constexpr float kColorScale = 0.15f;  // SPZ stores colour as 0.5 + 0.15·f_dc so SH can push it out of range

std::uint32_t read_u32(const std::uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

[[maybe_unused]] std::uint64_t read_u64(const std::uint8_t* p) {
  return read_u32(p) | (static_cast<std::uint64_t>(read_u32(p + 4)) << 32);
}

struct SpzHeader {
  std::uint32_t version = 0;
  std::uint32_t count = 0;
  int sh_degree = 0;
  int fractional_bits = 0;
  std::uint8_t flags = 0;  // 0x1 antialiased, 0x2 extension records follow the header
};

// Bytes per splat of each attribute stream, in file order: positions, alphas, colours, scales, rotations, SH.
std::array<std::uint64_t, 6> stream_bytes_per_splat(const SpzHeader& h) {
  static constexpr std::uint64_t kShCoefficients[] = {0, 3, 8, 15, 24};
  return {h.version == 1 ? 6u : 9u, 1u, 3u, 3u, h.version >= 3 ? 4u : 3u, kShCoefficients[h.sh_degree] * 3};
}

SpzHeader parse_header(const std::uint8_t* p, std::size_t size) {
  if (size < kLegacyHeaderBytes) throw LoadError("truncated SPZ: header needs 16 bytes, have " + std::to_string(size));
  if (read_u32(p) != kMagic) throw LoadError("not an SPZ file (no NGSP magic)");
  SpzHeader h;
  h.version = read_u32(p + 4);
  h.count = read_u32(p + 8);
  h.sh_degree = p[12];
  h.fractional_bits = p[13];
  h.flags = p[14];
  if (h.version < 1 || h.version > 4) throw LoadError("unsupported SPZ version " + std::to_string(h.version));
  if (h.sh_degree > 4) throw LoadError("SPZ: unsupported spherical harmonics degree " + std::to_string(h.sh_degree));
  if (h.fractional_bits > 24) throw LoadError("SPZ: bad fixed-point precision " + std::to_string(h.fractional_bits));
  return h;
}

// The attribute arrays of one file, already decompressed.
struct Streams {
  const std::uint8_t* positions = nullptr;
  const std::uint8_t* alphas = nullptr;
  const std::uint8_t* colors = nullptr;
  const std::uint8_t* scales = nullptr;
  const std::uint8_t* rotations = nullptr;
};

// Version 3+: 2 bits index of the largest component of (x, y, z, w), then three 10-bit sign+magnitude values.
glm::quat smallest_three(std::uint32_t packed) {
  float q[4];
  float sum = 0.0f;
  const int largest = static_cast<int>(packed >> 30);
  for (int i = 3; i >= 0; --i) {
    if (i == largest) continue;
    const float magnitude = static_cast<float>(packed & 511u) / 511.0f * 0.70710678f;
    q[i] = (packed & 512u) ? -magnitude : magnitude;
    sum += q[i] * q[i];
    packed >>= 10;
  }
  q[largest] = std::sqrt(std::max(0.0f, 1.0f - sum));
  return glm::quat(q[3], q[0], q[1], q[2]);
}

SplatCloud decode(const SpzHeader& h, const Streams& s) {
  splat::CloudBuilder builder(h.count, splat::Axes::RightUpBack, "SPZ");
  const float fixed_scale = 1.0f / static_cast<float>(1 << h.fractional_bits);
  for (std::size_t i = 0; i < h.count; ++i) {
    glm::vec3 position;
    if (h.version == 1) {  // float16 positions
      for (int k = 0; k < 3; ++k) {
        const std::uint8_t* p = s.positions + i * 6 + k * 2;
        position[k] = splat::half_to_float(static_cast<std::uint16_t>(p[0] | (p[1] << 8)));
      }
    } else {  // 24-bit signed fixed point
      for (int k = 0; k < 3; ++k) {
        const std::uint8_t* p = s.positions + i * 9 + k * 3;
        std::int32_t fixed = p[0] | (p[1] << 8) | (p[2] << 16);
        if (fixed & 0x800000) fixed -= 0x1000000;
        position[k] = static_cast<float>(fixed) * fixed_scale;
      }
    }
    const std::uint8_t* sc = s.scales + i * 3;
    const glm::vec3 scale = glm::exp(glm::vec3(sc[0], sc[1], sc[2]) / 16.0f - 10.0f);
    glm::quat rotation;
    if (h.version >= 3) {
      rotation = smallest_three(read_u32(s.rotations + i * 4));
    } else {  // x, y, z in [-1, 1]; w ≥ 0 derived
      const std::uint8_t* r = s.rotations + i * 3;
      const glm::vec3 xyz = glm::vec3(r[0], r[1], r[2]) / 127.5f - 1.0f;
      rotation = glm::quat(std::sqrt(std::max(0.0f, 1.0f - glm::dot(xyz, xyz))), xyz.x, xyz.y, xyz.z);
    }
    const std::uint8_t* c = s.colors + i * 3;
    const glm::vec3 f_dc = (glm::vec3(c[0], c[1], c[2]) / 255.0f - 0.5f) / kColorScale;
    builder.add(position, scale, rotation, splat::dc_to_display_rgb(f_dc), s.alphas[i] / 255.0f);
  }
  return builder.finish();
}

// Inflates gzip data into `out`, growing it only as real output arrives, and refuses more than `cap` bytes.
class Inflater {
 public:
  explicit Inflater(std::span<const std::uint8_t> input) {
    stream_.next_in = const_cast<Bytef*>(input.data());
    stream_.avail_in = static_cast<uInt>(std::min<std::size_t>(input.size(), UINT32_MAX));
    if (inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK) throw LoadError("SPZ: zlib init failed");
  }
  ~Inflater() { inflateEnd(&stream_); }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  // Inflates until `out` holds `want` bytes or the stream ends; throws past `cap` or on corrupt data.
  void fill(std::vector<std::uint8_t>& out, std::size_t want, std::size_t cap) {
    while (!ended_ && out.size() < want) {
      const std::size_t step = std::min<std::size_t>(std::max<std::size_t>(want - out.size(), 1 << 16), 16 << 20);
      const std::size_t before = out.size();
      out.resize(std::min(before + step, cap + 1));
      stream_.next_out = out.data() + before;
      stream_.avail_out = static_cast<uInt>(out.size() - before);
      const int result = inflate(&stream_, Z_NO_FLUSH);
      out.resize(out.size() - stream_.avail_out);
      if (result == Z_STREAM_END) {
        ended_ = true;
      } else if (result == Z_BUF_ERROR && stream_.avail_in == 0) {
        throw LoadError("truncated SPZ: gzip stream ends early after " + std::to_string(out.size()) + " bytes");
      } else if (result != Z_OK) {
        throw LoadError(std::string("SPZ: corrupt gzip data (") + (stream_.msg ? stream_.msg : "inflate error") + ")");
      } else if (out.size() == before && stream_.avail_in == 0) {
        throw LoadError("truncated SPZ: gzip stream ends early after " + std::to_string(out.size()) + " bytes");
      }
      if (out.size() > cap)
        throw LoadError("SPZ: inflated data exceeds the " + std::to_string(cap) + " bytes the header allows");
    }
  }
  bool ended() const { return ended_; }

 private:
  z_stream stream_{};
  bool ended_ = false;
};

std::uint64_t payload_bytes(const SpzHeader& h) {
  std::uint64_t total = 0;
  for (std::uint64_t per_splat : stream_bytes_per_splat(h)) total += per_splat * h.count;
  return total;
}

// Versions 1–3 after inflation (or stored raw): header, optional extension records, attributes.
SplatCloud decode_legacy(const SpzHeader& h, std::span<const std::uint8_t> data) {
  const std::uint64_t payload = payload_bytes(h);
  if (data.size() < kLegacyHeaderBytes + payload) {
    throw LoadError("truncated SPZ: " + std::to_string(h.count) + " splats need " +
                    std::to_string(kLegacyHeaderBytes + payload) + " bytes, stream has " + std::to_string(data.size()));
  }
  // Extension records (flag 0x2) sit between header and attributes; their length is whatever is left over.
  const bool extensions = (h.flags & 0x2) != 0;
  const std::uint8_t* p = data.data() + (extensions ? data.size() - payload : kLegacyHeaderBytes);
  const auto per_splat = stream_bytes_per_splat(h);
  Streams s;
  s.positions = p;
  s.alphas = s.positions + per_splat[0] * h.count;
  s.colors = s.alphas + per_splat[1] * h.count;
  s.scales = s.colors + per_splat[2] * h.count;
  s.rotations = s.scales + per_splat[3] * h.count;
  return decode(h, s);
}

SplatCloud load_gzip(std::span<const std::uint8_t> bytes, const LoadLimits& limits) {
  Inflater inflater(bytes);
  std::vector<std::uint8_t> data;
  inflater.fill(data, kLegacyHeaderBytes, kLegacyHeaderBytes + kMaxExtensionBytes);
  const SpzHeader h = parse_header(data.data(), data.size());
  if (h.version >= 4) throw LoadError("SPZ: version " + std::to_string(h.version) + " inside gzip is not valid");
  splat::check_splat_count(h.count, limits, "SPZ");
  // The header fixes the inflated size: a gzip bomb stops at this cap instead of filling memory.
  const std::size_t cap = kLegacyHeaderBytes + payload_bytes(h) + kMaxExtensionBytes;
  inflater.fill(data, cap + 1, cap);
  return decode_legacy(h, data);
}

SplatCloud load_v4(std::span<const std::uint8_t> bytes, const SpzHeader& h) {
#if THUMBGEN_WITH_ZSTD
  if (bytes.size() < kV4HeaderBytes) throw LoadError("truncated SPZ: v4 header needs 32 bytes");
  const std::size_t stream_count = bytes[15];
  const std::uint64_t toc_offset = read_u32(bytes.data() + 16);
  const auto per_splat = stream_bytes_per_splat(h);
  const std::size_t expected_streams = h.sh_degree > 0 ? 6 : 5;
  if (stream_count != expected_streams) {
    throw LoadError("SPZ v4: " + std::to_string(stream_count) + " streams, expected " +
                    std::to_string(expected_streams));
  }
  if (toc_offset < kV4HeaderBytes || toc_offset + stream_count * 16 > bytes.size()) {
    throw LoadError("truncated SPZ: v4 table of contents at " + std::to_string(toc_offset) + " lies outside the file");
  }
  std::vector<std::uint8_t> decoded;
  std::array<std::size_t, 5> offsets{};
  std::uint64_t decoded_size = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    offsets[i] = decoded_size;
    decoded_size += per_splat[i] * h.count;
  }
  decoded.resize(decoded_size);  // the count was checked against the limits: bounded
  std::uint64_t offset = toc_offset + stream_count * 16;
  for (std::size_t i = 0; i < 5; ++i) {
    const std::uint8_t* entry = bytes.data() + toc_offset + i * 16;
    const std::uint64_t compressed = read_u64(entry);
    const std::uint64_t uncompressed = read_u64(entry + 8);
    const std::uint64_t want = per_splat[i] * h.count;
    if (uncompressed != want) {
      throw LoadError("SPZ v4: stream " + std::to_string(i) + " holds " + std::to_string(uncompressed) +
                      " bytes, expected " + std::to_string(want));
    }
    if (compressed > bytes.size() - offset) {
      throw LoadError("truncated SPZ: v4 stream " + std::to_string(i) + " needs " + std::to_string(compressed) +
                      " bytes at offset " + std::to_string(offset) + ", file has " + std::to_string(bytes.size()));
    }
    // Exact destination capacity: zstd cannot write more than the header allowed.
    const std::size_t got = ZSTD_decompress(decoded.data() + offsets[i], want, bytes.data() + offset, compressed);
    if (ZSTD_isError(got)) {
      throw LoadError("SPZ v4: corrupt zstd stream " + std::to_string(i) + " (" + ZSTD_getErrorName(got) + ")");
    }
    if (got != want) throw LoadError("truncated SPZ: v4 stream " + std::to_string(i) + " inflates short");
    offset += compressed;
  }
  Streams s;
  s.positions = decoded.data() + offsets[0];
  s.alphas = decoded.data() + offsets[1];
  s.colors = decoded.data() + offsets[2];
  s.scales = decoded.data() + offsets[3];
  s.rotations = decoded.data() + offsets[4];
  return decode(h, s);
#else
  (void)bytes;
  throw LoadError("unsupported SPZ version " + std::to_string(h.version) + " (built without zstd)");
#endif
}

bool is_gzip(std::span<const std::uint8_t> b) { return b.size() >= 2 && b[0] == 0x1f && b[1] == 0x8b; }

}  // namespace

bool is_spz(std::span<const std::uint8_t> head) {
  if (head.size() >= 4 && read_u32(head.data()) == kMagic) return true;
  if (!is_gzip(head)) return false;
  try {
    Inflater inflater(head);
    std::vector<std::uint8_t> data;
    inflater.fill(data, 4, 1 << 16);
    return data.size() >= 4 && read_u32(data.data()) == kMagic;
  } catch (const LoadError&) {
    return false;
  }
}

SplatCloud load_spz(std::span<const std::uint8_t> bytes, const LoadLimits& limits) {
  if (is_gzip(bytes)) return load_gzip(bytes, limits);
  const SpzHeader h = parse_header(bytes.data(), bytes.size());
  splat::check_splat_count(h.count, limits, "SPZ");
  if (h.version >= 4) return load_v4(bytes, h);
  return decode_legacy(h, bytes);  // an uncompressed legacy stream
}

}  // namespace thumbgen::scene
