// The assimp long-tail loader on fixtures generated here: OBJ+MTL, PLY, STL, glTF 1.0, and hostile files.
#include "scene/assimp_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "platform/folder_access.h"
#include "scene/assimp_ply.h"

namespace thumbgen::scene {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

// A model folder in memory. Like the real one it refuses absolute paths and "..", but it has no by-name
// fallback, so what resolves Windows paths here is the loader's own base-name retry.
class MemoryFiles final : public FileAccess {
 public:
  std::map<std::string, std::vector<std::uint8_t>> files;
  std::vector<std::string> requests;

  std::vector<std::uint8_t> read(std::string_view path) override {
    requests.emplace_back(path);
    if (refused(path)) throw LoadError(std::string(path) + ": outside the model folder");
    const auto it = files.find(std::string(path));
    if (it == files.end()) throw LoadError(std::string(path) + ": not found");
    return it->second;
  }
  bool exists(std::string_view path) override { return !refused(path) && files.count(std::string(path)) > 0; }

 private:
  static bool refused(std::string_view path) {
    return path.empty() || path[0] == '/' || path.find("..") != std::string_view::npos ||
           path.find(':') != std::string_view::npos;
  }
};

// Decodes "IMG <width> <height>" into a solid grey image; anything else fails like a corrupt file.
class FakeDecoder final : public ImageDecoder {
 public:
  int calls = 0;
  Image decode(std::span<const std::uint8_t> bytes, int) override {
    ++calls;
    const std::string text(bytes.begin(), bytes.end());
    int width = 0, height = 0;
    if (std::sscanf(text.c_str(), "IMG %d %d", &width, &height) != 2 || width <= 0 || height <= 0)
      throw LoadError("not an image");
    Image image;
    image.width = width;
    image.height = height;
    image.rgba.assign(static_cast<size_t>(width) * height * 4, 128);
    return image;
  }
};

struct Fixture {
  MemoryFiles files;
  FakeDecoder decoder;
  LoadLimits limits;

