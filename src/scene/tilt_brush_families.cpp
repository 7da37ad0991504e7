// Brush → geometry family, from the brush classes Tilt Brush's brush descriptors name (googlevr/tilt-brush
// Assets/Scripts/Brushes: FlatGeometryBrush, QuadStripBrush*, TubeBrush, HullBrush, GeniusParticlesBrush, SprayBrush).
//
//   Close ribbons:  the flat brushes (Ink, Marker, Flat, Light, Fire, OilPaint, ThickPaint, Highlighter, …): same
//                   width (size × scale × pressure) and the same right/normal rule from the control point's
//                   orientation as FlatGeometryBrush; no knot smoothing, no self-intersection shrinking.
//   Approximate:    tubes (Icing, Toon, Lofted, Disco, Wire, …: an 8-sided ring, no cross-section profile),
//                   hulls (MatteHull, ShinyHull, …: drawn as tubes, not convex hulls), particle brushes (Bubbles,
//                   Dots, Embers, Smoke, Snow, Stars, …: three crossed quads per control point instead of particles
//                   spawned by distance), spray brushes (Splatter, Leaves: a ribbon instead of scattered quads),
//                   Electricity (a ribbon, no arcs).
//   Default:        every other brush (including ones newer than this table): a plain ribbon.
// Looks (blending, lighting, textures) come from tilt_brush.cpp's table, not from here. Texture layouts: read off the
// Tilt Brush toolkit's brush textures (whole strokes with transparent ends, four variations stacked for the paint
// brushes) and, where named, the brush descriptors; the others tile along the stroke.
#include "scene/tilt_brush_families.h"

#include <algorithm>
#include <array>

namespace thumbgen::scene {
namespace {

struct FamilyRow {
  std::string_view name;  // as tilt_brush.cpp spells it
  TiltBrushShape shape;
};

constexpr TiltBrushShape kRibbon{TiltBrushFamily::Ribbon, TiltBrushFidelity::Close, {}};
constexpr TiltBrushShape kStretched{TiltBrushFamily::Ribbon, TiltBrushFidelity::Close, {true, 1}};
constexpr TiltBrushShape kStretchedAtlas{TiltBrushFamily::Ribbon, TiltBrushFidelity::Close, {true, 4}};
// Brushes whose descriptor (Open Brush Assets/Resources/Brushes/Basic/<Name>/<Name>.asset) we have read: Fire shares
// Ink's brush prefab (stretched UVs: its flames run once along the whole stroke, m_TextureAtlasV 1) and narrows with
// pressure only to half its size; Ink narrows to a fifth.
constexpr TiltBrushShape kFire{TiltBrushFamily::Ribbon, TiltBrushFidelity::Close, {true, 1}, 0.5f};
constexpr TiltBrushShape kInk{TiltBrushFamily::Ribbon, TiltBrushFidelity::Close, {true, 4}, 0.2f};
constexpr TiltBrushShape kRibbonApprox{TiltBrushFamily::Ribbon, TiltBrushFidelity::Approximate, {}};
constexpr TiltBrushShape kTube{TiltBrushFamily::Tube, TiltBrushFidelity::Approximate, {}};
constexpr TiltBrushShape kParticles{TiltBrushFamily::Particles, TiltBrushFidelity::Approximate, {}};

constexpr std::array kFamilies = std::to_array<FamilyRow>({
    // Flat ribbons.
    {"CelVinyl", kRibbon},
    {"ChromaticWave", kRibbon},
    {"CoarseBristles", kRibbon},
    {"Comet", kRibbon},
    {"DotMarker", kRibbon},
    {"DoubleTaperedFlat", kStretched},
    {"DoubleTaperedMarker", kStretched},
    {"DuctTape", kRibbon},
    {"Fire", kFire},
    {"Flat", kRibbon},
    {"Highlighter", kRibbon},
    {"Hypercolor", kRibbon},
    {"HyperGrid", kRibbon},
    {"Ink", kInk},
    {"Light", kStretched},
    {"Marker", kRibbon},
    {"OilPaint", kStretchedAtlas},
    {"Paper", kRibbon},
    {"Plasma", kRibbon},
    {"Rainbow", kRibbon},
    {"SoftHighlighter", kStretched},
    {"Streamers", kRibbon},
    {"Taffy", kRibbon},
    {"TaperedFlat", kStretched},
    {"TaperedMarker", kStretched},
    {"TaperedMarker_Flat", kStretched},
    {"ThickPaint", kRibbon},
    {"VelvetInk", kStretchedAtlas},
    {"Waveform", kRibbon},
    {"WetPaint", kStretchedAtlas},
    {"WigglyGraphite", kRibbon},
    {"Gouache", kRibbon},
    {"DryBrush", kRibbon},
    {"LeakyPen", kRibbon},
    {"Charcoal", kRibbon},
    {"Drafting", kRibbon},
    // Ribbons standing in for something else.
    {"Electricity", kRibbonApprox},
    {"Splatter", kRibbonApprox},
    {"Leaves", kRibbonApprox},
    {"Leaves2", kRibbonApprox},
    {"Feather", kRibbonApprox},
    // Tubes and hulls.
    {"Disco", kTube},
    {"Icing", kTube},
    {"LightWire", kTube},
    {"Lofted", kTube},
    {"Lofted (Hue Shift)", kTube},
    {"NeonPulse", kTube},
    {"Petal", kTube},
    {"Spikes", kTube},
    {"Toon", kTube},
    {"Wire", kTube},
    {"Wire (Lit)", kTube},
    {"MylarTube", kTube},
    {"TaperedWire", kTube},
    {"TubeToonInverted", kTube},
    {"FacetedTube", kTube},
    {"KeijiroTube", kTube},
    {"WaveformTube", kTube},
    {"TubeAdditive", kTube},
    {"Muscle", kTube},
    {"Guts", kTube},
    {"DiamondHull", kTube},
    {"MatteHull", kTube},
    {"ShinyHull", kTube},
    {"UnlitHull", kTube},
    {"SmoothHull", kTube},
    {"ConcaveHull", kTube},
    // Particles.
    {"Bubbles", kParticles},
    {"Dots", kParticles},
    {"Embers", kParticles},
    {"Smoke", kParticles},
    {"Snow", kParticles},
    {"Stars", kParticles},
    {"Rising Bubbles", kParticles},
    {"WaveformParticles", kParticles},
    {"Sparks", kParticles},
    {"Fairy", kParticles},
});

}  // namespace

TiltBrushShape tilt_brush_shape(std::string_view brush_name) {
  const auto it =
      std::find_if(kFamilies.begin(), kFamilies.end(), [&](const FamilyRow& row) { return row.name == brush_name; });
  return it == kFamilies.end() ? TiltBrushShape{} : it->shape;
}

}  // namespace thumbgen::scene
