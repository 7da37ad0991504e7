// The load-only pass of `make bench`: parse + decode every file given, no GL. Prints one line per file
// ("ms<TAB>status<TAB>file") and the total, so the benchmark can tell how much rendering adds on top.
#include <chrono>
#include <cstdio>

#include "platform/pipeline.h"

int main(int argc, char** argv) {
  thumbgen::platform::JobOptions options;
  double total = 0;
  for (int i = 1; i < argc; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const auto result = thumbgen::platform::ThumbnailPipeline::load_only(argv[i], options);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    total += ms;
    std::printf("%.1f\t%s\t%s\n", ms, result.ok ? "ok" : "failed", argv[i]);
  }
  std::printf("total\t%.1f\n", total);
  return 0;
}
