// Which camera a render uses: one rule for `thumbgen render`, `thumbgen work` and the browser. By precedence: a
// saved absolute camera (a person chose it for this asset) > the run's angles > the gallery's presentation camera
// > the asset's own camera > a 3/4 auto-frame.
#pragma once

#include "render/framing.h"
#include "render/view.h"
#include "scene/scene.h"

namespace thumbgen::render {

// The turn that stands the model upright (+Y up) for auto-framing, one rule: the gallery's orientingRotation when
// the presentation has one that turns (its viewer applies it to the file's own axes, as three.js loads them, so it
// replaces the up conversion), else the caller's up axis (--up, render_settings "up"), else the file's declaration
// or its format's convention (Scene::upright). Cameras given in the model's space (saved, the asset's own) are not
// affected: they are in the file's own axes.
glm::quat model_orientation(const ViewOptions& view, const scene::Scene& scene);
// Whether the caller's up axis was set aside for the gallery's orientingRotation (worth a warning).
bool up_axis_overridden(const ViewOptions& view);

CameraSource choose_camera_source(const ViewOptions& view, const scene::Scene& scene);

// The camera of `source` for this output: auto-framing turns the model by model_orientation(); the gallery's
// presentation camera is in the gallery's space (the file turned by its orientingRotation alone).
ViewCamera camera_for(CameraSource source, const scene::Scene& scene, const ViewOptions& view);

}  // namespace thumbgen::render
