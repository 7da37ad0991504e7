// Reference discovery for FBX, Collada and the rest of assimp's formats: assimp parses the model (no
// post-processing) and the files it reads plus its material textures that are not embedded are the references.
// Asking assimp rather than scanning the bytes lists exactly what a render reads (FBX textures reach materials
// through object connections, binary or ASCII, embedded or not).
#include <assimp/material.h>
#include <assimp/scene.h>

#include <assimp/Importer.hpp>

#include "scene/assimp_io.h"
#include "scene/assimp_loader.h"
#include "scene/file_access.h"
#include "scene/load.h"
#include "scene/load_error.h"
#include "scene/reference_collector.h"

namespace thumbgen::scene {
namespace {

// The model folder as assimp's file system sees it: every file it opens is recorded as a reference.
class RecordingFiles final : public FileAccess {
 public:
  explicit RecordingFiles(ReferenceCollector& out) : out_(out) {}

  std::vector<std::uint8_t> read(std::string_view name) override {
    const FileLookup lookup = out_.resolve(name, Lookup::Direct);
    if (!lookup.found()) throw LoadError(file_error(name, lookup.problem));  // assimp_io retries by file name
    out_.add(name, "side file", Lookup::Direct);
    return out_.read(lookup.file);
  }
  bool exists(std::string_view name) override { return out_.resolve(name, Lookup::Direct).found(); }

 private:
  ReferenceCollector& out_;
};

}  // namespace

void find_assimp_references(const std::string& main_file, std::span<const std::uint8_t> bytes,
                            ReferenceCollector& out) {
  const std::string name(file_name_of(main_file).empty() ? "model" : file_name_of(main_file));
  RecordingFiles files(out);
  Assimp::Importer importer;
  auto* io = new AssimpFileSystem(name, bytes, files, LoadLimits{}.max_file_bytes);
  importer.SetIOHandler(io);  // the importer owns it
  configure_assimp_importer(importer);
  const aiScene* ai = nullptr;
  try {
    ai = importer.ReadFile(name, 0);
  } catch (const std::exception& error) {
    throw LoadError(std::string("assimp: ") + error.what());
  }
  if (ai == nullptr) {
    const std::string reason = importer.GetErrorString();
    throw LoadError("assimp: " + (reason.empty() ? std::string("could not read the file") : reason));
  }
  for (const std::string& missing : io->missing()) out.add(missing, "side file", Lookup::SideFile);

  for (unsigned m = 0; m < ai->mNumMaterials; ++m) {
    const aiMaterial* material = ai->mMaterials[m];
    if (material == nullptr) continue;
    for (int type = aiTextureType_NONE; type <= AI_TEXTURE_TYPE_MAX; ++type) {
      const auto texture_type = static_cast<aiTextureType>(type);
      for (unsigned i = 0; i < material->GetTextureCount(texture_type); ++i) {
        aiString path;
        if (material->GetTexture(texture_type, i, &path) != aiReturn_SUCCESS) continue;
        const std::string_view text(path.C_Str(), path.length);
        // "*<n>" and names matching an embedded texture are inside the model, as the renderer finds them.
        if (text.empty() || text.starts_with('*') || ai->GetEmbeddedTexture(path.C_Str()) != nullptr) continue;
        out.add(text, "texture", Lookup::Texture);
      }
    }
  }
}

}  // namespace thumbgen::scene
