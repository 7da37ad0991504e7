// Reference discovery (scene/model_references.h): per format, on small models written here, over an in-memory
// list of files and over a real folder (FolderAccess), and against what a render actually reads.
#include "scene/model_references.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "platform/folder_access.h"
#include "scene/assimp_io.h"
#include "scene/load.h"
#include "scene/load_error.h"
#include "support/bytes.h"
#include "support/scratch_dir.h"
#include "support/tilt_writer.h"

namespace thumbgen::scene {
namespace {

namespace fs = std::filesystem;

// A model folder in memory: names → bytes; `unreadable` names exist but cannot be read.
struct MemoryFolder {
  std::map<std::string, std::vector<std::uint8_t>> files;
  std::set<std::string> unreadable;

  void add(const std::string& name, std::string_view content = "x") { files[name] = test::text_bytes(content); }

  ModelReferences references(const std::string& main_file) const {
    std::vector<std::string> names;
    for (const auto& [name, bytes] : files) names.push_back(name);
    const FileList list(names);
    return find_model_references(main_file, list, [&](const std::string& name) {
      if (unreadable.contains(name)) throw LoadError(name + ": cannot be opened");
      return files.at(name);
    });
  }
};

// glTF 2.0 or 1.0 GLB: header, JSON chunk (space-padded), optional BIN chunk.
std::vector<std::uint8_t> glb(std::string json, int version) {
  while (json.size() % 4 != 0) json += ' ';
  std::vector<std::uint8_t> out;
  auto u32 = [&](std::uint32_t value) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  };
  out.insert(out.end(), {'g', 'l', 'T', 'F'});
  u32(static_cast<std::uint32_t>(version));
  u32(static_cast<std::uint32_t>(20 + json.size()));
  u32(static_cast<std::uint32_t>(json.size()));
  if (version == 2) {
    out.insert(out.end(), {'J', 'S', 'O', 'N'});
  } else {
    u32(0);  // contentFormat: JSON
  }
  out.insert(out.end(), json.begin(), json.end());
  return out;
}

std::vector<std::string> references_of(const std::vector<UnresolvedReference>& unresolved) {
  std::vector<std::string> out;
  for (const auto& entry : unresolved) out.push_back(entry.reference);
  return out;
}

using Names = std::vector<std::string>;

TEST(ModelReferences, Gltf2BuffersAndImagesPercentDecodedWithoutDataUris) {
  MemoryFolder folder;
  folder.add("scene.gltf", R"({"asset": {"version": "2.0"},
    "buffers": [{"uri": "mesh%20data.bin", "byteLength": 4},
                {"uri": "data:application/octet-stream;base64,AAAA", "byteLength": 3}],
    "images": [{"uri": "textures/a%20b.png"}, {"uri": "C:\\Users\\artist\\WOOD.png"}, {"uri": "missing.png"},
               {"uri": "https://example.com/y.png"}, {"bufferView": 0, "mimeType": "image/png"},
               {"uri": "textures/a%20b.png"}, {"uri": "../outside.png"}]})");
  folder.add("mesh data.bin");
  folder.add("textures/a b.png");
  folder.add("maps/wood.png");
  folder.add("unused.png");

  const ModelReferences found = folder.references("scene.gltf");
  EXPECT_EQ(found.error, "");
  EXPECT_EQ(found.files, (Names{"mesh data.bin", "textures/a b.png", "maps/wood.png"}));
  ASSERT_EQ(found.resolved.size(), 3u);  // the repeated image once
  EXPECT_EQ(found.resolved[0].role, "buffer");
  EXPECT_EQ(found.resolved[2].reference, "C:\\Users\\artist\\WOOD.png");
  ASSERT_EQ(found.unresolved.size(), 3u);
  EXPECT_EQ(found.unresolved[0].reason, "missing.png: not found");
  EXPECT_EQ(found.unresolved[1].problem, FileProblem::Url);
  EXPECT_EQ(found.unresolved[2].reason, "../outside.png: outside the model folder");
}

