#include "scene/vox_file.h"

#include <charconv>
#include <string_view>

#include "scene/load_error.h"

namespace thumbgen::scene::vox {
namespace {

constexpr std::size_t kChunkHeaderBytes = 12;  // id, content bytes, children bytes

// Bounds-checked little-endian reads inside one chunk's content; `what` names the chunk in errors.
class Reader {
 public:
  Reader(std::span<const std::uint8_t> bytes, std::string_view what) : bytes_(bytes), what_(what) {}

  std::size_t left() const { return bytes_.size() - offset_; }

  std::int32_t i32() {
    need(4);
    const std::uint8_t* p = bytes_.data() + offset_;
    offset_ += 4;
    return static_cast<std::int32_t>(std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
                                     std::uint32_t(p[3]) << 24);
  }

  // A count of items of at least `min_item_bytes` each: refused when the chunk cannot hold that many.
  std::size_t count(std::size_t min_item_bytes) {
    const std::int32_t n = i32();
    if (n < 0 || static_cast<std::uint64_t>(n) * min_item_bytes > left()) {
      throw LoadError("truncated .vox: " + std::string(what_) + " chunk claims " + std::to_string(n) + " items");
    }
    return static_cast<std::size_t>(n);
  }

  std::string_view string() {
    const std::size_t length = count(1);
    const std::string_view text(reinterpret_cast<const char*>(bytes_.data() + offset_), length);
    offset_ += length;
    return text;
  }

  // DICT: key/value strings. Only the keys a thumbnail uses are kept.
  template <typename OnEntry>
  void dict(OnEntry&& on_entry) {
    const std::size_t pairs = count(8);
    for (std::size_t i = 0; i < pairs; ++i) {
      const std::string_view key = string();
      on_entry(key, string());
    }
  }

  std::span<const std::uint8_t> take(std::size_t n) {
    need(n);
    const auto part = bytes_.subspan(offset_, n);
    offset_ += n;
    return part;
  }

 private:
  void need(std::size_t n) const {
    if (n > left()) throw LoadError("truncated .vox: " + std::string(what_) + " chunk ends early");
  }

  std::span<const std::uint8_t> bytes_;
  std::size_t offset_ = 0;
  std::string_view what_;
};

int parse_int(std::string_view text) {
  int value = 0;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// "_t": "x y z" (integers, in voxels).
glm::vec3 parse_translation(std::string_view text) {
  glm::vec3 t(0.0f);
  for (int axis = 0; axis < 3 && !text.empty(); ++axis) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    int value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec != std::errc()) break;
    t[axis] = static_cast<float>(value);
    text.remove_prefix(static_cast<std::size_t>(result.ptr - text.data()));
  }
  return t;
}

TransformNode parse_transform(Reader& r, int& id) {
  id = r.i32();
  TransformNode node;
  r.dict([&](std::string_view key, std::string_view value) {
    if (key == "_hidden") node.hidden = value == "1";
  });
  node.child = r.i32();
  r.i32();  // reserved id
  node.layer = r.i32();
  const std::size_t frames = r.count(4);
  for (std::size_t f = 0; f < frames; ++f) {
    r.dict([&](std::string_view key, std::string_view value) {
      if (f != 0) return;  // animation frames: the first one is the model at rest
      if (key == "_r") node.rotation = rotation_from_byte(parse_int(value));
      if (key == "_t") node.translation = parse_translation(value);
    });
  }
  return node;
}

GroupNode parse_group(Reader& r, int& id) {
  id = r.i32();
  r.dict([](std::string_view, std::string_view) {});
  GroupNode node;
  const std::size_t children = r.count(4);
  node.children.reserve(children);
  for (std::size_t i = 0; i < children; ++i) node.children.push_back(r.i32());
  return node;
}

ShapeNode parse_shape(Reader& r, int& id) {
  id = r.i32();
  r.dict([](std::string_view, std::string_view) {});
  ShapeNode node;
  const std::size_t models = r.count(8);
  for (std::size_t i = 0; i < models; ++i) {
    node.models.push_back(r.i32());
    r.dict([](std::string_view, std::string_view) {});
  }
  return node;
}

void parse_layer(Reader& r, SceneGraph& graph) {
  const int id = r.i32();
  bool hidden = false;
  r.dict([&](std::string_view key, std::string_view value) {
    if (key == "_hidden") hidden = value == "1";
  });
  if (hidden) graph.hidden_layers.insert(id);
}

class Parser {
 public:
  explicit Parser(File& file) : file_(file) {}

