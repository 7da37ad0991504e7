// Gaussian splat files → SplatCloud: 3DGS PLY (INRIA layout and PlayCanvas compressed PLY), Niantic SPZ (v1–v4),
// antimatter15 .splat, GaussianSplats3D .ksplat and PlayCanvas SOG. Every loader returns a cloud in the Y-up scene
// convention with linear scales, normalised rotations, display (sRGB-encoded) colour and opacity in [0,1]; splats with
// non-finite values are dropped. Counts and sizes are checked against LoadLimits before anything is allocated; problems
// throw LoadError.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "scene/file_access.h"
#include "scene/image_decoder.h"
#include "scene/load.h"
#include "scene/scene.h"

namespace thumbgen::scene {

// True when the PLY header (the first few KB are enough) describes 3DGS splats: f_dc_0.., opacity, scale_0..,
// rot_0.., or the compressed layout (element chunk with min_x.. and element vertex with packed_* properties).
bool is_splat_ply(std::span<const std::uint8_t> head);

// True for an SPZ file: gzip data whose first inflated bytes are "NGSP", or a raw NGSP header (v4 and later).
bool is_spz(std::span<const std::uint8_t> head);

// True for the head of a zip whose first entries are SOG planes (means_l.webp, quats.webp, ...).
bool is_sog_zip_head(std::span<const std::uint8_t> head);
// True for an unzipped SOG's meta.json (named so, a JSON object with "means").
bool is_sog_meta(std::string_view file_name, std::span<const std::uint8_t> head);

SplatCloud load_splat_ply(std::span<const std::uint8_t> bytes, const LoadLimits& limits);
SplatCloud load_spz(std::span<const std::uint8_t> bytes, const LoadLimits& limits);
SplatCloud load_dot_splat(std::span<const std::uint8_t> bytes, const LoadLimits& limits);
SplatCloud load_ksplat(std::span<const std::uint8_t> bytes, const LoadLimits& limits);
// `bytes` is the .sog zip or the folder form's meta.json (its WebP planes then come through `files`); the planes are
// decoded by `images`, which must return their exact RGBA bytes (lossless WebP).
SplatCloud load_sog(const std::string& main_file, std::span<const std::uint8_t> bytes, FileAccess& files,
                    ImageDecoder& images, const LoadLimits& limits);

}  // namespace thumbgen::scene
