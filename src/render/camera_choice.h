// Which camera a render uses: one rule for `thumbgen render`, `thumbgen work` and the browser. By precedence: a
// saved absolute camera (a person chose it for this asset) > the run's angles > the gallery's presentation camera
// > the asset's own camera > a 3/4 auto-frame.
#pragma once

#include "render/framing.h"
#include "render/view.h"
#include "scene/scene.h"

namespace thumbgen::render {

CameraSource choose_camera_source(const ViewOptions& view, const scene::Scene& scene);

// The camera of `source` for this output (the presentation's orienting rotation applied where it matters).
ViewCamera camera_for(CameraSource source, const scene::Scene& scene, const ViewOptions& view);

}  // namespace thumbgen::render