  Scene load(const std::string& name) {
    const std::vector<std::uint8_t> main = files.files.at(name);
    return load_with_assimp(name, main, files, decoder, limits);
  }
  Scene load(const std::string& name, std::string_view content) {
    files.files[name] = bytes_of(content);
    return load(name);
  }
};

size_t vertex_count(const Scene& scene) {
  size_t count = 0;
  for (const Mesh& mesh : scene.meshes) count += mesh.positions.size();
  return count;
}

bool has_warning(const Scene& scene, std::string_view part) {
  for (const std::string& warning : scene.warnings)
    if (warning.find(part) != std::string::npos) return true;
  return false;
}

constexpr std::string_view kQuadObj =
    "mtllib quad.mtl\n"
    "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\n"
    "vt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\n"
    "usemtl red\n"
    "f 1/1 2/2 3/3 4/4\n";

TEST(AssimpLoader, ObjWithMtlAndTexture) {
  Fixture f;
  f.files.files["quad.mtl"] = bytes_of("newmtl red\nKd 1 0 0\nd 1\nmap_Kd tex.img\n");
  f.files.files["tex.img"] = bytes_of("IMG 2 3");
  const Scene scene = f.load("quad.obj", kQuadObj);

  EXPECT_EQ(scene.format, "OBJ");
  ASSERT_EQ(scene.draws.size(), 1u);
  const Mesh& mesh = scene.meshes.at(scene.draws[0].mesh);
  EXPECT_EQ(mesh.primitive, Primitive::Triangles);
  EXPECT_EQ(scene.triangle_count(), 2u);  // the quad was triangulated
  EXPECT_EQ(mesh.uv0.size(), mesh.positions.size());
  EXPECT_TRUE(mesh.normals.empty());  // none in the file, none invented
  ASSERT_GE(mesh.material, 0);
  const Material& material = scene.materials.at(mesh.material);
  EXPECT_EQ(material.name, "red");
  EXPECT_FLOAT_EQ(material.base_color.r, 1.0f);
  EXPECT_FLOAT_EQ(material.base_color.g, 0.0f);
  EXPECT_EQ(material.metallic, 0.0f);
  EXPECT_EQ(material.alpha_mode, AlphaMode::Opaque);
  ASSERT_TRUE(material.base_color_texture.valid());
  EXPECT_EQ(scene.images.at(material.base_color_texture.image).width, 2);
  EXPECT_EQ(scene.images.at(material.base_color_texture.image).height, 3);
  EXPECT_TRUE(scene.warnings.empty());
}

TEST(AssimpLoader, ObjTextureUvsFollowTheGltfConvention) {
  Fixture f;
  f.files.files["quad.mtl"] = bytes_of("newmtl red\nKd 1 0 0\n");
  const Scene scene = f.load("quad.obj", kQuadObj);
  const Mesh& mesh = scene.meshes.at(scene.draws[0].mesh);
  // OBJ vt (0,0) is the bottom-left; Scene images have row 0 at the top, so v flips.
  for (size_t i = 0; i < mesh.positions.size(); ++i) EXPECT_FLOAT_EQ(mesh.uv0[i].y, 1.0f - mesh.positions[i].y);
}

TEST(AssimpLoader, WindowsTexturePathFallsBackToTheFileName) {
  Fixture f;
  f.files.files["quad.mtl"] = bytes_of("newmtl red\nKd 1 1 1\nmap_Kd C:\\Users\\someone\\textures\\tex.img\n");
  f.files.files["tex.img"] = bytes_of("IMG 4 4");
  const Scene scene = f.load("quad.obj", kQuadObj);
  const Material& material = scene.materials.at(scene.meshes.at(scene.draws[0].mesh).material);
  ASSERT_TRUE(material.base_color_texture.valid());
  EXPECT_EQ(scene.images.at(material.base_color_texture.image).width, 4);
}

TEST(AssimpLoader, MissingOrCorruptTexturesAreWarnings) {
  Fixture f;
  f.files.files["quad.mtl"] = bytes_of("newmtl red\nKd 1 1 1\nmap_Kd nothere.png\nmap_Ke broken.img\n");
  f.files.files["broken.img"] = bytes_of("garbage");
  const Scene scene = f.load("quad.obj", kQuadObj);
  const Material& material = scene.materials.at(scene.meshes.at(scene.draws[0].mesh).material);
  EXPECT_FALSE(material.base_color_texture.valid());
  EXPECT_FALSE(material.emissive_texture.valid());
  EXPECT_TRUE(has_warning(scene, "nothere.png"));
  EXPECT_TRUE(has_warning(scene, "broken.img"));
}

TEST(AssimpLoader, MtllibOutsideTheFolderIsRefusedNotFatal) {
  Fixture f;
  const Scene scene = f.load("evil.obj", "mtllib ../../../etc/passwd\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
  EXPECT_EQ(scene.triangle_count(), 1u);
  EXPECT_TRUE(has_warning(scene, "passwd"));
}

TEST(AssimpLoader, ObjVertexColoursBecomeLinear) {
  Fixture f;
  const Scene scene = f.load("c.obj", "v 0 0 0 0.5 1 0\nv 1 0 0 0.5 1 0\nv 0 1 0 0.5 1 0\nf 1 2 3\n");
  const Mesh& mesh = scene.meshes.at(scene.draws[0].mesh);
  ASSERT_EQ(mesh.colors.size(), mesh.positions.size());
  EXPECT_NEAR(mesh.colors[0].r, 0.2140f, 1e-3f);  // sRGB 0.5
  EXPECT_NEAR(mesh.colors[0].g, 1.0f, 1e-6f);
  EXPECT_NEAR(mesh.colors[0].a, 1.0f, 1e-6f);
}

TEST(AssimpLoader, ObjPointsAndLines) {
  Fixture f;
  Scene points = f.load("p.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\n");
  ASSERT_EQ(points.draws.size(), 1u);
  EXPECT_EQ(points.meshes.at(points.draws[0].mesh).primitive, Primitive::Points);
  EXPECT_EQ(vertex_count(points), 4u);

  Scene lines = f.load("l.obj", "v 0 0 0\nv 1 0 0\nv 1 1 0\nl 1 2 3\n");
  ASSERT_FALSE(lines.draws.empty());
  const Mesh& mesh = lines.meshes.at(lines.draws[0].mesh);
  EXPECT_EQ(mesh.primitive, Primitive::Lines);
  EXPECT_EQ(mesh.indices.size() % 2, 0u);
  EXPECT_GE(mesh.indices.size(), 4u);  // a polyline of two segments
}

constexpr std::string_view kPlyAsciiMesh =
    "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\n"
    "property uchar red\nproperty uchar green\nproperty uchar blue\n"
    "element face 1\nproperty list uchar int vertex_indices\nend_header\n"
    "0 0 0 255 128 0\n1 0 0 255 128 0\n0 1 0 255 128 0\n3 0 1 2\n";

TEST(AssimpLoader, PlyAsciiMeshWithColours) {
  Fixture f;
  const Scene scene = f.load("m.ply", kPlyAsciiMesh);
  EXPECT_EQ(scene.format, "PLY");
  EXPECT_EQ(scene.triangle_count(), 1u);
  const Mesh& mesh = scene.meshes.at(scene.draws[0].mesh);
  ASSERT_EQ(mesh.colors.size(), mesh.positions.size());
  EXPECT_NEAR(mesh.colors[0].r, 1.0f, 1e-4f);
  EXPECT_NEAR(mesh.colors[0].g, 0.2158f, 2e-3f);  // 128/255 in sRGB → linear
  EXPECT_NEAR(mesh.colors[0].b, 0.0f, 1e-6f);
}

TEST(AssimpLoader, PlyDiffuseColourNamesAreVertexColours) {
  Fixture f;
  std::string ply(kPlyAsciiMesh);
  for (const char* channel : {"red", "green", "blue"}) {
    const std::string plain = std::string("uchar ") + channel + "\n";
    ply.replace(ply.find(plain), plain.size(), std::string("uchar diffuse_") + channel + "\n");
  }
  ASSERT_NE(ply.find("diffuse_green"), std::string::npos);
  const Scene scene = f.load("d.ply", ply);
  const Mesh& mesh = scene.meshes.at(scene.draws[0].mesh);
  ASSERT_EQ(mesh.colors.size(), mesh.positions.size());
  EXPECT_NEAR(mesh.colors[0].r, 1.0f, 1e-4f);
  EXPECT_NEAR(mesh.colors[0].g, 0.2158f, 2e-3f);
  EXPECT_NEAR(mesh.colors[0].b, 0.0f, 1e-6f);
}

TEST(AssimpLoader, PlyHeaderRenameLeavesOtherFilesAlone) {
  const std::string plain(kPlyAsciiMesh);
  EXPECT_TRUE(with_plain_ply_colour_names(std::span(reinterpret_cast<const std::uint8_t*>(plain.data()), plain.size()))
                  .empty());
  const std::string other = "solid x\nendsolid x\n";
  EXPECT_TRUE(with_plain_ply_colour_names(std::span(reinterpret_cast<const std::uint8_t*>(other.data()), other.size()))
                  .empty());
}

std::string binary_ply(int vertices, bool with_face) {
  std::string out = "ply\nformat binary_little_endian 1.0\nelement vertex " + std::to_string(vertices) +
                    "\nproperty float x\nproperty float y\nproperty float z\n";
  if (with_face) out += "element face 1\nproperty list uchar int vertex_indices\n";
  out += "end_header\n";
  for (int i = 0; i < vertices; ++i) {
    const float xyz[3] = {static_cast<float>(i), static_cast<float>(i % 2), 0.5f};
    out.append(reinterpret_cast<const char*>(xyz), sizeof(xyz));
  }
  if (with_face) {
    out.push_back(3);
    const std::int32_t face[3] = {0, 1, 2};
    out.append(reinterpret_cast<const char*>(face), sizeof(face));
  }
  return out;
}

TEST(AssimpLoader, PlyBinaryMeshAndPointClouds) {
  Fixture f;
  Scene mesh = f.load("b.ply", binary_ply(3, true));
  EXPECT_EQ(mesh.triangle_count(), 1u);
  EXPECT_EQ(mesh.meshes.at(mesh.draws[0].mesh).primitive, Primitive::Triangles);

  Scene cloud = f.load("cloud.ply", binary_ply(100, false));
  ASSERT_EQ(cloud.draws.size(), 1u);
  EXPECT_EQ(cloud.meshes.at(cloud.draws[0].mesh).primitive, Primitive::Points);
  EXPECT_EQ(vertex_count(cloud), 100u);
  EXPECT_FLOAT_EQ(cloud.meshes.at(0).positions.at(99).x, 99.0f);

  Scene ascii = f.load("a.ply",
                       "ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\n"
                       "property float z\nend_header\n0 0 0\n1 2 3\n");
  EXPECT_EQ(ascii.meshes.at(ascii.draws[0].mesh).primitive, Primitive::Points);
  EXPECT_EQ(vertex_count(ascii), 2u);
}

// A 4×3 grid of vertices (z = 0) covered by two triangle strips joined by a -1 restart, as Stanford-era scans
// store their surfaces; every triangle of the strips faces +Z. A "confidence" list before the strip exercises
// skipping the other properties.
std::string strip_ply(const std::string& format) {
  const std::vector<std::int32_t> strip = {4, 0, 5, 1, 6, 2, 7, 3, -1, 8, 4, 9, 5, 10, 6, 11, 7};
  std::string out = "ply\nformat " + format + " 1.0\ncomment strips\nelement vertex 12\nproperty float x\n" +
                    "property float y\nproperty float z\nelement tristrips 1\nproperty list uchar uchar confidence\n" +
                    "property list int int vertex_indices\nend_header\n";
  const bool big = format == "binary_big_endian";
  auto put = [&](const void* data, size_t size) {
    std::string raw(static_cast<const char*>(data), size);
    if (big) std::reverse(raw.begin(), raw.end());
    out += raw;
  };
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 4; ++x) {
      const float xyz[3] = {static_cast<float>(x), static_cast<float>(y), 0.0f};
      if (format == "ascii") {
        out += std::to_string(x) + " " + std::to_string(y) + " 0\n";
      } else {
        for (float v : xyz) put(&v, 4);
      }
    }
  if (format == "ascii") {
    out += "2 7 9 " + std::to_string(strip.size());
    for (std::int32_t i : strip) out += " " + std::to_string(i);
    out += "\n";
    return out;
  }
  out += std::string{2, 7, 9};
  const std::int32_t length = static_cast<std::int32_t>(strip.size());
  put(&length, 4);
  for (std::int32_t i : strip) put(&i, 4);
  return out;
}

TEST(AssimpLoader, PlyTriangleStripsLoadAsTrianglesInAsciiAndBinary) {
  for (const std::string format : {"ascii", "binary_little_endian", "binary_big_endian"}) {
    SCOPED_TRACE(format);
    Fixture f;
    const Scene scene = f.load("strips.ply", strip_ply(format));
    ASSERT_EQ(scene.draws.size(), 1u);
    const Mesh& mesh = scene.meshes.at(scene.draws[0].mesh);
    EXPECT_EQ(mesh.primitive, Primitive::Triangles);
    ASSERT_EQ(scene.triangle_count(), 12u) << "two strips of eight indices: six triangles each";
    ASSERT_EQ(mesh.positions.size(), 12u);
    float area = 0;
    for (size_t t = 0; t + 2 < mesh.indices.size(); t += 3) {
      const glm::vec3 a = mesh.positions.at(mesh.indices[t]), b = mesh.positions.at(mesh.indices[t + 1]),
                      c = mesh.positions.at(mesh.indices[t + 2]);
      const float z = glm::cross(b - a, c - a).z;
      EXPECT_GT(z, 0.0f) << "triangle " << t / 3 << " keeps the strip's winding";
      area += z / 2;
    }
    EXPECT_NEAR(area, 6.0f, 1e-4f) << "the strips cover the whole 3×2 grid";
  }
}

// The strip grid of strip_ply with faces as well, in the faces' own layout (a flags byte before their corners):
// two triangles below the grid (y from -1 to 0) and, when `strips_first`, the strips before the faces in the file.
std::string strips_and_faces_ply(const std::string& format, bool strips_first) {
  const std::vector<std::int32_t> strip = {4, 0, 5, 1, 6, 2, 7, 3, -1, 8, 4, 9, 5, 10, 6, 11, 7};
  const bool ascii = format == "ascii", big = format == "binary_big_endian";
  std::string out =
      "ply\nformat " + format + " 1.0\nelement vertex 14\nproperty float x\nproperty float y\n" + "property float z\n";
  const std::string strips_header = "element tristrips 1\nproperty list int int vertex_indices\n";
  const std::string faces_header = "element face 2\nproperty uchar flags\nproperty list uchar uint vertex_indices\n";
  out += (strips_first ? strips_header + "comment between\n" + faces_header : faces_header + strips_header) +
         "end_header\n";
  auto put = [&](auto value) {
    if (ascii) {
      out += std::to_string(value) + " ";
      return;
    }
    std::string raw(reinterpret_cast<const char*>(&value), sizeof value);
    if (big) std::reverse(raw.begin(), raw.end());
    out += raw;
  };
  auto end_line = [&] {
    if (ascii) out.back() = '\n';
  };
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 4; ++x) {
      for (float v : {static_cast<float>(x), static_cast<float>(y), 0.0f}) put(v);
      end_line();
    }
  for (const float x : {0.0f, 3.0f}) {  // vertices 12 and 13
    for (float v : {x, -1.0f, 0.0f}) put(v);
    end_line();
  }
  auto strips = [&] {
    put(static_cast<std::int32_t>(strip.size()));
    for (std::int32_t i : strip) put(i);
    end_line();
  };
  auto faces = [&] {
    for (const std::array<std::uint32_t, 3> face :
         {std::array<std::uint32_t, 3>{12, 13, 3}, std::array<std::uint32_t, 3>{12, 3, 0}}) {
      put(std::uint8_t{0});
      put(std::uint8_t{3});
      for (std::uint32_t i : face) put(i);
      end_line();
    }
  };
  if (strips_first) {
    strips();
    faces();
  } else {
    faces();
    strips();
  }
  return out;
}

