// Reference discovery for PLY meshes: assimp reads a texture named in the header as "comment TextureFile <name>".
#include "scene/reference_collector.h"

namespace thumbgen::scene {

void find_ply_references(std::span<const std::uint8_t> bytes, ReferenceCollector& out) {
  // The header is text up to "end_header"; the body (often binary) is not looked at.
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  constexpr std::string_view kTexture = "comment TextureFile ";  // assimp matches these words exactly
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    if (line.starts_with("end_header")) return;
    if (line.starts_with(kTexture)) {
      std::string_view name = line.substr(kTexture.size());
      name = name.substr(0, name.find_last_not_of(" \t\r") + 1);
      if (!name.empty()) out.add(name, "texture", Lookup::Texture);
    }
    start = end + 1;
  }
}

}  // namespace thumbgen::scene
