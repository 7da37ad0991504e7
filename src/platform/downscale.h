// Area-average downscaling of RGBA8 images, fed a row at a time so a decoder can stream rows into it.
#pragma once

#include <cstdint>
#include <vector>

#include "scene/scene.h"

namespace thumbgen::platform::detail {

struct Size {
  int width;
  int height;
};

// The size of (width, height) scaled to fit max_dimension, keeping the aspect ratio (unchanged if it fits).
Size fit_within(int width, int height, int max_dimension);

// Averages every source pixel into the destination pixel its position maps to. Colours are weighted by alpha,
// so transparent texels (often black) do not darken cut-out edges; fully transparent areas keep their plain
// average colour, because a material may ignore alpha.
class RowDownscaler {
 public:
  RowDownscaler(int src_width, int src_height, Size dst);
  void add_row(const std::uint8_t* rgba);  // src_width RGBA pixels; rows top to bottom
  scene::Image finish();                   // after all src_height rows

 private:
  void flush_row();
  void add_halved_row(const std::uint8_t* rgba);

  int src_width_, src_height_;
  scene::Image out_;
  bool halving_ = false;                // exactly 2:1 both ways: a path of its own
  std::vector<std::uint8_t> even_row_;  // halving: the first row of the current pair
  std::vector<int> column_begin_;       // otherwise: first source column of each destination column, then src_width
  std::vector<std::uint64_t> sums_;     // otherwise, per destination pixel: r*a, g*a, b*a, a, r, g, b, count
  int next_src_row_ = 0;
  int current_dst_row_ = 0;
};

// Downscales a whole image to fit max_dimension (copies it when it already fits).
scene::Image downscale_to_fit(const std::uint8_t* rgba, int width, int height, int max_dimension);

}  // namespace thumbgen::platform::detail
