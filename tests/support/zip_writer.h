// Zip archives for fixtures (raw .tilt sketches, .sog splats), written with minizip's zip.h (Debian's libminizip).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "support/bytes.h"

namespace thumbgen::test {

struct ZipEntry {
  std::string name;
  Bytes bytes;
};

// `deflate` false stores the entries uncompressed (as Tilt Brush writes data.sketch).
Bytes make_zip(const std::vector<ZipEntry>& entries, bool deflate = true);

}  // namespace thumbgen::test
