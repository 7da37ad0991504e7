// Which files of an imported model `/files/` publishes: its main file and the files it uses, as reference discovery
// (scene/model_references.h) finds them in its folder's listing with the rules the renderer resolves names by.
// Every file is read below the imported folder through open_beneath(), never through a symlink.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "scene/file_list.h"
#include "scene/load.h"
#include "scene/model_references.h"
#include "server/isolated_call.h"
#include "server/model_file_open.h"

namespace thumbgen::server {

constexpr std::size_t kMaxSideFiles =
    scene::kMaxModelSideFiles;  // files published with one model besides its main file

// A file of an imported folder, opened and read as far as telling whether it is a model thumbgen knows.
struct DetectedModel {
  std::string format_type;  // the Icosa format type ("GLB", "GLTF2", "OBJ", ...); "" when it is no model
  scene::FormatKind kind = scene::FormatKind::Unknown;
  UniqueFd fd;
  std::uint64_t size = 0;
  std::vector<std::uint8_t> start;  // its first bytes (the whole file for a .gltf read to its version)
};

// Detects the model at `relative` below the folder descriptor `root` by its extension and content. Not a regular
// file, unreadable, empty or not a model: format_type "".
DetectedModel detect_model(int root, const std::string& relative);

struct Publication {
  std::vector<std::string> files;     // the main file, then the files it references; relative to its folder
  std::vector<std::string> warnings;  // references that resolve to no listed file, an unreadable MTL, ...
  std::string refusal;                // non-empty: the model is not imported, for this reason
};

// What to publish of `model`, named `file_name` in its folder. `folder` lists that folder's files (relative to it);
// `folder_prefix` is its path below `root` ("" or "a/b/"). A model referencing more than kMaxSideFiles files is
// refused, never cut short. Models whose discovery needs assimp (FBX, ...) are read in a child process under
// `discovery`'s limits (the caller must be single-threaded: isolated_call.h); when that child times out, crashes or
// runs out of memory, only the model file is published, with a warning saying why.
Publication publish_model(DetectedModel& model, const std::string& file_name, int root,
                          const std::string& folder_prefix, const scene::FileList& folder,
                          const IsolationLimits& discovery);

}  // namespace thumbgen::server
