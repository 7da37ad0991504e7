// Reference discovery for raw Tilt Brush sketches: a .tilt holds everything but its brush textures, which the loader
// asks for by their export URLs (tilt_sketch.h). Listing them lets a worker fetch them from the operator's brush
// texture prefix before the render, as for exports that name them.
#include "scene/reference_collector.h"
#include "scene/tilt_sketch.h"

namespace thumbgen::scene {

void find_tilt_references(std::span<const std::uint8_t> bytes, ReferenceCollector& out) {
  std::vector<std::string> warnings;
  for (const std::string& url : tilt_sketch_brush_texture_urls(bytes, warnings))
    out.add(url, "brush texture", Lookup::Direct);
  for (std::string& warning : warnings) out.warn(std::move(warning));
}

}  // namespace thumbgen::scene
