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

// How a ribbon's texture lies on it: repeating along the stroke every brush size (Tilt Brush's "distance" UVs, the
// default), or stretched once over the whole stroke ("stretch": the texture is a whole stroke with tapered ends), on
// one of `atlas_rows` rows of the texture (an atlas of stroke variations, one picked per stroke).
struct TiltTextureLayout {
  bool stretch = false;
  int atlas_rows = 1;
};

struct TiltBrushShape {
  TiltBrushFamily family = TiltBrushFamily::Ribbon;
  TiltBrushFidelity fidelity = TiltBrushFidelity::Default;
  TiltTextureLayout texture;
  // The stroke's width at zero pen pressure, as a fraction of its size (BrushDescriptor.m_PressureSizeRange.x).
  float min_pressure_size = 0.1f;
};

// The shape for a brush name as tilt_brush_name_for_guid spells it ("Ink", "Icing"); unknown names: a default ribbon.
TiltBrushShape tilt_brush_shape(std::string_view brush_name);

}  // namespace thumbgen::scene