TEST(AssimpLoader, PlyStripsJoinTheFacesOfAFileThatHasBoth) {
  for (const std::string format : {"ascii", "binary_little_endian", "binary_big_endian"}) {
    for (const bool strips_first : {false, true}) {
      SCOPED_TRACE(format + (strips_first ? ", strips first" : ", faces first"));
      Fixture f;
      const Scene scene = f.load("both.ply", strips_and_faces_ply(format, strips_first));
      ASSERT_EQ(scene.triangle_count(), 14u) << "twelve from the strips, two faces";
      scene::Bounds covered;
      float area = 0;
      for (const scene::Draw& draw : scene.draws) {
        const Mesh& mesh = scene.meshes.at(static_cast<std::size_t>(draw.mesh));
        for (size_t t = 0; t + 2 < mesh.indices.size(); t += 3) {
          const glm::vec3 a = mesh.positions.at(mesh.indices[t]), b = mesh.positions.at(mesh.indices[t + 1]),
                          c = mesh.positions.at(mesh.indices[t + 2]);
          area += std::abs(glm::cross(b - a, c - a).z) / 2;
          for (const glm::vec3& p : {a, b, c}) covered.add(p);
        }
      }
      EXPECT_NEAR(area, 9.0f, 1e-4f) << "the strips' 3×2 grid and the faces' 3×1 band below it";
      EXPECT_FLOAT_EQ(covered.min.y, -1.0f);
      EXPECT_FLOAT_EQ(covered.max.y, 2.0f);
    }
  }
}

