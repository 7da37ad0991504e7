// Which model files a `render` run covers, and where each one's thumbnail goes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace thumbgen::cli {

struct ModelFile {
  std::filesystem::path source;  // the model file to read
  std::string name;              // shown in logs: path relative to the folder given, or the file's name
  std::filesystem::path output;  // OUT_DIR / name + "." + image extension
  std::string problem;           // non-empty: fails without rendering (missing input, thumbnail name taken)
};

// True for the extensions a folder search picks up (".glb", case-insensitive): the formats of scene/model_formats.h
// this build renders, plus raw .tilt sketches (refused with their reason). Side files (.bin, textures, .mtl) are not
// models; a file named explicitly is rendered whatever its extension (the loader looks at its content).
bool is_model_extension(std::string_view extension);
// Those extensions for people: ".gltf .glb .obj ..." in the table's order (the help text of `thumbgen render`).
std::string model_extensions_text();

// Files named explicitly come in the order given; folders are searched recursively, skipping hidden files and
// folders, and contribute their models sorted by relative path. A model reached twice is listed once.
std::vector<ModelFile> collect_model_files(const std::vector<std::filesystem::path>& inputs,
                                           const std::filesystem::path& output_dir, std::string_view image_extension);

}  // namespace thumbgen::cli