  void chunk(std::string_view id, std::span<const std::uint8_t> content) {
    Reader r(content, id);
    if (id == "SIZE") {
      Model model;
      for (int axis = 0; axis < 3; ++axis) model.size[axis] = r.i32();
      if (model.size.x <= 0 || model.size.y <= 0 || model.size.z <= 0) {
        throw LoadError(".vox: model " + std::to_string(file_.models.size()) + " has size " + size_text(model.size));
      }
      file_.models.push_back(std::move(model));
      voxels_pending_ = true;
    } else if (id == "XYZI") {
      if (!voxels_pending_) throw LoadError(".vox: XYZI chunk without a SIZE chunk before it");
      voxels_pending_ = false;
      const std::size_t n = r.count(4);
      const auto raw = r.take(n * 4);
      auto& voxels = file_.models.back().voxels;
      voxels.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t* v = raw.data() + i * 4;
        if (v[3] != 0) voxels.push_back({v[0], v[1], v[2], v[3]});
      }
    } else if (id == "RGBA") {
      const auto raw = r.take(256 * 4);
      // Colour i of the chunk is palette index i + 1 (the spec's NOTICE); the 256th entry is unused.
      for (std::size_t i = 0; i < 255; ++i) {
        const std::uint8_t* c = raw.data() + i * 4;
        file_.palette[i + 1] = glm::u8vec4(c[0], c[1], c[2], c[3]);
      }
      has_palette_ = true;
    } else if (id == "nTRN") {
      int node_id = 0;
      TransformNode node = parse_transform(r, node_id);
      add_node(node_id, std::move(node));
    } else if (id == "nGRP") {
      int node_id = 0;
      GroupNode node = parse_group(r, node_id);
      add_node(node_id, std::move(node));
    } else if (id == "nSHP") {
      int node_id = 0;
      ShapeNode node = parse_shape(r, node_id);
      add_node(node_id, std::move(node));
    } else if (id == "LAYR") {
      parse_layer(r, file_.graph);
    }
    // PACK (a model count the SIZE/XYZI pairs repeat), MATT/MATL, rOBJ, rCAM, NOTE, IMAP: not needed.
  }

  void finish() {
    if (!has_palette_) file_.palette = default_palette();
  }

 private:
  static std::string size_text(const glm::ivec3& s) {
    return std::to_string(s.x) + "x" + std::to_string(s.y) + "x" + std::to_string(s.z);
  }

  void add_node(int id, Node node) {
    if (!file_.graph.nodes.emplace(id, std::move(node)).second) {
      throw LoadError(".vox: scene node " + std::to_string(id) + " is defined twice");
    }
  }

  File& file_;
  bool voxels_pending_ = false;
  bool has_palette_ = false;
};

std::uint32_t u32_at(std::span<const std::uint8_t> b, std::size_t offset) {
  return std::uint32_t(b[offset]) | std::uint32_t(b[offset + 1]) << 8 | std::uint32_t(b[offset + 2]) << 16 |
         std::uint32_t(b[offset + 3]) << 24;
}

std::string_view chunk_id(std::span<const std::uint8_t> b, std::size_t offset) {
  return {reinterpret_cast<const char*>(b.data() + offset), 4};
}

}  // namespace

File parse_vox(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 8 || chunk_id(bytes, 0) != "VOX ") throw LoadError("not a MagicaVoxel file (no \"VOX \" magic)");
  File file;
  file.version = static_cast<int>(u32_at(bytes, 4));
  if (bytes.size() < 8 + kChunkHeaderBytes || chunk_id(bytes, 8) != "MAIN") {
    throw LoadError("truncated .vox: no MAIN chunk after the header");
  }
  const std::uint64_t main_content = u32_at(bytes, 12);
  const std::uint64_t main_children = u32_at(bytes, 16);
  const std::uint64_t children_begin = 8 + kChunkHeaderBytes + main_content;
  if (children_begin + main_children > bytes.size()) {
    throw LoadError("truncated .vox: MAIN holds " + std::to_string(main_content + main_children) +
                    " bytes, the file has " + std::to_string(bytes.size() - 8 - kChunkHeaderBytes) + " after it");
  }
  Parser parser(file);
  const std::uint64_t end = children_begin + main_children;
  for (std::uint64_t offset = children_begin; offset < end;) {
    if (end - offset < kChunkHeaderBytes) throw LoadError("truncated .vox: a chunk header ends early");
    const std::string_view id = chunk_id(bytes, offset);
    const std::uint64_t content = u32_at(bytes, offset + 4);
    const std::uint64_t children = u32_at(bytes, offset + 8);
    if (content + children > end - offset - kChunkHeaderBytes) {
      throw LoadError("truncated .vox: chunk '" + std::string(id) + "' at byte " + std::to_string(offset) + " needs " +
                      std::to_string(content + children) + " bytes, " +
                      std::to_string(end - offset - kChunkHeaderBytes) + " left");
    }
    parser.chunk(id, bytes.subspan(offset + kChunkHeaderBytes, content));
    offset += kChunkHeaderBytes + content + children;  // no chunk inside MAIN has children we read
  }
  parser.finish();
  return file;
}

}  // namespace thumbgen::scene::vox
