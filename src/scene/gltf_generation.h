// Which glTF generation a .gltf JSON document is, from its top-level "asset": {"version": ...}.
#pragma once

#include <cstdint>
#include <istream>
#include <span>

#include "scene/load.h"

namespace thumbgen::scene {

// FormatKind::Gltf2 for asset.version 2.x, FormatKind::Gltf1 for "1.x" or no version (glTF 1.0 made "asset"
// optional). Read with a SAX pass that stops at the version, so "asset" may come anywhere in the document
// (after megabytes of data URIs, or after "accessors" where an exporter sorts its keys) without building it.
// Throws LoadError("invalid glTF JSON: ...") when the JSON is malformed before the answer is known.
FormatKind gltf_json_generation(std::span<const std::uint8_t> text);
FormatKind gltf_json_generation(std::istream& text);

}  // namespace thumbgen::scene
