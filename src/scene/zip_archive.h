// Read-only view of a zip archive held in memory (raw .tilt sketches, .sog splats). minizip (zlib's contrib, Debian's
// libminizip) does the format; this adds what hostile input needs: entry and size limits, and errors as LoadError.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace thumbgen::scene {

class ZipArchive {
 public:
  // `bytes` must outlive the archive. Bytes before the zip (a header, as older .tilt files have) are allowed.
  // Throws LoadError("<what>: not a zip archive ...") when there is no readable central directory.
  ZipArchive(std::span<const std::uint8_t> bytes, std::string_view what);
  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  const std::vector<std::string>& names() const { return names_; }
  bool contains(std::string_view name) const;

  // The entry's uncompressed bytes. Throws LoadError naming the entry when it is missing, larger than `max_bytes`
  // (checked while inflating, not only from the header, which may lie), or corrupt.
  std::vector<std::uint8_t> read(std::string_view name, std::uint64_t max_bytes) const;

  static constexpr std::size_t kMaxEntries = 100'000;

 private:
  struct Reader;
  std::unique_ptr<Reader> reader_;
  std::string what_;
  std::vector<std::string> names_;
};

}  // namespace thumbgen::scene
