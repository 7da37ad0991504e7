#include "fuzz_support.h"

#include <zlib.h>

#include <algorithm>

#include "scene/load_error.h"

namespace thumbgen::fuzz {

std::vector<std::uint8_t> MemoryFiles::read(std::string_view relative_path) {
  if (side_file_.empty()) throw scene::LoadError(std::string(relative_path) + ": not found");
  return side_file_;
}

bool MemoryFiles::exists(std::string_view) { return !side_file_.empty(); }

scene::LoadLimits fuzz_limits() {
  scene::LoadLimits limits;
  limits.max_texture_dimension = 64;
  limits.max_file_bytes = 4u << 20;
  limits.max_vertices = 200'000;
  limits.max_splats = 200'000;
  return limits;
}

std::pair<std::span<const std::uint8_t>, std::span<const std::uint8_t>> split_at(std::span<const std::uint8_t> input,
                                                                                 std::string_view separator) {
  const auto found = std::search(input.begin(), input.end(), separator.begin(), separator.end());
  if (found == input.end()) return {input, {}};
  const std::size_t at = static_cast<std::size_t>(found - input.begin());
  return {input.first(at), input.subspan(at + separator.size())};
}

namespace {

void put16(Bytes& out, std::uint32_t value) {
  out.push_back(static_cast<std::uint8_t>(value));
  out.push_back(static_cast<std::uint8_t>(value >> 8));
}
void put32(Bytes& out, std::uint32_t value) {
  put16(out, value & 0xffff);
  put16(out, value >> 16);
}

}  // namespace

Bytes stored_zip(const std::vector<ZipEntry>& entries) {
  Bytes out, directory;
  for (const ZipEntry& entry : entries) {
    const auto size = static_cast<std::uint32_t>(entry.bytes.size());
    const auto crc = static_cast<std::uint32_t>(crc32(0, entry.bytes.data(), static_cast<uInt>(entry.bytes.size())));
    const auto offset = static_cast<std::uint32_t>(out.size());
    // Local header: signature, version 2.0, flags, method 0 (stored), time, date, crc, sizes, name length, extra.
    for (Bytes* header : {&out, &directory}) {
      const bool central = header == &directory;
      put32(*header, central ? 0x02014b50 : 0x04034b50);
      if (central) put16(*header, 20);
      for (std::uint32_t field : {20u, 0u, 0u, 0u, 0u}) put16(*header, field);
      put32(*header, crc);
      put32(*header, size);
      put32(*header, size);
      put16(*header, static_cast<std::uint32_t>(entry.name.size()));
      put16(*header, 0);
      if (central) {  // comment length, disk, internal and external attributes, local header offset
        for (std::uint32_t field : {0u, 0u, 0u}) put16(*header, field);
        put32(*header, 0);
        put32(*header, offset);
      }
      header->insert(header->end(), entry.name.begin(), entry.name.end());
      if (!central) header->insert(header->end(), entry.bytes.begin(), entry.bytes.end());
    }
  }
  const auto directory_offset = static_cast<std::uint32_t>(out.size());
  out.insert(out.end(), directory.begin(), directory.end());
  put32(out, 0x06054b50);  // end of central directory
  for (std::uint32_t field : {0u, 0u}) put16(out, field);
  put16(out, static_cast<std::uint32_t>(entries.size()));
  put16(out, static_cast<std::uint32_t>(entries.size()));
  put32(out, static_cast<std::uint32_t>(directory.size()));
  put32(out, directory_offset);
  put16(out, 0);
  return out;
}

}  // namespace thumbgen::fuzz
