#include "support/bytes.h"

#include "util/base64.h"

namespace thumbgen::test {

Bytes text_bytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

std::string base64(std::span<const std::uint8_t> bytes) { return util::encode_base64(bytes); }

}  // namespace thumbgen::test
