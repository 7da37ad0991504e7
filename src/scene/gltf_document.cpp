#include "scene/gltf_document.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "scene/file_names.h"
#include "scene/load_error.h"

namespace thumbgen::scene::gltf {
namespace {

constexpr std::uint32_t kGlbMagic = 0x46546C67;   // "glTF"
constexpr std::uint32_t kChunkJson = 0x4E4F534A;  // "JSON"
constexpr std::uint32_t kChunkBin = 0x004E4942;   // "BIN\0"

std::uint32_t read_u32(std::span<const std::uint8_t> bytes, std::size_t offset) {
  std::uint32_t value;
  std::memcpy(&value, bytes.data() + offset, 4);
  return value;  // GLB is little-endian, like every target we build for
}

struct GlbChunks {
  std::string_view json;
  std::span<const std::uint8_t> bin;
};

bool chunk_fits(std::span<const std::uint8_t> bytes, std::size_t offset) {
  return offset + 8 <= bytes.size() && read_u32(bytes, offset) <= bytes.size() - offset - 8;
}

// Where the chunk after one that ends at `end` starts. The spec pads each chunk to 4 bytes and counts the padding
// in its length; some exporters write the unpadded length and then either pad anyway or start the next chunk at
// once. Like the browsers' loaders, accept whichever reading gives a chunk that fits in the file.
std::size_t next_chunk(std::span<const std::uint8_t> bytes, std::size_t end) {
  const std::size_t aligned = (end + 3) & ~std::size_t{3};
  if (aligned == end || !chunk_fits(bytes, end)) return aligned;
  if (read_u32(bytes, end + 4) == kChunkBin || !chunk_fits(bytes, aligned)) return end;
  return aligned;
}

// The GLB's chunks, read against the file's real size: a header length that disagrees with the file is not
// itself an error (only a chunk that does not fit is), and bytes after the declared length are not chunks.
GlbChunks split_glb(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 12) throw LoadError("truncated GLB: header");
  const std::uint32_t version = read_u32(bytes, 4);
  if (version == 1) throw LoadError("glTF 1.0 (binary glTF v1) is not glTF 2.0");
  if (version != 2) throw LoadError("unsupported GLB version " + std::to_string(version));
  const std::uint64_t declared_length = read_u32(bytes, 8);

  GlbChunks chunks;
  std::size_t offset = 12;
  bool first = true;
  while (offset + 8 <= bytes.size()) {
    if (!chunk_fits(bytes, offset)) {
      if (!first && offset >= declared_length) break;  // trailing bytes after the GLB
      throw LoadError("truncated GLB: chunk exceeds file size");
    }
    const std::uint64_t chunk_length = read_u32(bytes, offset);
    const std::uint32_t chunk_type = read_u32(bytes, offset + 4);
    offset += 8;
    const auto data = bytes.subspan(offset, static_cast<std::size_t>(chunk_length));
    if (first && chunk_type != kChunkJson) throw LoadError("corrupt GLB: first chunk is not JSON");
    if (first) {
      chunks.json = std::string_view(reinterpret_cast<const char*>(data.data()), data.size());
    } else if (chunk_type == kChunkBin && chunks.bin.empty()) {
      chunks.bin = data;
    }  // other chunk types are to be ignored
    first = false;
    offset = next_chunk(bytes, offset + static_cast<std::size_t>(chunk_length));
  }
  if (first) throw LoadError("truncated GLB: no JSON chunk");
  if (declared_length > bytes.size() && chunks.bin.empty())
    throw LoadError("truncated GLB: header length exceeds file size");  // the cut took the whole BIN chunk
  // Padding some exporters write with NULs instead of the spaces the spec asks for.
  while (!chunks.json.empty() && chunks.json.back() == '\0') chunks.json.remove_suffix(1);
  return chunks;
}

void reject_gltf1(const nlohmann::json& root) {
  if (!root.is_object()) throw LoadError("invalid glTF JSON: top level is not an object");
  const auto asset = root.find("asset");
  std::string version;
  if (asset != root.end() && asset->is_object()) {
    const auto v = asset->find("version");
    if (v != asset->end() && v->is_string()) version = v->get<std::string>();
  }
  // glTF 1.0 uses dictionaries where 2.0 uses arrays, and may lack asset.version.
  const auto buffers = root.find("buffers");
  const bool dictionaries = buffers != root.end() && buffers->is_object();
  if (version.rfind("1", 0) == 0 || dictionaries) throw LoadError("glTF 1.0 is not glTF 2.0");
  if (version.rfind("2", 0) != 0) throw LoadError("unsupported glTF version '" + version + "'");
}

bool is_meshopt_fallback(const nlohmann::json& buffer) {
  const auto extensions = buffer.find("extensions");
  if (extensions == buffer.end() || !extensions->is_object()) return false;
  for (const char* name : {"EXT_meshopt_compression", "KHR_meshopt_compression"}) {
    const auto ext = extensions->find(name);
    if (ext != extensions->end() && ext->is_object() && ext->value("fallback", false)) return true;
  }
  return false;
}

}  // namespace

