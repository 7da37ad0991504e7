#include "platform/downscale.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

using thumbgen::platform::detail::downscale_to_fit;
using thumbgen::platform::detail::fit_within;
using thumbgen::platform::detail::Size;
using thumbgen::scene::Image;

namespace {

// Random colours with alpha mixed from opaque, transparent and partial texels (all three paths of the scaler).
std::vector<std::uint8_t> random_image(int width, int height, unsigned seed) {
  std::mt19937 random(seed);
  std::vector<std::uint8_t> rgba(static_cast<std::size_t>(width) * height * 4);
  for (std::size_t i = 0; i < rgba.size(); i += 4) {
    for (int c = 0; c < 3; ++c) rgba[i + c] = static_cast<std::uint8_t>(random() % 256);
    const unsigned kind = random() % 4;
    rgba[i + 3] = kind == 0 ? 0 : kind == 1 ? static_cast<std::uint8_t>(random() % 256) : 255;
  }
  // Whole opaque and whole transparent regions too.
  for (int y = 0; y < height / 2; ++y)
    for (int x = 0; x < width / 2; ++x)
      rgba[(static_cast<std::size_t>(y) * width + x) * 4 + 3] = y < height / 4 ? 255 : 0;
  return rgba;
}

// The definition, written plainly: every source pixel goes to the destination pixel its position maps to;
// colours are averaged weighted by alpha (plain average where all alpha is 0), alpha is averaged, rounded.
Image reference_downscale(const std::vector<std::uint8_t>& rgba, int width, int height, Size dst) {
  std::vector<std::uint64_t> sums(static_cast<std::size_t>(dst.width) * dst.height * 8, 0);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const int dx = static_cast<int>(static_cast<long long>(x) * dst.width / width);
      const int dy = static_cast<int>(static_cast<long long>(y) * dst.height / height);
      const std::uint8_t* p = &rgba[(static_cast<std::size_t>(y) * width + x) * 4];
      std::uint64_t* s = &sums[(static_cast<std::size_t>(dy) * dst.width + dx) * 8];
      for (int c = 0; c < 3; ++c) s[c] += static_cast<std::uint64_t>(p[c]) * p[3];
      s[3] += p[3];
      for (int c = 0; c < 3; ++c) s[4 + c] += p[c];
      s[7] += 1;
    }
  Image out{dst.width, dst.height, std::vector<std::uint8_t>(static_cast<std::size_t>(dst.width) * dst.height * 4)};
  for (std::size_t i = 0; i < static_cast<std::size_t>(dst.width) * dst.height; ++i) {
    const std::uint64_t* s = &sums[i * 8];
    for (int c = 0; c < 3; ++c) {
      out.rgba[i * 4 + c] =
          static_cast<std::uint8_t>(s[3] > 0 ? (s[c] + s[3] / 2) / s[3] : (s[4 + c] + s[7] / 2) / s[7]);
    }
    out.rgba[i * 4 + 3] = static_cast<std::uint8_t>((s[3] + s[7] / 2) / s[7]);
  }
  return out;
}

void expect_matches_reference(int width, int height, int max_dimension) {
  const auto rgba = random_image(width, height, static_cast<unsigned>(width * 31 + height));
  const Image scaled = downscale_to_fit(rgba.data(), width, height, max_dimension);
  const Size dst = fit_within(width, height, max_dimension);
  ASSERT_EQ(scaled.width, dst.width);
  ASSERT_EQ(scaled.height, dst.height);
  const Image expected = reference_downscale(rgba, width, height, dst);
  ASSERT_EQ(scaled.rgba.size(), expected.rgba.size());
  std::size_t differences = 0;
  for (std::size_t i = 0; i < scaled.rgba.size(); ++i) differences += scaled.rgba[i] != expected.rgba[i];
  EXPECT_EQ(differences, 0u) << width << "x" << height << " to fit " << max_dimension;
}

}  // namespace

TEST(Downscale, HalvingMatchesTheDefinitionExactly) {
  expect_matches_reference(256, 128, 128);  // the 2:1 path
  expect_matches_reference(2, 2, 1);
}

TEST(Downscale, OtherRatiosMatchTheDefinitionExactly) {
  expect_matches_reference(300, 200, 128);  // 2.34:1
  expect_matches_reference(256, 100, 128);  // 2:1 across, not down: the general path
  expect_matches_reference(1000, 3, 512);
  expect_matches_reference(97, 1001, 40);
  expect_matches_reference(4096, 64, 64);  // long runs per destination column
}

TEST(Downscale, ImagesThatFitAreCopied) {
  const auto rgba = random_image(64, 32, 7);
  const Image same = downscale_to_fit(rgba.data(), 64, 32, 64);
  EXPECT_EQ(same.width, 64);
  EXPECT_EQ(same.height, 32);
  EXPECT_EQ(same.rgba, rgba);
}