TEST(AssimpLoader, PlyStripRewriteLeavesOtherFilesAloneAndRefusesCutStrips) {
  const std::string plain(kPlyAsciiMesh);
  EXPECT_TRUE(
      with_ply_strips_as_faces(std::span(reinterpret_cast<const std::uint8_t*>(plain.data()), plain.size())).empty());
  std::string cut = strip_ply("binary_little_endian");
  cut.resize(cut.size() - 8);
  Fixture f;
  EXPECT_THROW(f.load("cut.ply", cut), LoadError);
}

TEST(AssimpLoader, PlyWithHugeElementCountIsRejectedBeforeAllocating) {
  Fixture f;
  std::string ply = binary_ply(3, true);
  ply.replace(ply.find("vertex 3"), 8, "vertex 4000000000");
  EXPECT_THROW(f.load("huge.ply", ply), LoadError);
  ply = binary_ply(3, true);
  ply.replace(ply.find("face 1"), 6, "face 2000000000");
  EXPECT_THROW(f.load("faces.ply", ply), LoadError);
}

std::string binary_stl(std::uint32_t declared, std::uint32_t actual) {
  std::string out(80, ' ');
  out.append(reinterpret_cast<const char*>(&declared), 4);
  for (std::uint32_t t = 0; t < actual; ++t) {
    const float data[12] = {0, 0, 1, 0, 0, static_cast<float>(t), 1, 0, static_cast<float>(t), 0, 1, 0};
    out.append(reinterpret_cast<const char*>(data), sizeof(data));
    out.append(2, '\0');
  }
  return out;
}

