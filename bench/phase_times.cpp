// Per-phase times (load, render, encode) of each file on one warm pipeline, to see where a thumbnail's time goes.
// Usage: thumbgen_phase_times [--size WxH] [--msaa N] FILES...   Prints "load render encode triangles file" per file.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "platform/egl_context.h"
#include "platform/pipeline.h"

int main(int argc, char** argv) {
  thumbgen::platform::tune_malloc_for_software_gl();
  thumbgen::platform::JobOptions options;
  int first = 1;
  for (; first + 1 < argc && argv[first][0] == '-'; first += 2) {
    if (std::strcmp(argv[first], "--size") == 0) {
      std::sscanf(argv[first + 1], "%dx%d", &options.view.width, &options.view.height);
    } else if (std::strcmp(argv[first], "--msaa") == 0) {
      options.view.msaa_samples = std::atoi(argv[first + 1]);
    }
  }
  thumbgen::platform::ThumbnailPipeline pipeline(options.view);
  std::printf("# %s\n%8s %8s %8s %10s  file\n", pipeline.gpu_description().c_str(), "load_ms", "render", "encode",
              "triangles");
  double totals[3] = {};
  for (int i = first; i < argc; ++i) {
    const auto result = pipeline.run(argv[i], options);
    totals[0] += result.load_ms, totals[1] += result.render_ms, totals[2] += result.encode_ms;
    std::printf("%8.1f %8.1f %8.1f %10zu  %s%s%s\n", result.load_ms, result.render_ms, result.encode_ms,
                result.triangles, argv[i], result.ok ? "" : "  FAILED: ", result.reason.c_str());
  }
  std::printf("%8.1f %8.1f %8.1f  total\n", totals[0], totals[1], totals[2]);
  return 0;
}
