// Raw Tilt Brush / Open Brush sketches (.tilt): a zip, optionally after a 16-byte "tilT" header, holding data.sketch
// (the strokes), metadata.json (brushes by GUID, environment, thumbnail camera, scene transform) and thumbnail.png.
// The strokes become one mesh per brush (geometry by brush family, looks from the brush table, the brush texture when
// FileAccess serves its canonical export URL), the thumbnail camera the model's own camera, the environment the
// scene's background.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "scene/file_access.h"
#include "scene/image_decoder.h"
#include "scene/load.h"
#include "scene/scene.h"

namespace thumbgen::scene {

// Throws LoadError for what cannot be drawn (not a zip, no or corrupt data.sketch, over the limits); problems that
// leave something to draw (no metadata, unknown brushes, missing brush textures) become warnings.
Scene load_tilt_sketch(std::span<const std::uint8_t> bytes, FileAccess& files, ImageDecoder& images,
                       const LoadLimits& limits);

// Every brush texture URL load_tilt_sketch may ask FileAccess for (the main texture of each known brush in
// metadata.json's BrushIndex, the normal map of the lit ones), for reference discovery: a worker fetches them from
// the operator's brush texture prefix before the render. Throws LoadError as load_tilt_sketch does for the zip.
std::vector<std::string> tilt_sketch_brush_texture_urls(std::span<const std::uint8_t> bytes,
                                                        std::vector<std::string>& warnings);

// The URL Tilt Brush / Open Brush exports name a brush's texture by (FileAccess may serve it from a folder): its main
// texture ("MainTex") or its normal map ("BumpMap").
std::string tilt_brush_texture_url(std::string_view brush_name, std::string_view guid,
                                   std::string_view kind = "MainTex");

}  // namespace thumbgen::scene