TEST(AssimpLoader, StlAsciiAndBinary) {
  Fixture f;
  const Scene ascii = f.load("a.stl",
                             "solid t\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 1 0\n"
                             "endloop\nendfacet\nendsolid t\n");
  EXPECT_EQ(ascii.format, "STL");
  EXPECT_EQ(ascii.triangle_count(), 1u);

  const Scene binary = f.load("b.STL", binary_stl(5, 5));
  EXPECT_EQ(binary.triangle_count(), 5u);
  EXPECT_EQ(vertex_count(binary), 15u);
}

// Some exporters leave bytes after the last triangle; assimp alone fails such a file ("Failed to determine STL
// storage representation"). A "solid" header does not make a binary file ASCII.
TEST(AssimpLoader, BinaryStlWithTrailingBytesLoads) {
  Fixture f;
  EXPECT_EQ(f.load("padded.stl", binary_stl(4, 4) + "\n\n\0junk").triangle_count(), 4u);
  std::string solid = binary_stl(2, 2) + "tail";
  solid.replace(0, 6, "solid ");
  solid[10] = '\xC3';  // a byte no ASCII STL has in its first 500
  EXPECT_EQ(f.load("solid.stl", solid).triangle_count(), 2u);
}

// Truncated files say so, not what the library stumbled on next.
TEST(AssimpLoader, TruncatedFilesSayTheyAreTruncated) {
  Fixture f;
  auto reason = [&](const std::string& name, const std::string& content) {
    try {
      f.load(name, content);
    } catch (const LoadError& error) {
      return std::string(error.what());
    }
    return std::string("(loaded)");
  };
  EXPECT_EQ(reason("t.stl", binary_stl(1000, 3)),
            "truncated STL: the header declares 1000 triangles (50084 bytes), the file has 234");
  EXPECT_EQ(reason("short.stl", std::string(40, 'x')), "truncated STL: 40 bytes, no triangle count");
  EXPECT_EQ(reason("cut.ply", "ply\nformat ascii 1.0\nelement vertex 3\nprop"),
            "truncated PLY: header has no end_header");
  // GLB v1: 20-byte header (magic, version 1, total length, JSON length, JSON format 0), then the JSON.
  auto glb1 = [](std::uint32_t declared_extra, std::uint32_t json_extra) {
    const std::string json = R"({"asset": {"version": "1.0"}})";
    const std::uint32_t words[4] = {1, static_cast<std::uint32_t>(20 + json.size()) + declared_extra,
                                    static_cast<std::uint32_t>(json.size()) + json_extra, 0};
    return "glTF" + std::string(reinterpret_cast<const char*>(words), sizeof(words)) + json;
  };
  EXPECT_EQ(reason("a.glb", glb1(0, 100)), "truncated GLB: JSON chunk exceeds file size");
  EXPECT_EQ(reason("b.glb", glb1(5000, 0)), "truncated GLB: header length exceeds file size");
  const std::string gltf1 = R"({"asset": {"version": "1.0"}, "meshes": {"m": {"primitives": [)";
  EXPECT_TRUE(reason("cut.gltf", gltf1).starts_with("invalid glTF JSON: ")) << reason("cut.gltf", gltf1);
}

TEST(AssimpLoader, HostileFilesThrowLoadError) {
  Fixture f;
  EXPECT_THROW(f.load("t.stl", binary_stl(1000, 3)), LoadError);  // truncated binary STL
  EXPECT_THROW(f.load("x.fbx", "Kaydara FBX Binary  \0\x1a\0garbage"), LoadError);
  EXPECT_THROW(f.load("x.obj", "# nothing here\n"), LoadError);
  EXPECT_THROW(f.load("x.obj", "v 0 0 0\nv 1 0 0\nf 1 2 99\n"), LoadError);  // index past the vertices
  EXPECT_THROW(f.load("x.xyz123", "random bytes"), LoadError);
  try {
    f.load("x.ply", "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nend_header\n");
    FAIL() << "expected LoadError";
  } catch (const LoadError& error) {
    EXPECT_NE(std::string(error.what()).find("PLY"), std::string::npos) << error.what();
  }
}

TEST(AssimpLoader, VertexLimitIsEnforced) {
  Fixture f;
  f.limits.max_vertices = 50;
  f.files.files["cloud.ply"] = bytes_of(binary_ply(100, false));
  EXPECT_THROW(f.load("cloud.ply"), LoadError);
  f.files.files["b.stl"] = bytes_of(binary_stl(20, 20));  // 60 vertices
  EXPECT_THROW(f.load("b.stl"), LoadError);
}

