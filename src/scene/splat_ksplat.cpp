// GaussianSplats3D .ksplat (npm @mkkellogg/gaussian-splats-3d, SplatBuffer.js), version 0.1: a 4096-byte header,
// one 1024-byte header per section, then each section's buckets and splats. Compression level 0 stores
// float32 centres/scales/rotations; levels 1 and 2 store each centre as three uint16 offsets from its bucket's centre
// and scales/rotations as float16 (level 2 also packs SH into bytes). Colour is display RGBA bytes; scales are
// linear; rotations are (w, x, y, z). Centres are in the PLY's axes (the converter does not turn them). Only
// degree-0 colour is read: SH are skipped.
#include <cmath>
#include <cstring>
#include <string>

#include "scene/load_error.h"
#include "scene/splat_common.h"
#include "scene/splat_loader.h"

namespace thumbgen::scene {
namespace {

constexpr std::size_t kHeaderBytes = 4096;
constexpr std::size_t kSectionHeaderBytes = 1024;
constexpr std::uint32_t kDefaultScaleRange = 32767;  // levels 1, 2 when a section names none
constexpr std::size_t kBucketBytes = 12;             // a bucket centre: 3 × float32

std::uint16_t u16_at(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t u32_at(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}
float f32_at(const std::uint8_t* p) {
  float f;
  std::memcpy(&f, p, 4);  // little-endian like every machine we build for
  return f;
}

// Bytes of each part of a splat at a compression level; SH components per degree as SplatBuffer.js counts them.
struct Layout {
  std::size_t center, scale, rotation, color = 4, sh_component;
  std::size_t bytes_per_splat(int sh_degree) const {
    static constexpr std::size_t kShComponents[] = {0, 9, 24};
    return center + scale + rotation + color + sh_component * kShComponents[sh_degree];
  }
};

Layout layout_for(int level) {
  if (level == 0) return {12, 12, 16, 4, 4};
  return {6, 6, 8, 4, level == 1 ? 2u : 1u};
}

struct Section {
  std::uint32_t splats = 0;
  std::uint32_t bucket_size = 0;
  std::uint32_t bucket_count = 0;
  float bucket_block_size = 0.0f;
  std::uint32_t scale_range = kDefaultScaleRange;
  std::uint32_t full_buckets = 0;
  std::uint32_t partial_buckets = 0;
  int sh_degree = 0;
  const std::uint8_t* partial_lengths = nullptr;  // partial_buckets × uint32
  const std::uint8_t* bucket_centres = nullptr;   // bucket_count × 3 × float32
  const std::uint8_t* splat_data = nullptr;
  std::size_t bytes_per_splat = 0;
};

// Walks a section's splats in order, knowing which bucket each belongs to: full buckets of bucket_size first, then
// the partially filled ones with their own lengths.
class BucketCursor {
 public:
  explicit BucketCursor(const Section& s) : s_(s) {}

  // The bucket of the next splat; throws when the section's bucket tables do not cover it.
  std::uint32_t next() {
    while (left_ == 0) {
      if (opened_) ++bucket_;  // past the bucket just used up (or an empty one)
      opened_ = true;
      left_ = length_of(bucket_);
    }
    --left_;
    return bucket_;
  }

 private:
  std::uint32_t length_of(std::uint32_t bucket) const {
    if (bucket < s_.full_buckets) return s_.bucket_size;
    const std::uint32_t partial = bucket - s_.full_buckets;
    if (partial >= s_.partial_buckets) throw LoadError(".ksplat: a section has more splats than its buckets hold");
    return u32_at(s_.partial_lengths + 4 * std::size_t(partial));
  }

  const Section& s_;
  std::uint32_t bucket_ = 0;
  std::uint32_t left_ = 0;
  bool opened_ = false;
};

}  // namespace

SplatCloud load_ksplat(std::span<const std::uint8_t> bytes, const LoadLimits& limits) {
  if (bytes.size() < kHeaderBytes) {
    throw LoadError("truncated .ksplat: the header needs 4096 bytes, the file has " + std::to_string(bytes.size()));
  }
  const std::uint8_t* h = bytes.data();
  const int major = h[0];
  const int minor = h[1];
  if (major != 0 || minor < 1) {
    throw LoadError("unsupported .ksplat version " + std::to_string(major) + "." + std::to_string(minor) +
                    " (GaussianSplats3D reads 0.1 and later 0.x)");
  }
  const std::uint32_t section_count = u32_at(h + 4);
  const std::uint32_t total_splats = u32_at(h + 12);
  const int level = u16_at(h + 20);
  if (level > 2) throw LoadError(".ksplat: unknown compression level " + std::to_string(level));
  splat::check_splat_count(total_splats, limits, ".ksplat");
  if (std::uint64_t(section_count) * kSectionHeaderBytes > bytes.size() - kHeaderBytes) {
    throw LoadError("truncated .ksplat: " + std::to_string(section_count) + " section headers do not fit");
  }
  const Layout layout = layout_for(level);

  // Section headers, checked against the file before any splat is read.
  std::vector<Section> sections(section_count);
  std::uint64_t offset = kHeaderBytes + std::uint64_t(section_count) * kSectionHeaderBytes;
  std::uint64_t splat_sum = 0;
  for (std::uint32_t i = 0; i < section_count; ++i) {
    const std::uint8_t* sh = h + kHeaderBytes + std::size_t(i) * kSectionHeaderBytes;
    Section& s = sections[i];
    s.splats = u32_at(sh + 4);  // the section's capacity, all of which SplatBuffer.js reads
    s.bucket_size = u32_at(sh + 8);
    s.bucket_count = u32_at(sh + 12);
    s.bucket_block_size = f32_at(sh + 16);
    const std::uint16_t bucket_bytes = u16_at(sh + 20);
    if (const std::uint32_t range = u32_at(sh + 24); range != 0) s.scale_range = range;
    s.full_buckets = u32_at(sh + 32);
    s.partial_buckets = u32_at(sh + 36);
    s.sh_degree = u16_at(sh + 40);
    if (s.sh_degree > 2) {
      throw LoadError(".ksplat: section " + std::to_string(i) + " has unsupported SH degree " +
                      std::to_string(s.sh_degree));
    }
    splat_sum += s.splats;
    if (splat_sum > total_splats) throw LoadError(".ksplat: sections hold more splats than the header says");
    s.bytes_per_splat = layout.bytes_per_splat(s.sh_degree);
    const std::uint64_t partial_bytes = std::uint64_t(s.partial_buckets) * 4;
    const std::uint64_t bucket_storage = std::uint64_t(bucket_bytes) * s.bucket_count + partial_bytes;
    const std::uint64_t size = bucket_storage + std::uint64_t(s.bytes_per_splat) * s.splats;
    if (size > bytes.size() - offset) {
      throw LoadError("truncated .ksplat: section " + std::to_string(i) + " needs " + std::to_string(size) +
                      " bytes at offset " + std::to_string(offset) + ", the file has " + std::to_string(bytes.size()));
    }
    if (level >= 1 && s.splats > 0) {
      const bool tables_fit =
          bucket_bytes == kBucketBytes && s.full_buckets + std::uint64_t(s.partial_buckets) <= s.bucket_count;
      if (!tables_fit || (s.full_buckets > 0 && s.bucket_size == 0) || !(s.bucket_block_size > 0.0f) ||
          !std::isfinite(s.bucket_block_size)) {
        throw LoadError(".ksplat: section " + std::to_string(i) + " has inconsistent bucket tables");
      }
    }
    s.partial_lengths = h + offset;
    s.bucket_centres = h + offset + partial_bytes;
    s.splat_data = h + offset + bucket_storage;
    offset += size;
  }

  splat::CloudBuilder builder(static_cast<std::size_t>(splat_sum), splat::Axes::RightDownForward, ".ksplat");
  for (const Section& s : sections) {
    BucketCursor buckets(s);
    const float step = level == 0 ? 0.0f : s.bucket_block_size * 0.5f / static_cast<float>(s.scale_range);
    for (std::uint32_t i = 0; i < s.splats; ++i) {
      const std::uint8_t* p = s.splat_data + std::size_t(i) * s.bytes_per_splat;
      glm::vec3 position, scale;
      glm::quat rotation;
      if (level == 0) {
        position = {f32_at(p), f32_at(p + 4), f32_at(p + 8)};
        scale = {f32_at(p + 12), f32_at(p + 16), f32_at(p + 20)};
        rotation = glm::quat(f32_at(p + 24), f32_at(p + 28), f32_at(p + 32), f32_at(p + 36));
      } else {
        const std::uint8_t* centre = s.bucket_centres + std::size_t(buckets.next()) * kBucketBytes;
        const float range = static_cast<float>(s.scale_range);
        for (int k = 0; k < 3; ++k) {
          position[k] = (static_cast<float>(u16_at(p + 2 * k)) - range) * step + f32_at(centre + 4 * k);
          scale[k] = splat::half_to_float(u16_at(p + 6 + 2 * k));
        }
        rotation = glm::quat(splat::half_to_float(u16_at(p + 12)), splat::half_to_float(u16_at(p + 14)),
                             splat::half_to_float(u16_at(p + 16)), splat::half_to_float(u16_at(p + 18)));
      }
      const std::uint8_t* rgba = p + layout.center + layout.scale + layout.rotation;
      builder.add(position, scale, rotation, glm::vec3(rgba[0], rgba[1], rgba[2]) / 255.0f, rgba[3] / 255.0f);
    }
  }
  return builder.finish();
}

}  // namespace thumbgen::scene
