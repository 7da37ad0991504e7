// How loaders reach a model's files: through this interface only, so the scene code never touches the
// filesystem (WebAssembly builds hand in memory buffers) and can never escape the model's folder.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace thumbgen::scene {

class FileAccess {
 public:
  virtual ~FileAccess() = default;
  // Reads a file named relative to the main model file (URIs already percent-decoded by the caller).
  // Implementations refuse paths that leave the model's folder, absolute paths and network URLs, and fall back
  // to finding the file by name inside the folder (Windows absolute paths in OBJ/FBX are common).
  // Throws LoadError naming the file and the reason when it cannot be read.
  virtual std::vector<std::uint8_t> read(std::string_view relative_path) = 0;
  // Whether read() would find the file (no error).
  virtual bool exists(std::string_view relative_path) = 0;
};

}  // namespace thumbgen::scene
