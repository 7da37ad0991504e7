// How long the upload validation (src/server/upload_validation) takes on ordinary and hostile thumbnails: the
// median of --runs validations each, next to the bound it should stay under. The unit tests check what happens to
// each input (status, that bombs are refused from headers or limits); the time is measured here, outside ASan.
// Usage: thumbgen_upload_times [--runs N]     (default 5). Prints "ms status target name" per input.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "server/upload_validation.h"
#include "support/images.h"

namespace {

using namespace thumbgen;
using test::Bytes;

struct Input {
  const char* name;
  Bytes bytes;
  double target_ms;  // the bound tests/upload_validation_test used to assert (under ASan too); 0: none
};

std::vector<Input> inputs() {
  Bytes iccp = test::text_bytes(std::string("icc\0\0", 5));
  const Bytes bomb = test::zlib_compress(Bytes(64u << 20, 0));
  iccp.insert(iccp.end(), bomb.begin(), bomb.end());
  return {
      {"JPEG 1280x720", test::make_jpeg(1280, 720), 0},
      {"JPEG 2048x2048 (largest accepted)", test::make_jpeg(2048, 2048), 0},
      {"PNG 1280x720", test::make_png({.width = 1280, .height = 720}), 0},
      {"JPEG declaring 60000x60000", test::with_jpeg_dimensions(test::make_jpeg(64, 48), 60000, 60000), 2000},
      {"PNG declaring 100000x100000, tiny IDAT",
       test::make_png_with_idat({.width = 100000, .height = 100000}, test::zlib_compress(Bytes(1024, 0))), 2000},
      {"PNG 8x8 whose IDAT inflates to 64 MiB", test::make_png_with_idat({}, bomb), 50},
      {"PNG 8x8 with an iCCP inflating to 64 MiB", test::make_png({.extra_chunks = {{"iCCP", iccp}}}), 100},
      {"PNG 2048x2048 RGBA of zeros (bomb within limits)",
       test::make_png({.width = 2048,
                       .height = 2048,
                       .color_type = 6,
                       .sample = [](std::uint32_t, std::uint32_t, int) -> std::uint16_t { return 0; }}),
       0},
  };
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  for (int i = 1; i + 1 < argc; i += 2)
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::max(1, std::atoi(argv[i + 1]));
  std::printf("%9s %6s %10s  input\n", "ms", "status", "target");
  for (const Input& input : inputs()) {
    const std::string body = test::base64(input.bytes);
    int status = 0;
    std::vector<double> ms;
    for (int run = 0; run < runs; ++run) {
      const auto start = std::chrono::steady_clock::now();
      const auto result = server::validate_thumbnail_upload(body);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      status =
          std::holds_alternative<server::UploadError>(result) ? std::get<server::UploadError>(result).http_status : 200;
    }
    std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
    const double median = ms[ms.size() / 2];
    const std::string target =
        input.target_ms > 0 ? "< " + std::to_string(static_cast<int>(input.target_ms)) + " ms" : "";
    std::printf("%9.2f %6d %10s  %s%s\n", median, status, target.c_str(), input.name,
                input.target_ms > 0 && median > input.target_ms ? "  OVER TARGET" : "");
  }
  return 0;
}
