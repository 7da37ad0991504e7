// What the loader fuzz targets share: the model's files from memory, the limits they load under, and the rule that
// only LoadError counts as a clean refusal (any other exception escapes to libFuzzer and is reported as a crash).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "platform/texture_decoder.h"
#include "scene/file_access.h"
#include "scene/load.h"

namespace thumbgen::fuzz {

using Bytes = std::vector<std::uint8_t>;

// A model folder held in memory: every name the loader asks for is the one side file the input carries (so a fuzzed
// URI always reaches data), or "not found" when the input carries none.
class MemoryFiles final : public scene::FileAccess {
 public:
  explicit MemoryFiles(std::span<const std::uint8_t> side_file) : side_file_(side_file.begin(), side_file.end()) {}
  std::vector<std::uint8_t> read(std::string_view relative_path) override;
  bool exists(std::string_view relative_path) override;

 private:
  Bytes side_file_;
};

// Small limits, so that what the loaders allow stays far below libFuzzer's memory limit (a larger allocation is a
// finding: a count from the file that was not checked before allocating).
scene::LoadLimits fuzz_limits();

// The input split at the first `separator`: {before, after} (after is empty when there is none). Lets one input carry
// a main file and a side file (OBJ + MTL, SOG meta.json + a plane).
std::pair<std::span<const std::uint8_t>, std::span<const std::uint8_t>> split_at(std::span<const std::uint8_t> input,
                                                                                 std::string_view separator);

// A zip of stored (uncompressed) entries with correct CRCs, written in memory: lets a target fuzz what is inside a zip
// (a .tilt's data.sketch, a .sog's meta.json) without the CRC check refusing nearly every mutation. (tests/support's
// make_zip goes through minizip and a scratch file: too slow per execution.)
struct ZipEntry {
  std::string name;
  std::span<const std::uint8_t> bytes;
};
Bytes stored_zip(const std::vector<ZipEntry>& entries);

inline std::span<const std::uint8_t> as_span(const std::uint8_t* data, std::size_t size) { return {data, size}; }
inline std::string_view as_text(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Runs `load`; a LoadError is the clean answer to bad input and is swallowed.
template <class Load>
void expect_clean(Load&& load) {
  try {
    load();
  } catch (const scene::LoadError&) {
  }
}

}  // namespace thumbgen::fuzz
