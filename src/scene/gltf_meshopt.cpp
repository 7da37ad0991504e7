// EXT_meshopt_compression / KHR_meshopt_compression bufferViews, decoded with meshoptimizer.
#include <string>

#include "scene/gltf_document.h"
#include "scene/load_error.h"

#if THUMBGEN_WITH_MESHOPT
#include <meshoptimizer.h>
#endif

namespace thumbgen::scene::gltf {

std::vector<std::uint8_t> decode_meshopt_view(const tinygltf::Value& extension, std::span<const std::uint8_t> source,
                                              std::uint64_t view_byte_length, const LoadLimits& limits) {
#if THUMBGEN_WITH_MESHOPT
  const double offset = number_or(find_member(extension, "byteOffset"), 0);
  const double length = number_or(find_member(extension, "byteLength"), -1);
  const double stride = number_or(find_member(extension, "byteStride"), -1);
  const double count = number_or(find_member(extension, "count"), -1);
  const tinygltf::Value* mode_value = find_member(extension, "mode");
  const tinygltf::Value* filter_value = find_member(extension, "filter");
  const std::string mode = mode_value && mode_value->IsString() ? mode_value->Get<std::string>() : "";
  const std::string filter = filter_value && filter_value->IsString() ? filter_value->Get<std::string>() : "NONE";

  if (offset < 0 || length < 0 || offset + length > static_cast<double>(source.size())) {
    throw LoadError("meshopt: compressed range exceeds its buffer");
  }
  if (stride < 1 || stride > 256 || count < 0) throw LoadError("meshopt: invalid byteStride or count");
  const auto byte_stride = static_cast<std::size_t>(stride);
  const auto element_count = static_cast<std::size_t>(count);
  const double decoded_size = count * stride;
  // The codecs cannot expand data by more than ~64x (2 header bits per byte lane per 16 vertices), so a larger
  // claim is hostile; checked before allocating.
  if (decoded_size > 64.0 * length + 4096.0 || decoded_size > static_cast<double>(limits.max_file_bytes) ||
      decoded_size < static_cast<double>(view_byte_length)) {
    throw LoadError("meshopt: implausible decoded size");
  }
  const auto compressed = source.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(length));
  std::vector<std::uint8_t> out(element_count * byte_stride);

  int result = -1;
  if (mode == "ATTRIBUTES") {
    if (byte_stride % 4 != 0) throw LoadError("meshopt: attribute byteStride must be a multiple of 4");
    result = meshopt_decodeVertexBuffer(out.data(), element_count, byte_stride, compressed.data(), compressed.size());
  } else if (mode == "TRIANGLES" || mode == "INDICES") {
    if (byte_stride != 2 && byte_stride != 4) throw LoadError("meshopt: index byteStride must be 2 or 4");
    if (mode == "TRIANGLES") {
      if (element_count % 3 != 0) throw LoadError("meshopt: triangle index count not a multiple of 3");
      result = meshopt_decodeIndexBuffer(out.data(), element_count, byte_stride, compressed.data(), compressed.size());
    } else {
      result =
          meshopt_decodeIndexSequence(out.data(), element_count, byte_stride, compressed.data(), compressed.size());
    }
  } else {
    throw LoadError("meshopt: unknown mode '" + mode + "'");
  }
  if (result != 0) throw LoadError("meshopt: corrupt compressed data");

  if (filter == "OCTAHEDRAL") {
    if (byte_stride != 4 && byte_stride != 8) throw LoadError("meshopt: octahedral filter needs byteStride 4 or 8");
    meshopt_decodeFilterOct(out.data(), element_count, byte_stride);
  } else if (filter == "QUATERNION") {
    if (byte_stride != 8) throw LoadError("meshopt: quaternion filter needs byteStride 8");
    meshopt_decodeFilterQuat(out.data(), element_count, byte_stride);
  } else if (filter == "EXPONENTIAL") {
    if (byte_stride % 4 != 0) throw LoadError("meshopt: exponential filter needs byteStride multiple of 4");
    meshopt_decodeFilterExp(out.data(), element_count, byte_stride);
  } else if (filter != "NONE") {
    throw LoadError("meshopt: unsupported filter '" + filter + "'");
  }
  return out;
#else
  (void)extension, (void)source, (void)view_byte_length, (void)limits;
  throw LoadError("meshopt compression is not supported in this build");
#endif
}

}  // namespace thumbgen::scene::gltf