Document parse_document(std::span<const std::uint8_t> bytes, FileAccess& files, const LoadLimits& limits) {
  Document doc(files, limits);
  std::string_view json_text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (bytes.size() >= 4 && read_u32(bytes, 0) == kGlbMagic) {
    const GlbChunks chunks = split_glb(bytes);
    json_text = chunks.json;
    doc.glb_bin_ = chunks.bin;
    doc.binary = true;
  }

  nlohmann::json root;
  try {
    root = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    throw LoadError(std::string("invalid glTF JSON: ") + e.what());
  }
  reject_gltf1(root);

  // Take buffers and images out of tinygltf's hands (it would read files itself) and give it cheap stubs so that
  // indices still line up.
  bool glb_bin_taken = false;
  if (auto buffers = root.find("buffers"); buffers != root.end() && buffers->is_array()) {
    for (nlohmann::json& buffer : *buffers) {
      Document::BufferSource source;
      if (buffer.is_object()) {
        const auto length = buffer.find("byteLength");
        if (length != buffer.end() && length->is_number_unsigned()) source.byte_length = length->get<std::uint64_t>();
        const auto uri = buffer.find("uri");
        if (uri != buffer.end() && uri->is_string()) source.uri = uri->get<std::string>();
        if (source.uri.empty() && doc.binary && !glb_bin_taken && !is_meshopt_fallback(buffer)) {
          source.glb_bin = glb_bin_taken = true;
        }
      }
      doc.buffer_sources_.push_back(std::move(source));
      buffer = {{"byteLength", 1}, {"uri", "data:application/octet-stream;base64,AA=="}};
    }
  }
  if (auto images = root.find("images"); images != root.end() && images->is_array()) {
    for (nlohmann::json& image : *images) {
      ImageSource source;
      if (image.is_object()) {
        if (auto uri = image.find("uri"); uri != image.end() && uri->is_string()) source.uri = uri->get<std::string>();
        if (auto view = image.find("bufferView"); view != image.end() && view->is_number_integer()) {
          source.buffer_view = view->get<int>();
        }
        if (auto mime = image.find("mimeType"); mime != image.end() && mime->is_string()) {
          source.mime_type = mime->get<std::string>();
        }
      }
      doc.image_sources_.push_back(std::move(source));
      image = {{"uri", "thumbgen-image"}};
    }
  }

  // Draco primitives name an index accessor without a bufferView, which tinygltf 2.7 rejects; the indices come
  // from the Draco data instead.
  if (auto meshes = root.find("meshes"); meshes != root.end() && meshes->is_array()) {
    for (nlohmann::json& mesh : *meshes) {
      if (!mesh.is_object() || !mesh.contains("primitives") || !mesh["primitives"].is_array()) continue;
      for (nlohmann::json& primitive : mesh["primitives"]) {
        if (primitive.is_object() && primitive.contains("extensions") && primitive["extensions"].is_object() &&
            primitive["extensions"].contains("KHR_draco_mesh_compression")) {
          primitive.erase("indices");
        }
      }
    }
  }

  const std::string stubbed = root.dump();
  tinygltf::TinyGLTF parser;
  std::string err, warn;
  if (!parser.LoadASCIIFromString(&doc.model, &err, &warn, stubbed.c_str(), static_cast<unsigned>(stubbed.size()),
                                  "")) {
    const std::string first_line = err.substr(0, err.find('\n'));
    throw LoadError("invalid glTF: " + (first_line.empty() ? std::string("parse failed") : first_line));
  }
  return doc;
}

