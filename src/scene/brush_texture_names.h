// The names Tilt Brush / Open Brush exports give their brush textures, and how a brush texture folder names them.
// Exports write URLs such as
//   https://www.tiltbrush.com/shaders/brushes/Ink-f5c336cf-5108-4b40-ade9-c687504385ab/
//       Ink-f5c336cf-5108-4b40-ade9-c687504385ab-v10.0-MainTex.png
// The part after "/shaders/brushes/" is the brush texture path: the layout of a mirror of the brush textures, of the
// worker's brush texture cache, and what a URL prefix (--brush-textures https://host/prefix/) is asked for.
// Pure: names in, names out (the browser build compiles it too).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace thumbgen::scene {

enum class BrushTextureKind { MainTex, BumpMap, Other };

// "<Name>-<guid>-v<version>-<Kind>.<ext>": what a brush texture file name says.
struct BrushTextureFile {
  std::string brush;  // "Ink" (as written)
  std::string guid;   // lower case
  BrushTextureKind kind = BrushTextureKind::Other;
};

// Parses a brush texture file name (the last URL segment, percent-decoded); nullopt when it names no brush GUID.
std::optional<BrushTextureFile> parse_brush_texture_file(std::string_view file_name);

// The brush texture path of an export URL: the percent-decoded rest of its path after "/shaders/brushes/"
// ("Ink-<guid>/Ink-<guid>-v10.0-MainTex.png"). nullopt when the URL has no such part or the path is not a safe
// name: one or two segments, each 1-128 characters of letters, digits, space, '-', '_', '.', '(', ')', not starting
// with '.'. A safe path never leaves the folder it is looked up in.
std::optional<std::string> brush_texture_path(std::string_view url);

// Whether a brush texture path (as brush_texture_path gives it) is safe in the sense above.
bool is_safe_brush_texture_path(std::string_view path);

// What a texture file of a Tilt Brush Toolkit brush folder is for, by its name: "normal" or "bump" in it = BumpMap,
// "gradient" = Other (a lookup ramp), anything else = MainTex ("maintexture.png", "main.png", "fire.png").
BrushTextureKind toolkit_texture_kind(std::string_view file_name);

}  // namespace thumbgen::scene
