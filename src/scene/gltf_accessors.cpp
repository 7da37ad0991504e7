#include "scene/gltf_accessors.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "scene/load_error.h"

namespace thumbgen::scene::gltf {
namespace {

template <typename T>
T load(const std::uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

double raw_component(const std::uint8_t* p, int component_type) {
  switch (component_type) {
    case TINYGLTF_COMPONENT_TYPE_BYTE:
      return load<std::int8_t>(p);
    case TINYGLTF_COMPONENT_TYPE_UNSIGNED_BYTE:
      return load<std::uint8_t>(p);
    case TINYGLTF_COMPONENT_TYPE_SHORT:
      return load<std::int16_t>(p);
    case TINYGLTF_COMPONENT_TYPE_UNSIGNED_SHORT:
      return load<std::uint16_t>(p);
    case TINYGLTF_COMPONENT_TYPE_INT:
      return load<std::int32_t>(p);
    case TINYGLTF_COMPONENT_TYPE_UNSIGNED_INT:
      return load<std::uint32_t>(p);
    case TINYGLTF_COMPONENT_TYPE_FLOAT:
      return load<float>(p);
    case TINYGLTF_COMPONENT_TYPE_DOUBLE:
      return load<double>(p);
    default:
      return 0.0;
  }
}

int component_size(int component_type) {
  const int size = tinygltf::GetComponentSizeInBytes(static_cast<std::uint32_t>(component_type));
  if (size <= 0) throw LoadError("accessor has invalid componentType " + std::to_string(component_type));
  return size;
}

const tinygltf::Accessor& accessor_at(Document& doc, int index) {
  if (index < 0 || static_cast<std::size_t>(index) >= doc.model.accessors.size()) {
    throw LoadError("missing accessor " + std::to_string(index));
  }
  return doc.model.accessors[static_cast<std::size_t>(index)];
}

// Strided elements inside a bufferView, validated so that every element lies inside the view.
struct Elements {
  const std::uint8_t* base = nullptr;
  std::size_t stride = 0;
};

Elements locate(Document& doc, int view_index, std::size_t byte_offset, std::size_t count, std::size_t element_size,
                bool allow_stride, const char* what) {
  const std::span<const std::uint8_t> view = doc.view_bytes(view_index);
  std::size_t stride = element_size;
  if (allow_stride) {
    const std::size_t declared = doc.model.bufferViews[static_cast<std::size_t>(view_index)].byteStride;
    if (declared != 0) stride = declared;
  }
  if (count == 0) return {view.data(), stride};
  // offset + stride * (count - 1) + element_size <= view.size(), without overflow.
  const std::uint64_t last = static_cast<std::uint64_t>(stride) * (count - 1);
  if (byte_offset > view.size() || element_size > view.size() - byte_offset ||
      last > view.size() - byte_offset - element_size) {
    throw LoadError(std::string(what) + " exceeds its bufferView");
  }
  return {view.data() + byte_offset, stride};
}

}  // namespace

float normalize_component(double value, int component_type) {
  switch (component_type) {
    case TINYGLTF_COMPONENT_TYPE_BYTE:
      return std::max(static_cast<float>(value / 127.0), -1.0f);
    case TINYGLTF_COMPONENT_TYPE_UNSIGNED_BYTE:
      return static_cast<float>(value / 255.0);
    case TINYGLTF_COMPONENT_TYPE_SHORT:
      return std::max(static_cast<float>(value / 32767.0), -1.0f);
    case TINYGLTF_COMPONENT_TYPE_UNSIGNED_SHORT:
      return static_cast<float>(value / 65535.0);
    case TINYGLTF_COMPONENT_TYPE_UNSIGNED_INT:
      return static_cast<float>(value / 4294967295.0);
    default:
      return static_cast<float>(value);
  }
}

FloatData read_floats(Document& doc, int accessor_index, std::uint64_t max_count) {
  const tinygltf::Accessor& accessor = accessor_at(doc, accessor_index);
  const int components = tinygltf::GetNumComponentsInType(static_cast<std::uint32_t>(accessor.type));
  if (components < 1 || components > 4) throw LoadError("vertex accessor must be SCALAR or VEC2..VEC4");
  const int size = component_size(accessor.componentType);
  if (accessor.count > max_count) throw LoadError("accessor count exceeds the vertex limit");

  FloatData out;
  out.count = accessor.count;
  out.components = components;
  out.values.assign(accessor.count * static_cast<std::size_t>(components), 0.0f);
  auto convert = [&](const std::uint8_t* p, float* dst) {
    for (int c = 0; c < components; ++c) {
      const double raw = raw_component(p + c * size, accessor.componentType);
      dst[c] = accessor.normalized ? normalize_component(raw, accessor.componentType) : static_cast<float>(raw);
    }
  };

  const std::size_t element_size = static_cast<std::size_t>(components * size);
  if (accessor.bufferView >= 0) {
    const Elements elements =
        locate(doc, accessor.bufferView, accessor.byteOffset, accessor.count, element_size, true, "accessor");
    for (std::size_t i = 0; i < accessor.count; ++i) {
      convert(elements.base + i * elements.stride, &out.values[i * static_cast<std::size_t>(components)]);
    }
  }

  if (accessor.sparse.isSparse) {
    const auto& sparse = accessor.sparse;
    if (sparse.count < 0 || static_cast<std::size_t>(sparse.count) > accessor.count || sparse.indices.byteOffset < 0 ||
        sparse.values.byteOffset < 0) {
      throw LoadError("invalid sparse accessor");
    }
    const auto sparse_count = static_cast<std::size_t>(sparse.count);
    const int index_size = component_size(sparse.indices.componentType);
    const Elements indices = locate(doc, sparse.indices.bufferView, static_cast<std::size_t>(sparse.indices.byteOffset),
                                    sparse_count, static_cast<std::size_t>(index_size), false, "sparse indices");
    const Elements values = locate(doc, sparse.values.bufferView, static_cast<std::size_t>(sparse.values.byteOffset),
                                   sparse_count, element_size, false, "sparse values");
    for (std::size_t i = 0; i < sparse_count; ++i) {
      const double target = raw_component(indices.base + i * indices.stride, sparse.indices.componentType);
      if (target < 0 || target >= static_cast<double>(accessor.count)) throw LoadError("sparse index out of range");
      convert(values.base + i * values.stride,
              &out.values[static_cast<std::size_t>(target) * static_cast<std::size_t>(components)]);
    }
  }
  return out;
}

std::vector<std::uint32_t> read_indices(Document& doc, int accessor_index, std::uint64_t max_count) {
  const tinygltf::Accessor& accessor = accessor_at(doc, accessor_index);
  const int type = accessor.componentType;
  if (accessor.type != TINYGLTF_TYPE_SCALAR ||
      (type != TINYGLTF_COMPONENT_TYPE_UNSIGNED_BYTE && type != TINYGLTF_COMPONENT_TYPE_UNSIGNED_SHORT &&
       type != TINYGLTF_COMPONENT_TYPE_UNSIGNED_INT)) {
    throw LoadError("index accessor must be unsigned byte/short/int scalars");
  }
  if (accessor.sparse.isSparse || accessor.bufferView < 0) {
    // Rare for indices; reuse the general path (exact for values below 2^24).
    const FloatData data = read_floats(doc, accessor_index, max_count);
    return {data.values.begin(), data.values.end()};
  }
  if (accessor.count > max_count) throw LoadError("index count exceeds the limit");
  const auto size = static_cast<std::size_t>(component_size(type));
  const Elements elements =
      locate(doc, accessor.bufferView, accessor.byteOffset, accessor.count, size, true, "indices");
  std::vector<std::uint32_t> out(accessor.count);
  for (std::size_t i = 0; i < accessor.count; ++i) {
    out[i] = static_cast<std::uint32_t>(raw_component(elements.base + i * elements.stride, type));
  }
  return out;
}

}  // namespace thumbgen::scene::gltf
