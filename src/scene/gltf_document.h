// Internal to the glTF loader: the parsed JSON (tinygltf::Model) plus the binary data behind it, read lazily and
// bounds-checked. tinygltf only parses JSON here; buffers and images are read by this code through FileAccess so
// that every side file goes through the one interface that refuses paths outside the model folder.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Must be identical in every translation unit that includes tiny_gltf.h (its inline constructor depends on them).
#ifndef TINYGLTF_NO_STB_IMAGE
#define TINYGLTF_USE_CPP14
#define TINYGLTF_NO_STB_IMAGE
#define TINYGLTF_NO_STB_IMAGE_WRITE
#define TINYGLTF_NO_INCLUDE_STB_IMAGE
#define TINYGLTF_NO_INCLUDE_STB_IMAGE_WRITE
#define TINYGLTF_NO_EXTERNAL_IMAGE
#endif
#include <tiny_gltf.h>

#include "scene/load.h"

namespace thumbgen::scene::gltf {

// "data:<mime>;base64,<payload>" → bytes; nullopt when `uri` is not a base64 data URI (tinygltf_impl.cpp).
std::optional<std::vector<std::uint8_t>> decode_base64_data_uri(const std::string& uri);

// Where an image's encoded bytes live.
struct ImageSource {
  std::string uri;       // data: URI or relative path; empty when in a bufferView
  int buffer_view = -1;  // GLB / embedded images
  std::string mime_type;
};

class Document {
 public:
  Document(FileAccess& files, const LoadLimits& limits) : files_(files), limits_(limits) {}

  tinygltf::Model model;
  bool binary = false;  // came from a GLB container
  bool used_draco = false;
  bool used_meshopt = false;
  std::vector<std::string> warnings;

  const LoadLimits& limits() const { return limits_; }

  // The bytes of a bufferView: meshopt-compressed views are decoded on first use. Throws LoadError when the view
  // lies outside its buffer or the buffer cannot be read.
  std::span<const std::uint8_t> view_bytes(int view);
  // The encoded bytes (PNG, JPEG, ...) of an image. Throws LoadError when they cannot be read.
  std::vector<std::uint8_t> image_bytes(int image);
  std::size_t image_count() const { return image_sources_.size(); }
  const ImageSource& image_source(int image) const { return image_sources_.at(static_cast<std::size_t>(image)); }

 private:
  friend Document parse_document(std::span<const std::uint8_t> bytes, FileAccess& files, const LoadLimits& limits);

  struct BufferSource {
    std::string uri;  // data: URI or relative path; empty = GLB BIN chunk or meshopt fallback (no data)
    std::uint64_t byte_length = 0;
    bool glb_bin = false;
  };
  std::span<const std::uint8_t> buffer_bytes(int buffer);

  FileAccess& files_;
  const LoadLimits& limits_;
  std::span<const std::uint8_t> glb_bin_;  // points into the caller's bytes, valid during load_gltf
  std::vector<BufferSource> buffer_sources_;
  std::vector<ImageSource> image_sources_;
  std::map<int, std::vector<std::uint8_t>> loaded_buffers_;
  std::map<int, std::vector<std::uint8_t>> decoded_views_;
};

// Splits GLB or takes JSON, rejects glTF 1.0 and invalid JSON, parses with tinygltf. Throws LoadError.
Document parse_document(std::span<const std::uint8_t> bytes, FileAccess& files, const LoadLimits& limits);

// EXT_meshopt_compression / KHR_meshopt_compression: decodes one compressed bufferView (gltf_meshopt.cpp).
// `extension` is the bufferView's extension object, `source` the whole buffer it names. Throws LoadError.
std::vector<std::uint8_t> decode_meshopt_view(const tinygltf::Value& extension, std::span<const std::uint8_t> source,
                                              std::uint64_t view_byte_length, const LoadLimits& limits);

// Looks up a member of a tinygltf extension object; nullptr when absent.
const tinygltf::Value* find_member(const tinygltf::Value& object, const char* name);
double number_or(const tinygltf::Value* value, double fallback);
const tinygltf::Value* find_extension(const tinygltf::ExtensionMap& extensions, const char* name);

}  // namespace thumbgen::scene::gltf
