// Which geometry a Tilt Brush / Open Brush brush makes from a stroke's control points, and how faithful our version
// of it is. The table (tilt_brush_families.cpp) is the documentation of what raw .tilt sketches look like here.
#pragma once

#include <string_view>

namespace thumbgen::scene {

enum class TiltBrushFamily {
  Ribbon,     // a flat quad strip along the stroke (Tilt Brush's FlatGeometryBrush / QuadStripBrush)
  Tube,       // a closed ring swept along the stroke (TubeBrush, hulls)
  Particles,  // a small camera-independent cross of quads at each control point (particle and spray brushes)
};

enum class TiltBrushFidelity {
  Close,        // the same framing rule as Tilt Brush (width, orientation, pressure), without its smoothing
  Approximate,  // the right kind of shape, not Tilt Brush's exact mesh (hulls as tubes, particles at control points)
  Default,      // a brush this table does not know: drawn as a plain ribbon
};

struct TiltBrushShape {
  TiltBrushFamily family = TiltBrushFamily::Ribbon;
  TiltBrushFidelity fidelity = TiltBrushFidelity::Default;
};

// The shape for a brush name as tilt_brush_name_for_guid spells it ("Ink", "Icing"); unknown names: a default ribbon.
TiltBrushShape tilt_brush_shape(std::string_view brush_name);

}  // namespace thumbgen::scene
