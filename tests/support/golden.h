// Reference images for render tests: small PNGs under tests/golden/, compared with a tolerance.
//
// A render matches its golden when no channel of any pixel differs by more than `pixel` (apart from at most
// `outliers` of the pixels: an edge rasterised one sample apart) and the mean absolute difference over all
// channels is at most `mean`. On a mismatch the render and a difference image are written to the working
// directory (<name>.actual.png, <name>.diff.png) and the failure names them.
//
// To record or re-record goldens after an intended change of the renderer's look, run the golden tests with
// THUMBGEN_UPDATE_GOLDEN=1 (e.g. `THUMBGEN_UPDATE_GOLDEN=1 build/tests/render_golden_test`), look at the PNGs, and
// commit them. Goldens are llvmpipe renders: other GL drivers are not compared (see render_golden_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "scene/scene.h"

namespace thumbgen::test {

// Measured on llvmpipe: renders are bit-identical run to run, with LP_NUM_THREADS 1..16 and in the Debug + ASan
// build of `make sanitize`; with another code path (GALLIUM_NOSSE=1) a few edge pixels move (4 of 12288 beyond 2)
// and the mean difference is at most 0.015. A 2% change of one colour channel (mean 0.28) or a 1.7 degree turn of
// a box (mean 1.7) fails.
struct GoldenTolerance {
  int pixel = 8;            // max channel difference (0-255) for every pixel but the outliers
  double outliers = 0.002;  // fraction of pixels allowed beyond `pixel` (24 of 128x96)
  double mean = 0.1;        // mean absolute channel difference over the whole image
};

// tests/golden/<name>.png
std::string golden_path(const std::string& name);

// Compares `image` (RGBA) with the golden `name`; with THUMBGEN_UPDATE_GOLDEN=1 writes it as the golden instead.
::testing::AssertionResult matches_golden(const scene::Image& image, const std::string& name,
                                          const GoldenTolerance& tolerance = {});

}  // namespace thumbgen::test
