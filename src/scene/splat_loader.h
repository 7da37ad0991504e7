// Gaussian splat files → SplatCloud: 3DGS PLY (INRIA layout and PlayCanvas compressed PLY), Niantic SPZ (v1–v4)
// and antimatter15 .splat. Every loader returns a cloud in the Y-up scene convention with linear scales,
// normalised rotations, display (sRGB-encoded) colour and opacity in [0,1]; splats with non-finite values are dropped.
// Counts and sizes are checked against LoadLimits before anything is allocated; problems throw LoadError.
#pragma once

#include <cstdint>
#include <span>

#include "scene/load.h"
#include "scene/scene.h"

namespace thumbgen::scene {

// True when the PLY header (the first few KB are enough) describes 3DGS splats: f_dc_0.., opacity, scale_0..,
// rot_0.., or the compressed layout (element chunk with min_x.. and element vertex with packed_* properties).
bool is_splat_ply(std::span<const std::uint8_t> head);

// True for an SPZ file: gzip data whose first inflated bytes are "NGSP", or a raw NGSP header (v4 and later).
bool is_spz(std::span<const std::uint8_t> head);

SplatCloud load_splat_ply(std::span<const std::uint8_t> bytes, const LoadLimits& limits);
SplatCloud load_spz(std::span<const std::uint8_t> bytes, const LoadLimits& limits);
SplatCloud load_dot_splat(std::span<const std::uint8_t> bytes, const LoadLimits& limits);

}  // namespace thumbgen::scene