// A Tilt Brush style glTF 1.0 file: technique material named after the Light brush GUID, colour texture under
// the technique parameter "MainTex", an external .bin, a node transform and a camera.
TEST(AssimpLoader, Gltf1TiltBrushExport) {
  Fixture f;
  std::string bin;
  const float positions[9] = {0, 0, 0, 1, 0, 0, 0, 1, 0};
  const std::uint16_t indices[3] = {0, 1, 2};
  bin.append(reinterpret_cast<const char*>(positions), sizeof(positions));
  bin.append(reinterpret_cast<const char*>(indices), sizeof(indices));
  bin.append(2, '\0');  // align the colours
  const std::uint8_t colors[12] = {255, 128, 0, 255, 255, 128, 0, 255, 255, 128, 0, 255};
  bin.append(reinterpret_cast<const char*>(colors), sizeof(colors));
  f.files.files["sketch.bin"] = bytes_of(bin);
  f.files.files["Light-MainTex.img"] = bytes_of("IMG 8 4");
  const std::string gltf = R"({
    "asset": {"version": "1.0", "generator": "Tilt Brush"},
    "scene": "scene0", "scenes": {"scene0": {"nodes": ["stroke", "eye"]}},
    "nodes": {
      "stroke": {"meshes": ["mesh0"], "matrix": [1,0,0,0, 0,1,0,0, 0,0,1,0, 5,0,0,1]},
      "eye": {"camera": "camera0", "matrix": [1,0,0,0, 0,1,0,0, 0,0,1,0, 0,0,10,1]}
    },
    "cameras": {"camera0": {"type": "perspective",
                            "perspective": {"yfov": 0.6, "aspectRatio": 1.5, "znear": 0.1, "zfar": 100}}},
    "meshes": {"mesh0": {"primitives": [{"attributes": {"POSITION": "pos", "COLOR": "col"}, "indices": "idx",
               "material": "material_2241cd32-8ba2-48a5-9ee7-2caef7e9ed62", "mode": 4}]}},
    "accessors": {
      "pos": {"bufferView": "bv_pos", "byteOffset": 0, "byteStride": 12, "componentType": 5126, "count": 3,
              "type": "VEC3", "min": [0,0,0], "max": [1,1,0]},
      "col": {"bufferView": "bv_col", "byteOffset": 0, "componentType": 5121, "count": 3, "type": "VEC4"},
      "idx": {"bufferView": "bv_idx", "byteOffset": 0, "componentType": 5123, "count": 3, "type": "SCALAR"}
    },
    "bufferViews": {
      "bv_pos": {"buffer": "buf", "byteOffset": 0, "byteLength": 36, "target": 34962},
      "bv_idx": {"buffer": "buf", "byteOffset": 36, "byteLength": 6, "target": 34963},
      "bv_col": {"buffer": "buf", "byteOffset": 44, "byteLength": 12, "target": 34962}
    },
    "buffers": {"buf": {"uri": "sketch.bin", "byteLength": 56}},
    "materials": {"material_2241cd32-8ba2-48a5-9ee7-2caef7e9ed62": {
      "name": "material_2241cd32-8ba2-48a5-9ee7-2caef7e9ed62",
      "technique": "technique0", "values": {"EmissionGain": 0.45, "MainTex": "tex0"}}},
    "textures": {"tex0": {"source": "img0", "sampler": "s0"}},
    "samplers": {"s0": {}},
    "images": {"img0": {"uri": "Light-MainTex.img"}}
  })";
  const Scene scene = f.load("sketch.gltf", gltf);
  EXPECT_EQ(scene.format, "glTF 1.0");
  ASSERT_EQ(scene.draws.size(), 1u);
  EXPECT_FLOAT_EQ(scene.draws[0].transform[3][0], 5.0f);  // node translation kept, not baked in
  const Mesh& mesh = scene.meshes.at(scene.draws[0].mesh);
  EXPECT_EQ(mesh.positions.size(), 3u);
  ASSERT_EQ(mesh.colors.size(), 3u);  // assimp drops glTF 1.0 COLOR; the loader reads it itself
  EXPECT_NEAR(mesh.colors[1].r, 1.0f, 1e-4f);
  EXPECT_NEAR(mesh.colors[1].g, 0.2158f, 2e-3f);
  const Material& material = scene.materials.at(mesh.material);
  EXPECT_EQ(material.alpha_mode, AlphaMode::Additive);
  EXPECT_TRUE(material.unlit);
  ASSERT_TRUE(material.base_color_texture.valid());
  EXPECT_EQ(scene.images.at(material.base_color_texture.image).width, 8);

  ASSERT_EQ(scene.cameras.size(), 1u);
  EXPECT_TRUE(scene.cameras[0].perspective);
  EXPECT_NEAR(scene.cameras[0].world[3][2], 10.0f, 1e-5f);
  EXPECT_NEAR(scene.cameras[0].world[2][2], 1.0f, 1e-5f);  // its local −Z (the view direction) is world −Z
  EXPECT_NEAR(scene.cameras[0].yfov, 0.6f, 1e-5f);
}