std::span<const std::uint8_t> Document::buffer_bytes(int buffer) {
  if (buffer < 0 || static_cast<std::size_t>(buffer) >= buffer_sources_.size()) {
    throw LoadError("bufferView names missing buffer " + std::to_string(buffer));
  }
  const BufferSource& source = buffer_sources_[static_cast<std::size_t>(buffer)];
  std::span<const std::uint8_t> data;
  if (source.glb_bin) {
    data = glb_bin_;
  } else if (auto it = loaded_buffers_.find(buffer); it != loaded_buffers_.end()) {
    data = it->second;
  } else if (source.uri.empty()) {
    throw LoadError("buffer " + std::to_string(buffer) + " has no data");
  } else {
    std::vector<std::uint8_t> loaded;
    if (auto decoded = decode_base64_data_uri(source.uri)) {
      loaded = std::move(*decoded);
    } else if (source.uri.rfind("data:", 0) == 0) {
      throw LoadError("buffer " + std::to_string(buffer) + ": unsupported data URI");
    } else {
      loaded = files_.read(uri_to_file_name(source.uri));
    }
    data = loaded_buffers_.emplace(buffer, std::move(loaded)).first->second;
  }
  if (data.size() < source.byte_length) {
    throw LoadError("buffer " + std::to_string(buffer) + " is shorter than its byteLength");
  }
  return data.first(static_cast<std::size_t>(source.byte_length));
}

std::span<const std::uint8_t> Document::view_bytes(int view) {
  if (view < 0 || static_cast<std::size_t>(view) >= model.bufferViews.size()) {
    throw LoadError("missing bufferView " + std::to_string(view));
  }
  if (auto it = decoded_views_.find(view); it != decoded_views_.end()) return it->second;
  const tinygltf::BufferView& bv = model.bufferViews[static_cast<std::size_t>(view)];
  for (const char* name : {"KHR_meshopt_compression", "EXT_meshopt_compression"}) {
    if (const tinygltf::Value* ext = find_extension(bv.extensions, name)) {
      const int source = static_cast<int>(number_or(find_member(*ext, "buffer"), -1));
      std::vector<std::uint8_t> decoded = decode_meshopt_view(*ext, buffer_bytes(source), bv.byteLength, limits_);
      used_meshopt = true;
      return decoded_views_.emplace(view, std::move(decoded)).first->second;
    }
  }
  const std::span<const std::uint8_t> buffer = buffer_bytes(bv.buffer);
  if (bv.byteOffset > buffer.size() || bv.byteLength > buffer.size() - bv.byteOffset) {
    throw LoadError("bufferView " + std::to_string(view) + " exceeds its buffer");
  }
  return buffer.subspan(bv.byteOffset, bv.byteLength);
}

std::vector<std::uint8_t> Document::image_bytes(int image) {
  const ImageSource& source = image_source(image);
  if (source.buffer_view >= 0) {
    const auto bytes = view_bytes(source.buffer_view);
    return {bytes.begin(), bytes.end()};
  }
  if (source.uri.empty()) throw LoadError("image " + std::to_string(image) + " has no data");
  if (auto decoded = decode_base64_data_uri(source.uri)) return std::move(*decoded);
  if (source.uri.rfind("data:", 0) == 0) throw LoadError("image " + std::to_string(image) + ": unsupported data URI");
  return files_.read(uri_to_file_name(source.uri));
}

const tinygltf::Value* find_member(const tinygltf::Value& object, const char* name) {
  if (!object.IsObject() || !object.Has(name)) return nullptr;
  return &object.Get(name);
}

double number_or(const tinygltf::Value* value, double fallback) {
  if (value == nullptr || !value->IsNumber()) return fallback;
  return value->GetNumberAsDouble();
}

const tinygltf::Value* find_extension(const tinygltf::ExtensionMap& extensions, const char* name) {
  const auto it = extensions.find(name);
  return it == extensions.end() ? nullptr : &it->second;
}

}  // namespace thumbgen::scene::gltf