TEST(ModelReferences, GlbImagesOutsideTheBinaryChunk) {
  MemoryFolder folder;
  const auto model = glb(R"({"asset": {"version": "2.0"}, "buffers": [{"byteLength": 8}],
                             "images": [{"uri": "tex.png"}, {"bufferView": 0, "mimeType": "image/png"}]})",
                         2);
  folder.files["model.glb"] = model;
  folder.add("tex.png");
  const ModelReferences found = folder.references("model.glb");
  EXPECT_EQ(found.error, "");
  EXPECT_EQ(found.files, Names{"tex.png"});
  EXPECT_TRUE(found.unresolved.empty());
}

TEST(ModelReferences, Gltf1DictionariesShadersAndUrlsAsAssimpReadsThem) {
  MemoryFolder folder;
  folder.add("sketch.gltf", R"({"asset": {"version": "1.0"},
    "buffers": {"main": {"uri": "sketch.bin"}},
    "images": {"ink": {"uri": "https://www.tiltbrush.com/shaders/brushes/Ink-f5c3/Ink-f5c3-v10.0-MainTex.png"},
               "local": {"uri": "./textures/paper.png"}},
    "shaders": {"vs": {"uri": "https://www.tiltbrush.com/shaders/brushes/Ink-f5c3/Ink-f5c3-v10.0-vertex.glsl"},
                "fs": {"uri": "Ink-fragment.glsl"}}})");
  folder.add("sketch.bin");
  folder.add("textures/paper.png");
  folder.add("brushes/Ink-f5c3-v10.0-MainTex.png");  // a URL's file name in the folder: assimp's retry finds it
  folder.add("Ink-fragment.glsl");

  const ModelReferences found = folder.references("sketch.gltf");
  EXPECT_EQ(found.error, "");
  EXPECT_EQ(found.files,
            (Names{"sketch.bin", "brushes/Ink-f5c3-v10.0-MainTex.png", "textures/paper.png", "Ink-fragment.glsl"}));
  ASSERT_EQ(found.unresolved.size(), 1u);
  EXPECT_EQ(found.unresolved[0].role, "shader");
  EXPECT_EQ(found.unresolved[0].problem, FileProblem::Url);
}

TEST(ModelReferences, GlbVersion1KeepsItsBinaryBodyInside) {
  MemoryFolder folder;
  folder.files["poly.glb"] = glb(R"({"asset": {"version": "1.0"},
    "buffers": {"binary_glTF": {"uri": "data:,", "byteLength": 0}},
    "images": {"img": {"uri": "data:,", "extensions": {"KHR_binary_glTF": {"bufferView": "v"}}},
               "ext": {"uri": "outside%20view.jpg"}}})",
                                 1);
  folder.add("outside view.jpg");
  const ModelReferences found = folder.references("poly.glb");
  EXPECT_EQ(found.error, "");
  EXPECT_EQ(found.files, Names{"outside view.jpg"});
}

TEST(ModelReferences, ObjMaterialLibrariesAndEveryTextureMap) {
  MemoryFolder folder;
  folder.add("chair.obj",
             "# made here\nmtllib my materials.mtl\nmtllib a.mtl b.mtl\n  MTLLIB a.mtl\n"
             "v 0 0 0\nv 1 0 0\nv 0 1 0\nusemtl wood\nf 1 2 3\n");
  folder.add("my materials.mtl",
             "newmtl wood\nmap_Kd -s 1 1 1 -o -0.5 0 0 -clamp on wood grain.png\r\n"
             "map_Ks ./spec.png\nbump -bm 0.5 bump.png\nmap_Bump bump.png\nnorm n.png\nmap_Pr rough.png\n"
             "map_Pm metal.png\ndisp -mm 0 1 d.png\nmap_d C:\\Users\\artist\\alpha.png\nrefl -type sphere env.png\n"
             "map_Ke file://glow.png\nmap_Kd   \nKd 1 1 1\n");
  folder.add("a.mtl", "newmtl a\nmap_Ka ambient.png\nmap_Kd gone.png\n");
  folder.add("b.mtl", "newmtl b\nmap_Kd ambient.png\n");
  for (const char* texture : {"wood grain.png", "spec.png", "bump.png", "n.png", "rough.png", "metal.png", "d.png",
                              "textures/Alpha.PNG", "env.png", "glow.png", "ambient.png"})
    folder.add(texture);

  const ModelReferences found = folder.references("chair.obj");
  EXPECT_EQ(found.error, "");
  EXPECT_EQ(found.files,
            (Names{"my materials.mtl", "wood grain.png", "spec.png", "bump.png", "n.png", "rough.png", "metal.png",
                   "d.png", "textures/Alpha.PNG", "env.png", "glow.png", "a.mtl", "ambient.png", "b.mtl"}));
  EXPECT_EQ(references_of(found.unresolved), Names{"gone.png"});
  EXPECT_TRUE(found.warnings.empty());
}

