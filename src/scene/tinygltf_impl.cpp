// The one translation unit that compiles tinygltf. It only parses JSON into tinygltf::Model: the loader hands it
// stub buffers/images and reads binary data itself through FileAccess (see gltf_document.cpp), so tinygltf never
// touches the filesystem or decodes images.
// gltf_document.h comes first: it sets the TINYGLTF_NO_* options every includer must share and pulls in the
// declarations; the implementation part has no include guard, so it is included exactly once, here.
#include "scene/gltf_document.h"

#define TINYGLTF_IMPLEMENTATION
#include <tiny_gltf.h>

namespace thumbgen::scene::gltf {

std::optional<std::vector<std::uint8_t>> decode_base64_data_uri(const std::string& uri) {
  // data:[<mime>][;params];base64,<payload>. tinygltf's own DecodeDataURI only knows a few mime types.
  if (uri.rfind("data:", 0) != 0) return std::nullopt;
  const std::size_t comma = uri.find(',');
  if (comma == std::string::npos) return std::nullopt;
  const std::string_view header(uri.data(), comma);
  if (header.size() < 7 || header.substr(header.size() - 7) != ";base64") return std::nullopt;
  const std::string decoded = tinygltf::base64_decode(uri.substr(comma + 1));
  return std::vector<std::uint8_t>(decoded.begin(), decoded.end());
}

}  // namespace thumbgen::scene::gltf
