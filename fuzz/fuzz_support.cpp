#include "fuzz_support.h"

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

}  // namespace thumbgen::fuzz