// A binary glTF 1.0 (KHR_binary_glTF) triangle whose primitive names `material`; the file has one material, "red".
// `generator` sets the JSON's length: it is left unpadded when not a multiple of 4, as some exporters write it.
std::string glb_v1_triangle(const std::string& material, const std::string& generator = "x") {
  const std::string json = R"({"asset": {"version": "1.0", "generator": ")" + generator +
                           R"("}, "extensionsUsed": ["KHR_binary_glTF"],
    "scene": "s", "scenes": {"s": {"nodes": ["n"]}}, "nodes": {"n": {"meshes": ["m"]}},
    "meshes": {"m": {"primitives": [{"attributes": {"POSITION": "pos"}, "indices": "idx", "mode": 4,
                                     "material": ")" +
                           material + R"("}]}},
    "accessors": {
      "pos": {"bufferView": "bv_pos", "byteOffset": 0, "byteStride": 12, "componentType": 5126, "count": 3,
              "type": "VEC3", "min": [0,0,0], "max": [1,1,0]},
      "idx": {"bufferView": "bv_idx", "byteOffset": 0, "componentType": 5123, "count": 3, "type": "SCALAR"}},
    "bufferViews": {"bv_pos": {"buffer": "binary_glTF", "byteOffset": 0, "byteLength": 36},
                    "bv_idx": {"buffer": "binary_glTF", "byteOffset": 36, "byteLength": 6}},
    "buffers": {"binary_glTF": {"type": "arraybuffer", "byteLength": 44}},
    "materials": {"red": {"name": "red", "values": {"diffuse": [1, 0, 0, 1]}}}})";
  std::string body;
  const float positions[9] = {0, 0, 0, 1, 0, 0, 0, 1, 0};
  const std::uint16_t indices[4] = {0, 1, 2, 0};
  body.append(reinterpret_cast<const char*>(positions), sizeof(positions));
  body.append(reinterpret_cast<const char*>(indices), sizeof(indices));
  const std::uint32_t words[4] = {1, static_cast<std::uint32_t>(20 + json.size() + body.size()),
                                  static_cast<std::uint32_t>(json.size()), 0};
  return "glTF" + std::string(reinterpret_cast<const char*>(words), sizeof(words)) + json + body;
}

TEST(AssimpLoader, Gltf1BinaryWithUnpaddedJsonLoadsLikeTheBrowsers) {
  for (const std::string generator : {"a", "ab", "abc", "abcd"}) {  // every JSON length modulo 4
    Fixture f;
    const std::string glb = glb_v1_triangle("red", generator);
    std::uint32_t json_length = 0;
    std::memcpy(&json_length, glb.data() + 12, 4);
    SCOPED_TRACE("JSON length " + std::to_string(json_length));
    const Scene scene = f.load("t.glb", glb);
    EXPECT_EQ(scene.format, "glTF 1.0");
    ASSERT_EQ(scene.triangle_count(), 1u);
    const Mesh& mesh = scene.meshes.at(scene.draws[0].mesh);
    EXPECT_EQ(mesh.positions.at(1), glm::vec3(1, 0, 0));
    EXPECT_EQ(mesh.positions.at(2), glm::vec3(0, 1, 0));
  }
}

// A mesh naming a material that does not exist (and other ids that name nothing) fails the asset in assimp
// ("No suitable reader"); the browsers draw it with their default material, and so does the loader, with warnings.
TEST(AssimpLoader, Gltf1DanglingReferencesDrawWithTheDefaultMaterialAndWarn) {
  Fixture f;
  const Scene named = f.load("red.glb", glb_v1_triangle("red"));
  const Mesh& red = named.meshes.at(named.draws.at(0).mesh);
  ASSERT_GE(red.material, 0);
  EXPECT_NEAR(named.materials.at(red.material).base_color.r, 1.0f, 1e-4f);
  EXPECT_TRUE(named.warnings.empty());

  const Scene scene = f.load("dangling.glb", glb_v1_triangle("no-such-material"));
  EXPECT_EQ(scene.triangle_count(), 1u);
  EXPECT_EQ(scene.meshes.at(scene.draws.at(0).mesh).material, -1) << "the renderer's default material";
  ASSERT_EQ(scene.warnings.size(), 1u);
  EXPECT_NE(scene.warnings[0].find("\"no-such-material\", which does not exist"), std::string::npos)
      << scene.warnings[0];

  // Dangling texture, node and scene ids are left out; the rest still draws.
  std::string glb = glb_v1_triangle("red");
  const std::string extra = R"("diffuse": [1, 0, 0, 1], "emission": "no-texture")";
  glb.replace(glb.find(R"("diffuse": [1, 0, 0, 1])"), 23, extra);
  glb.replace(glb.find(R"("nodes": ["n"])"), 14, R"("nodes": ["n", "ghost"])");
  glb.replace(glb.find(R"("meshes": ["m"])"), 15, R"("meshes": ["m", "gone"])");
  std::uint32_t lengths[2];
  std::memcpy(lengths, glb.data() + 8, sizeof(lengths));
  const auto grown = static_cast<std::uint32_t>(extra.size() - 23 + 9 + 8);
  lengths[0] += grown, lengths[1] += grown;
  std::memcpy(glb.data() + 8, lengths, sizeof(lengths));
  const Scene repaired = f.load("repaired.glb", glb);
  EXPECT_EQ(repaired.triangle_count(), 1u);
  EXPECT_EQ(repaired.warnings.size(), 3u);
  EXPECT_GE(repaired.meshes.at(repaired.draws.at(0).mesh).material, 0);
}

// `glb` (a GLB v1 from glb_v1_triangle) with `from` in its JSON replaced by `to`, its lengths updated.
std::string glb_v1_replacing(std::string glb, const std::string& from, const std::string& to) {
  const std::size_t at = glb.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at == std::string::npos) return glb;
  glb.replace(at, from.size(), to);
  std::uint32_t lengths[2];  // the file's, the JSON's
  std::memcpy(lengths, glb.data() + 8, sizeof(lengths));
  const auto grown = static_cast<std::uint32_t>(to.size() - from.size());
  lengths[0] += grown, lengths[1] += grown;
  std::memcpy(glb.data() + 8, lengths, sizeof(lengths));
  return glb;
}

