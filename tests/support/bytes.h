// Byte buffers for fixtures: text as bytes, and the one base64 encoder the tests use (util::encode_base64).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace thumbgen::test {

using Bytes = std::vector<std::uint8_t>;

Bytes text_bytes(std::string_view text);
// Padded, standard alphabet (util::encode_base64).
std::string base64(std::span<const std::uint8_t> bytes);

}  // namespace thumbgen::test