TEST(ModelReferences, ObjFallsBackToItsOwnMtlAsAssimpDoes) {
  MemoryFolder folder;
  folder.add("Chair.obj", "mtllib exported/gone.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
  folder.add("Chair.mtl", "newmtl a\nmap_Kd tex.png\n");
  folder.add("tex.png");
  const ModelReferences found = folder.references("Chair.obj");
  EXPECT_EQ(found.files, (Names{"Chair.mtl", "tex.png"}));
  EXPECT_EQ(references_of(found.unresolved), Names{"exported/gone.mtl"});

  MemoryFolder without;  // no mtllib: assimp reads no material library at all
  without.add("plain.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
  without.add("plain.mtl", "newmtl a\nmap_Kd tex.png\n");
  EXPECT_TRUE(without.references("plain.obj").files.empty());
}

TEST(ModelReferences, AnUnreadableMaterialLibraryIsAWarning) {
  MemoryFolder folder;
  folder.add("m.obj", "mtllib m.mtl\nv 0 0 0\n");
  folder.add("m.mtl", "map_Kd t.png\n");
  folder.unreadable.insert("m.mtl");
  const ModelReferences found = folder.references("m.obj");
  EXPECT_EQ(found.error, "");
  EXPECT_EQ(found.files, Names{"m.mtl"});
  ASSERT_EQ(found.warnings.size(), 1u);
  EXPECT_NE(found.warnings[0].find("m.mtl: cannot be opened"), std::string::npos) << found.warnings[0];
}

TEST(ModelReferences, PlyMeshTextureCommentButNotSplatsStlOrSpz) {
  MemoryFolder folder;
  folder.add("scan.ply",
             "ply\nformat ascii 1.0\ncomment TextureFile scan texture.jpg\r\nelement vertex 1\nproperty float x\n"
             "property float y\nproperty float z\nend_header\ncomment TextureFile not-header.png\n0 0 0\n");
  folder.add("scan texture.jpg");
  folder.add("splats.ply",
             "ply\nformat binary_little_endian 1.0\ncomment TextureFile never.png\nelement vertex 0\n"
             "property float x\nproperty float y\nproperty float z\nproperty float f_dc_0\nproperty float f_dc_1\n"
             "property float f_dc_2\nproperty float opacity\nproperty float scale_0\nproperty float scale_1\n"
             "property float scale_2\nproperty float rot_0\nproperty float rot_1\nproperty float rot_2\n"
             "property float rot_3\nend_header\n");
  folder.add("part.stl", "solid part\nendsolid part\n");
  folder.add("cloud.spz", "\x1f\x8b spz");
  folder.add("cloud.splat", std::string(32, '\0'));

  const ModelReferences scan = folder.references("scan.ply");
  EXPECT_EQ(scan.error, "");
  EXPECT_EQ(scan.files, Names{"scan texture.jpg"});
  EXPECT_TRUE(scan.unresolved.empty());
  for (const char* self_contained : {"splats.ply", "part.stl", "cloud.spz", "cloud.splat"}) {
    const ModelReferences found = folder.references(self_contained);
    EXPECT_EQ(found.error, "") << self_contained;
    EXPECT_TRUE(found.files.empty() && found.unresolved.empty()) << self_contained;
  }
}

// A raw sketch holds everything but its brush textures: their export URLs, as its loader asks for them (the main
// texture of each known brush, the normal map of lit ones), so a worker can fetch them from the operator's prefix.
TEST(ModelReferences, RawTiltSketchesListTheirBrushTextureUrls) {
  MemoryFolder folder;
  const std::string unknown_guid = "00000000-1111-2222-3333-444444444444";
  test::TiltStrokeSpec stroke;
  stroke.points = test::points_along_x(3);
  folder.files["sketch.tilt"] = test::tilt_file(test::tilt_sketch_data({stroke}),
                                                test::tilt_metadata({test::kInkGuid, test::kLightGuid, unknown_guid}));
  folder.add("broken.tilt", "PK\x03\x04 data.sketch");

  const ModelReferences found = folder.references("sketch.tilt");
  EXPECT_EQ(found.error, "");
  EXPECT_TRUE(found.files.empty());
  std::vector<std::string> urls;
  for (const UnresolvedReference& reference : found.unresolved) {
    EXPECT_EQ(reference.role, "brush texture");
    EXPECT_EQ(reference.problem, FileProblem::Url);
    urls.push_back(reference.reference);
  }
  const std::string ink = std::string("Ink-") + test::kInkGuid, light = std::string("Light-") + test::kLightGuid;
  EXPECT_EQ(urls, (Names{"https://www.tiltbrush.com/shaders/brushes/" + ink + "/" + ink + "-v10.0-MainTex.png",
                         "https://www.tiltbrush.com/shaders/brushes/" + ink + "/" + ink + "-v10.0-BumpMap.png",
                         "https://www.tiltbrush.com/shaders/brushes/" + light + "/" + light + "-v10.0-MainTex.png"}));
  EXPECT_NE(folder.references("broken.tilt").error.find("not a zip archive"), std::string::npos);
}

TEST(ModelReferences, ProblemsWithTheMainFileAreErrors) {
  MemoryFolder folder;
  folder.add("broken.gltf", R"({"asset": {"version": "2.0"}, "images": [)");
  folder.add("empty.glb", "");
  folder.files["short.glb"] = glb(R"({"asset": {"version": "2.0"}})", 2);
  folder.files["short.glb"].resize(24);
  EXPECT_EQ(folder.references("absent.obj").error, "absent.obj: not found");
  EXPECT_NE(folder.references("broken.gltf").error.find("invalid glTF JSON"), std::string::npos);
  EXPECT_EQ(folder.references("empty.glb").error, "empty file");
  EXPECT_EQ(folder.references("short.glb").error, "truncated GLB: JSON chunk exceeds file size");
}

// A hand-written ASCII FBX 7.4: one triangle, a material with an external diffuse texture (named by a Windows
// relative path), an external normal map and an embedded emissive texture.
std::string fbx_with_textures() {
  return R"(; FBX 7.4.0 project file
FBXHeaderExtension:  {
	FBXHeaderVersion: 1003
	FBXVersion: 7400
}
GlobalSettings:  {
	Version: 1000
	Properties70:  {
		P: "UpAxis", "int", "Integer", "",1
	}
}
Objects:  {
	Geometry: 100, "Geometry::tri", "Mesh" {
		Vertices: *9 {
			a: 0,0,0,1,0,0,0,1,0
		}
		PolygonVertexIndex: *3 {
			a: 0,1,-3
		}
		GeometryVersion: 124
		LayerElementMaterial: 0 {
			Version: 101
			MappingInformationType: "AllSame"
			ReferenceInformationType: "IndexToDirect"
			Materials: *1 {
				a: 0
			}
		}
		Layer: 0 {
			Version: 100
			LayerElement:  {
				Type: "LayerElementMaterial"
				TypedIndex: 0
			}
		}
	}
	Model: 200, "Model::tri", "Mesh" {
		Version: 232
	}
	Material: 300, "Material::mat", "" {
		Version: 102
		ShadingModel: "phong"
		Properties70:  {
			P: "DiffuseColor", "Color", "", "A",1,1,1
		}
	}
	Texture: 400, "Texture::wood", "" {
		Type: "TextureVideoClip"
		FileName: "C:\Users\artist\maps\wood.png"
		RelativeFilename: "maps\wood.png"
	}
	Texture: 401, "Texture::bump", "" {
		Type: "TextureVideoClip"
		FileName: "C:\Users\artist\bump.png"
		RelativeFilename: "bump.png"
	}
	Texture: 402, "Texture::glow", "" {
		Type: "TextureVideoClip"
		FileName: "glow.png"
		RelativeFilename: "glow.png"
	}
	Video: 500, "Video::glow", "Clip" {
		Type: "Clip"
		FileName: "glow.png"
		RelativeFilename: "glow.png"
		Content: "iVBORw0KGgpmYWtl"
	}
}
Connections:  {
	C: "OO",200,0
	C: "OO",100,200
	C: "OO",300,200
	C: "OP",400,300, "DiffuseColor"
	C: "OP",401,300, "NormalMap"
	C: "OP",402,300, "EmissiveColor"
	C: "OO",500,402
}
)";
}

TEST(ModelReferences, FbxTexturesAsAssimpConnectsThemEmbeddedOnesLeftOut) {
  if (!THUMBGEN_WITH_ASSIMP) GTEST_SKIP() << "FBX needs assimp";
  MemoryFolder folder;
  folder.add("model.fbx", fbx_with_textures());
  folder.add("maps/wood.png");
  folder.add("glow.png");  // embedded in the FBX: the render never reads this copy
  const ModelReferences found = folder.references("model.fbx");
  EXPECT_EQ(found.error, "");
  EXPECT_EQ(found.files, Names{"maps/wood.png"});
  EXPECT_EQ(references_of(found.unresolved), Names{"bump.png"});
  EXPECT_EQ(found.unresolved.at(0).reason, "bump.png: not found");
}

TEST(ModelReferences, UnknownContentIsAnAssimpError) {
  if (!THUMBGEN_WITH_ASSIMP) GTEST_SKIP() << "needs assimp";
  MemoryFolder folder;
  folder.add("model.fbx", "not an fbx at all");
  EXPECT_EQ(folder.references("model.fbx").error.rfind("assimp: ", 0), 0u) << folder.references("model.fbx").error;
}

// The same models in a real folder: FolderAccess's list of names gives the same answers, the renderer's readers
// find the same file for each reference, and a render reads exactly the listed files.
class ModelReferencesOnDisk : public ::testing::Test {
 protected:
  void write(const std::string& name, std::string_view content) {
    fs::create_directories((root_ / name).parent_path());
    std::ofstream(root_ / name, std::ios::binary).write(content.data(), static_cast<std::streamsize>(content.size()));
  }

  ModelReferences references(platform::FolderAccess& files, const std::string& main_file) {
    const FileList list(files.file_names(), files.folder().generic_string());
    return find_model_references(main_file, list, [&](const std::string& name) { return files.read(name); });
  }

  // Records the names a render reads successfully.
  class Recording final : public FileAccess {
   public:
    explicit Recording(FileAccess& files) : files_(files) {}
    std::vector<std::uint8_t> read(std::string_view name) override {
      auto bytes = files_.read(name);
      contents.insert(std::string(bytes.begin(), bytes.end()));
      return bytes;
    }
    bool exists(std::string_view name) override { return files_.exists(name); }
    std::set<std::string> contents;  // each file's content is its own name, so contents name files

   private:
    FileAccess& files_;
  };

  // A decoder for any bytes: a 1×1 white image.
  class AnyImage final : public ImageDecoder {
   public:
    Image decode(std::span<const std::uint8_t>, int) override {
      Image image;
      image.width = image.height = 1;
      image.rgba = {255, 255, 255, 255};
      return image;
    }
  };

  // The side files a render of `main_file` reads (those written by these tests start with "file:<their name>").
  std::set<std::string> render_reads(const std::string& main_file) {
    platform::FolderAccess disk(root_, 1 << 20);
    Recording recording(disk);
    AnyImage images;
    load_scene(main_file, recording, images, LoadLimits{});
    std::set<std::string> names;
    for (const std::string& content : recording.contents) {
      if (content.starts_with("file:")) names.insert(content.substr(5, content.find('\n') - 5));
    }
    return names;
  }

  test::ScratchDir scratch_{"thumbgen-references"};
  const fs::path& root_ = scratch_.path();
};

TEST_F(ModelReferencesOnDisk, ObjResolvesAsTheRenderReadsIt) {
  if (!THUMBGEN_WITH_ASSIMP) GTEST_SKIP() << "OBJ needs assimp";
  write("chair.obj", "mtllib sub\\chair.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nusemtl wood\nf 1/1 2/1 3/1\n");
  write("sub/chair.mtl", "newmtl wood\nmap_Kd -s 2 2 C:\\Users\\artist\\Wood.png\nnorm maps/n.png\nmap_Ks spec.png\n");
  write("textures/wood.png", "file:textures/wood.png");
  write("a/maps/n.png", "file:a/maps/n.png");
  write("b/n.png", "file:b/n.png");
  platform::FolderAccess files(root_, 1 << 20);
  const ModelReferences found = references(files, "chair.obj");
  EXPECT_EQ(found.error, "");
  EXPECT_EQ(found.files, (Names{"sub/chair.mtl", "textures/wood.png", "a/maps/n.png"}));
  EXPECT_EQ(references_of(found.unresolved), Names{"spec.png"});
  // The renderer's own reader finds the same file for every resolved reference.
  for (const ResolvedReference& reference : found.resolved) {
    EXPECT_EQ(read_side_file(files, reference.reference, 1 << 20), files.read(reference.file)) << reference.reference;
  }
  // assimp's own option parsing would eat "-s 2 2 <name>": the render reads the map named without options.
  write("sub/chair.mtl", "file:sub/chair.mtl\nnewmtl wood\nmap_Kd C:\\Users\\artist\\Wood.png\nnorm maps/n.png\n");
  const Names listed = references(files, "chair.obj").files;
  EXPECT_EQ(render_reads("chair.obj"), std::set<std::string>(listed.begin(), listed.end()));
}

TEST_F(ModelReferencesOnDisk, GltfResolvesAsTheRenderReadsIt) {
  write("scene.gltf", R"({"asset": {"version": "2.0"}, "buffers": [{"uri": "data/mesh.bin", "byteLength": 4}],
                         "images": [{"uri": "Textures%5CWood.PNG"}, {"uri": "/home/artist/wood.png"}]})");
  write("data/mesh.bin", "file:data/mesh.bin");
  write("textures/wood.png", "file:textures/wood.png");
  platform::FolderAccess files(root_, 1 << 20);
  const ModelReferences found = references(files, "scene.gltf");
  EXPECT_EQ(found.error, "");
  EXPECT_EQ(found.files, (Names{"data/mesh.bin", "textures/wood.png"}));
  for (const ResolvedReference& reference : found.resolved) {
    EXPECT_EQ(files.read(reference.reference), files.read(reference.file)) << reference.reference;
  }
}

TEST_F(ModelReferencesOnDisk, FbxResolvesAsTheRenderReadsIt) {
  if (!THUMBGEN_WITH_ASSIMP) GTEST_SKIP() << "FBX needs assimp";
  write("model.fbx", fbx_with_textures());
  write("textures/Wood.png", "file:textures/Wood.png");
  write("bump.png", "file:bump.png");
  platform::FolderAccess files(root_, 1 << 20);
  const ModelReferences found = references(files, "model.fbx");
  EXPECT_EQ(found.error, "");
  EXPECT_EQ(found.files, (Names{"textures/Wood.png", "bump.png"}));
  EXPECT_EQ(render_reads("model.fbx"), std::set<std::string>(found.files.begin(), found.files.end()));
}

}  // namespace
}  // namespace thumbgen::scene
