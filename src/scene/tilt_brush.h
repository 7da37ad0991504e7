// Tilt Brush / Open Brush brushes: how each brush must be drawn to look right (most of a real gallery).
// Exports name materials after the brush ("brush_Light", "material_Fire", "Ink", or the brush GUID).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "scene/scene.h"

namespace thumbgen::scene {

struct BrushLook {
  AlphaMode alpha_mode = AlphaMode::Opaque;  // Additive for glow brushes (Light, Fire, Plasma, ...)
  bool unlit = false;                        // emissive / flat brushes ignore scene lighting
  bool double_sided = true;                  // strokes are ribbons, visible from both sides
};

// A brush name compared without case, spaces and punctuation: "Rising Bubbles", "rising_bubbles" and
// "RisingBubbles" give the same key.
std::string tilt_brush_name_key(std::string_view name);

// Recognises a brush from a material, technique or texture name, or a brush GUID. nullopt = not a brush.
std::optional<BrushLook> tilt_brush_look(std::string_view name);

// The brush's durable name as the table spells it ("Ink", "Light") for a brush GUID (any case; raw .tilt sketches
// name their brushes by GUID only); nullopt = not a known brush.
std::optional<std::string_view> tilt_brush_name_for_guid(std::string_view guid);

// Applies the brush look to a material whose name is a brush; returns whether it was one.
bool apply_tilt_brush_look(Material& material);
// The same for a material whose brush is `brush` (a name, a GUID, or a text holding one: a GUID wins).
bool apply_tilt_brush_look(Material& material, std::string_view brush);

}  // namespace thumbgen::scene
