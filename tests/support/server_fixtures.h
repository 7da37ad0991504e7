// Fixtures shared by the server tests: a valid JPEG thumbnail, its upload body, and catalogue records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/catalogue.h"
#include "support/bytes.h"  // base64

namespace thumbgen::test {

// A uniform grey JPEG of the given shade (different shades give different content hashes).
std::vector<std::uint8_t> test_jpeg(std::uint8_t shade, int width = 64, int height = 48);
// {"thumbnail_base64": <test_jpeg(shade)>}
std::string upload_body(std::uint8_t shade);
// An asset with one preferred GLB format on a CDN host.
server::AssetRecord test_asset(std::string url, std::optional<std::int64_t> id = std::nullopt, bool compatible = true);

}  // namespace thumbgen::test