// Accessors that name nothing (a primitive's attribute or indices naming no accessor, an accessor naming no buffer
// view, a view naming no buffer) fail the asset in assimp; the browsers draw what is left, and so does the loader:
// each case breaks a second primitive of the triangle's mesh, and the first still draws.
TEST(AssimpLoader, Gltf1AccessorsNamingNothingDrawWhatIsLeftWithAWarning) {
  struct Case {
    std::string what, second_primitive, extra_accessor, extra_view;
    std::size_t triangles;
    std::string warning;
  };
  const std::string index_accessor = R"("componentType": 5123, "count": 3, "type": "SCALAR"})";
  const std::vector<Case> cases = {
      {"an attribute naming no accessor",
       R"({"attributes": {"POSITION": "pos", "NORMAL": "no-normals"}, "indices": "idx"})", "", "", 2,
       R"(primitive 1 names accessor "no-normals", which does not exist: left out)"},
      {"indices naming no accessor", R"({"attributes": {"POSITION": "pos"}, "indices": "no-indices"})", "", "", 1,
       R"(names accessor "no-indices" for its indices, which does not exist: the primitive is left out)"},
      {"positions naming no accessor", R"({"attributes": {"POSITION": "no-positions"}, "indices": "idx"})", "", "", 1,
       R"(names accessor "no-positions", which does not exist: the primitive is left out)"},
      {"an accessor naming no view", R"({"attributes": {"POSITION": "pos"}, "indices": "idx2"})",
       R"("idx2": {"bufferView": "bv_gone", )" + index_accessor + ",", "", 1,
       R"(accessors "idx2" names bufferViews "bv_gone", which does not exist)"},
      {"a view naming no buffer", R"({"attributes": {"POSITION": "pos"}, "indices": "idx2"})",
       R"("idx2": {"bufferView": "bv2", )" + index_accessor + ",",
       R"("bv2": {"buffer": "elsewhere", "byteOffset": 36, "byteLength": 6},)", 1,
       R"(bufferViews "bv2" names buffers "elsewhere", which does not exist)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    std::string glb = glb_v1_replacing(glb_v1_triangle("red"), R"("material": "red"}])",
                                       R"("material": "red"}, )" + c.second_primitive + "]");
    glb = glb_v1_replacing(glb, R"("accessors": {)", R"("accessors": {)" + c.extra_accessor);
    glb = glb_v1_replacing(glb, R"("bufferViews": {)", R"("bufferViews": {)" + c.extra_view);
    Fixture f;
    Scene scene;
    ASSERT_NO_THROW(scene = f.load("t.glb", glb));
    EXPECT_EQ(scene.triangle_count(), c.triangles);
    bool warned = false;
    for (const std::string& warning : scene.warnings) warned = warned || warning.find(c.warning) != std::string::npos;
    EXPECT_TRUE(warned) << "no warning with: " << c.warning;
  }

  // With nothing left to draw, the asset fails as one without geometry, not as one no reader suits.
  Fixture f;
  try {
    f.load("t.glb", glb_v1_replacing(glb_v1_triangle("red"), R"("POSITION": "pos")", R"("POSITION": "gone")"));
    ADD_FAILURE() << "loaded";
  } catch (const LoadError& error) {
    EXPECT_NE(std::string(error.what()).find("no geometry"), std::string::npos) << error.what();
  }
}

// The long-tail corpus entries load (textures fail to decode with the fake decoder: warnings only).
TEST(AssimpLoader, CorpusEntriesLoad) {
  const std::filesystem::path corpus = "/work/shared/corpus";
  if (!std::filesystem::exists(corpus / "MANIFEST.tsv")) GTEST_SKIP() << "no corpus at " << corpus;
  const char* entries[] = {"obj-spider/spider.obj",
                           "obj-point_cloud/point_cloud.obj",
                           "obj-testline/testline.obj",
                           "obj-pirate/pirate.obj",
                           "ply-bun_zipper/bun_zipper.ply",
                           "ply-pond-pointcloud/pond.0.ply",
                           "stl-counter-unitsmm/counter.unitsmm.STL",
                           "stl-Spider-ascii/Spider_ascii.stl",
                           "fbx-spider/spider.fbx",
                           "fbx-box-ascii-embedded/box.FBX",
                           "gltf1-CesiumMilkTruck/CesiumMilkTruck.gltf",
                           "gltf1-BoxTextured-binary/BoxTextured.glb",
                           "tilt-ExampleSketch-gltf1/Untitled.gltf",
                           "tiltfbx-Fireball/Fireball.fbx",
                           "tiltfbx-House/House.fbx"};
  for (const char* entry : entries) {
    const std::filesystem::path path = corpus / entry;
    if (!std::filesystem::exists(path)) continue;
    platform::FolderAccess files(path.parent_path(), 1ull << 30);
    FakeDecoder decoder;
    const std::vector<std::uint8_t> main = files.read(path.filename().string());
    Scene scene;
    ASSERT_NO_THROW(scene = load_with_assimp(path.filename().string(), main, files, decoder, LoadLimits{})) << entry;
    EXPECT_FALSE(scene.draws.empty()) << entry;
  }
}

}  // namespace
}  // namespace thumbgen::scene
