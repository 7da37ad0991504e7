// Reference discovery for glTF 2.0 and 1.0, JSON or GLB: the URIs of buffers, images and (1.0) shaders.
#include <nlohmann/json.hpp>

#include "scene/file_names.h"
#include "scene/load_error.h"
#include "scene/reference_collector.h"
#include "util/ascii.h"

namespace thumbgen::scene {
namespace {

std::uint32_t read_u32(std::span<const std::uint8_t> bytes, std::size_t offset) {
  return std::uint32_t(bytes[offset]) | std::uint32_t(bytes[offset + 1]) << 8 | std::uint32_t(bytes[offset + 2]) << 16 |
         std::uint32_t(bytes[offset + 3]) << 24;
}

// The JSON of a GLB: both generations keep its length at byte 12 and the JSON itself from byte 20
// (2.0: the first chunk's length and data; 1.0 / KHR_binary_glTF: contentLength, contentFormat, content).
std::span<const std::uint8_t> json_of(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 4 || bytes[0] != 'g' || bytes[1] != 'l' || bytes[2] != 'T' || bytes[3] != 'F') return bytes;
  if (bytes.size() < 20) throw LoadError("truncated GLB: header cut short");
  const std::uint64_t length = read_u32(bytes, 12);
  if (length > bytes.size() - 20) throw LoadError("truncated GLB: JSON chunk exceeds file size");
  return bytes.subspan(20, static_cast<std::size_t>(length));
}

// glTF 2.0 lists objects in arrays, glTF 1.0 in dictionaries keyed by id.
void add_uris(const nlohmann::json& root, const char* key, const char* role, Lookup lookup, ReferenceCollector& out) {
  const auto list = root.find(key);
  if (list == root.end() || !(list->is_array() || list->is_object())) return;
  for (const nlohmann::json& entry : *list) {
    if (!entry.is_object()) continue;
    const auto uri = entry.find("uri");
    if (uri == entry.end() || !uri->is_string()) continue;
    const std::string& text = uri->get_ref<const std::string&>();
    if (text.empty() || util::iequals_ascii(std::string_view(text).substr(0, 5), "data:")) continue;  // embedded
    out.add(uri_to_file_name(text), role, lookup);
  }
}

}  // namespace

void find_gltf_references(std::span<const std::uint8_t> bytes, Lookup lookup, ReferenceCollector& out) {
  const std::span<const std::uint8_t> text = json_of(bytes);
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    throw LoadError(std::string("invalid glTF JSON: ") + e.what());
  }
  if (!root.is_object()) throw LoadError("invalid glTF JSON: not an object");
  add_uris(root, "buffers", "buffer", lookup, out);
  add_uris(root, "images", "image", lookup, out);
  add_uris(root, "shaders", "shader", lookup, out);  // glTF 1.0 techniques: other viewers compile them
}

}  // namespace thumbgen::scene
