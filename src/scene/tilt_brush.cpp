// Tilt Brush / Open Brush brush table.
// Sources (facts, not code): brush names and GUIDs from icosa-foundation/three-icosa src/TiltShaderLoader.js
// (lookupMaterialName) and Open Brush glTF exports (GOOGLE_tilt_brush_material.guid); blending (additive vs
// opaque/cutout) from the same file's per-brush material params (blending 2 or One/One = additive); two-sidedness
// from three-icosa src/brushMaterialSettings.js (renderBackfaces); self-lit from the Open Brush docs brush list
// (icosa-foundation/open-brush-docs user-guide/brushes/brush-list.md); cutout brushes from the alphaMode MASK that
// Open Brush writes in its glTF 2.0 exports.
#include "scene/tilt_brush.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "util/ascii.h"

namespace thumbgen::scene {
namespace {

struct BrushRow {
  std::string_view name;  // as Open Brush spells it (compared without case, spaces and underscores)
  std::string_view guid;  // lower case; several rows per brush for legacy GUIDs
  BrushLook look;
};

constexpr BrushLook kAdditive{AlphaMode::Additive, true, true};      // glow: added on top, self-lit
constexpr BrushLook kAdditiveLit{AlphaMode::Additive, false, true};  // additive but shaded (Diamond)
constexpr BrushLook kBlendLit{AlphaMode::Blend, false, true};        // alpha blended glass
constexpr BrushLook kCutout{AlphaMode::Mask, false, true};           // textured strokes with alpha cutoff
constexpr BrushLook kCutoutUnlit{AlphaMode::Mask, true, true};       // markers: flat colour, cutoff
constexpr BrushLook kOpaque{AlphaMode::Opaque, false, true};         // lit ribbons
constexpr BrushLook kOpaqueUnlit{AlphaMode::Opaque, true, true};     // flat-colour ribbons
constexpr BrushLook kSolid{AlphaMode::Opaque, false, false};         // lit closed tubes and hulls
constexpr BrushLook kSolidUnlit{AlphaMode::Opaque, true, false};     // toon / wire tubes

constexpr std::array kBrushes = std::to_array<BrushRow>({
    // Standard brushes.
    {"Bubbles", "89d104cd-d012-426b-b5b3-bbaee63ac43c", kAdditive},
    {"CelVinyl", "700f3aa8-9a7c-2384-8b8a-ea028905dd8c", kCutoutUnlit},
    {"ChromaticWave", "0f0ff7b2-a677-45eb-a7d6-0cd7206f4816", kAdditive},
    {"CoarseBristles", "1161af82-50cf-47db-9706-0c3576d43c43", kCutout},
    {"CoarseBristles", "79168f10-6961-464a-8be1-57ed364c5600", kCutout},
    {"Comet", "1caa6d7d-f015-3f54-3a4b-8b5354d39f81", kAdditive},
    {"DiamondHull", "c8313697-2563-47fc-832e-290f4c04b901", kAdditiveLit},
    {"Disco", "4391aaaa-df73-4396-9e33-31e4e4930b27", kSolid},
    {"DotMarker", "d1d991f2-e7a0-4cf1-b328-f57e915e6260", kOpaqueUnlit},
    {"Dots", "6a1cf9f9-032c-45ec-9b1d-a6680bee30f7", kAdditive},
    {"DoubleTaperedFlat", "0d3889f3-3ede-470c-8af4-f44813306126", kOpaque},
    {"DoubleTaperedMarker", "0d3889f3-3ede-470c-8af4-de4813306126", kOpaqueUnlit},
    {"DuctTape", "d0262945-853c-4481-9cbd-88586bed93cb", kCutout},
    {"DuctTape", "3ca16e2f-bdcd-4da2-8631-dcef342f40f1", kCutout},
    {"Electricity", "f6e85de3-6dcc-4e7f-87fd-cee8c3d25d51", kAdditive},
    {"Embers", "02ffb866-7fb2-4d15-b761-1012cefb1360", kAdditive},
    {"EnvironmentDiffuse", "0ad58bbd-42bc-484e-ad9a-b61036ff4ce7", kOpaque},
    {"EnvironmentDiffuseLightMap", "d01d9d6c-9a61-4aba-8146-5891fafb013b", kOpaque},
    {"Fire", "cb92b597-94ca-4255-b017-0e3f42f12f9e", kAdditive},
    {"Flat", "2d35bcf0-e4d8-452c-97b1-3311be063130", kOpaque},
    {"Flat", "280c0a7a-aad8-416c-a7d2-df63d129ca70", kOpaque},
    {"Flat", "55303bc4-c749-4a72-98d9-d23e68e76e18", kOpaque},
    {"Highlighter", "cf019139-d41c-4eb0-a1d0-5cf54b0a42f3", kAdditive},
    {"Hypercolor", "dce872c2-7b49-4684-b59b-c45387949c5c", kCutout},
    {"Hypercolor", "e8ef32b1-baa8-460a-9c2c-9cf8506794f5", kCutout},
    {"HyperGrid", "6a1cf9f9-032c-45ec-9b6e-a6680bee32e9", kAdditive},
    {"Icing", "2f212815-f4d3-c1a4-681a-feeaf9c6dc37", kSolid},
    {"Ink", "f5c336cf-5108-4b40-ade9-c687504385ab", kCutout},
    {"Ink", "c0012095-3ffd-4040-8ee1-fc180d346eaa", kCutout},
    {"Leaves", "4a76a27a-44d8-4bfe-9a8c-713749a499b0", kCutout},
    {"Leaves", "ea19de07-d0c0-4484-9198-18489a3c1487", kCutout},
    {"Light", "2241cd32-8ba2-48a5-9ee7-2caef7e9ed62", kAdditive},
    {"LightWire", "4391aaaa-df81-4396-9e33-31e4e4930b27", kSolid},
    {"Lofted", "d381e0f5-3def-4a0d-8853-31e9200bcbda", kSolid},
    {"Marker", "429ed64a-4e97-4466-84d3-145a861ef684", kCutoutUnlit},
    {"MatteHull", "79348357-432d-4746-8e29-0e25c112e3aa", kSolid},
    {"NeonPulse", "b2ffef01-eaaa-4ab5-aa64-95a2c4f5dbc6", kAdditive},
    {"OilPaint", "f72ec0e7-a844-4e38-82e3-140c44772699", kCutout},
    {"OilPaint", "c515dad7-4393-4681-81ad-162ef052241b", kCutout},
    {"Paper", "f1114e2e-eb8d-4fde-915a-6e653b54e9f5", kCutout},
    {"Paper", "759f1ebd-20cd-4720-8d41-234e0da63716", kCutout},
    {"PbrTemplate", "f86a096c-2f4f-4f9d-ae19-81b99f2944e0", kOpaque},
    {"PbrTransparentTemplate", "19826f62-42ac-4a9e-8b77-4231fbd0cfbf", kBlendLit},
    {"Petal", "e0abbc80-0f80-e854-4970-8924a0863dcc", kOpaque},
    {"Plasma", "c33714d1-b2f9-412e-bd50-1884c9d46336", kAdditive},
    {"Rainbow", "ad1ad437-76e2-450d-a23a-e17f8310b960", kAdditive},
    {"ShinyHull", "faaa4d44-fcfb-4177-96be-753ac0421ba3", kSolid},
    {"Smoke", "70d79cca-b159-4f35-990c-f02193947fe8", kAdditive},
    {"Snow", "d902ed8b-d0d1-476c-a8de-878a79e3a34c", kAdditive},
    {"SoftHighlighter", "accb32f5-4509-454f-93f8-1df3fd31df1b", kAdditive},
    {"Spikes", "cf7f0059-7aeb-53a4-2b67-c83d863a9ffa", kSolid},
    {"Splatter", "8dc4a70c-d558-4efd-a5ed-d4e860f40dc3", kCutout},
    {"Splatter", "7a1c8107-50c5-4b70-9a39-421576d6617e", kCutout},
    {"Stars", "0eb4db27-3f82-408d-b5a1-19ebd7d5b711", kAdditive},
    {"Streamers", "44bb800a-fbc3-4592-8426-94ecb05ddec3", kAdditive},
    {"Taffy", "0077f88c-d93a-42f3-b59b-b31c50cdb414", kOpaqueUnlit},
    {"TaperedFlat", "b468c1fb-f254-41ed-8ec9-57030bc5660c", kCutout},
    {"TaperedFlat", "c8ccb53d-ae13-45ef-8afb-b730d81394eb", kCutout},
    {"TaperedMarker", "d90c6ad8-af0f-4b54-b422-e0f92abe1b3c", kCutoutUnlit},
    {"TaperedMarker_Flat", "1a26b8c0-8a07-4f8a-9fac-d2ef36e0cad0", kCutout},
    {"ThickPaint", "75b32cf0-fdd6-4d89-a64b-e2a00b247b0f", kCutout},
    {"ThickPaint", "fdf0326a-c0d1-4fed-b101-9db0ff6d071f", kCutout},
    {"Toon", "4391385a-df73-4396-9e33-31e4e4930b27", kSolidUnlit},
    {"UnlitHull", "a8fea537-da7c-4d4b-817f-24f074725d6d", kSolidUnlit},
    {"VelvetInk", "d229d335-c334-495a-a801-660ac8a87360", kAdditive},
    {"Waveform", "10201aa3-ebc2-42d8-84b7-2e63f6eeb8ab", kAdditive},
    {"WetPaint", "b67c0e81-ce6d-40a8-aeb0-ef036b081aa3", kCutout},
    {"WetPaint", "dea67637-cd1a-27e4-c9b1-52f4bbcb84e5", kCutout},
    {"WigglyGraphite", "5347acf0-a8e2-47b6-8346-30c70719d763", kCutout},
    {"WigglyGraphite", "e814fef1-97fd-7194-4a2f-50c2bb918be2", kCutout},
    {"Wire", "4391385a-cf83-4396-9e33-31e4e4930b27", kSolidUnlit},
    // Blocks (Poly) materials.
    {"BlocksBasic", "0e87b49c-6546-3a34-3a44-8a556d7d6c3e", kOpaque},
    {"BlocksGem", "232998f8-d357-47a2-993a-53415df9be10", kOpaque},
    {"BlocksGlass", "3d813d82-5839-4450-8ddc-8e889ecd96c7", kBlendLit},
    // Experimental brushes.
    {"Gouache", "1b897b7e-9b76-425a-b031-a867c48df409", kCutout},
    {"Gouache", "4465b5ef-3605-bec4-2b3e-6b04508ddb6b", kCutout},
    {"MylarTube", "8e58ceea-7830-49b4-aba9-6215104ab52a", kSolid},
    {"Rain", "03a529e1-f519-3dd4-582d-2d5cd92c3f4f", kAdditive},
    {"DryBrush", "725f4c6a-6427-6524-29ab-da371924adab", kCutout},
    {"LeakyPen", "ddda8745-4bb5-ac54-88b6-d1480370583e", kCutout},
    {"Sparks", "50e99447-3861-05f4-697d-a1b96e771b98", kAdditive},
    {"Wind", "7136a729-1aab-bd24-f8b2-ca88b6adfb67", kAdditive},
    {"Rising Bubbles", "a8147ce1-005e-abe4-88e8-09a1eaadcc89", kAdditive},
    {"TaperedWire", "9568870f-8594-60f4-1b20-dfbc8a5eac0e", kSolid},
    {"SquarePaper", "2e03b1bf-3ebd-4609-9d7e-f4cafadc4dfa", kSolid},
    {"ThickGeometry", "39ee7377-7a9e-47a7-a0f8-0c77712f75d3", kOpaque},
    {"Wireframe", "2c1a6a63-6552-4d23-86d7-58f6fba8581b", kOpaqueUnlit},
    {"Muscle", "f28c395c-a57d-464b-8f0b-558c59478fa3", kSolid},
    {"Guts", "99aafe96-1645-44cd-99bd-979bc6ef37c5", kSolid},
    {"Fire2", "53d753ef-083c-45e1-98e7-4459b4471219", kAdditive},
    {"TubeToonInverted", "9871385a-df73-4396-9e33-31e4e4930b27", kSolidUnlit},
    {"FacetedTube", "4391ffaa-df73-4396-9e33-31e4e4930b27", kSolidUnlit},
    {"WaveformParticles", "6a1cf9f9-032c-45ec-9b6e-a6680bee30f7", kAdditive},
    {"BubbleWand", "eba3f993-f9a1-4d35-b84e-bb08f48981a4", kOpaque},
    {"DanceFloor", "6a1cf9f9-032c-45ec-311e-a6680bee32e9", kAdditive},
    {"WaveformTube", "0f5820df-cb6b-4a6c-960e-56e4c8000eda", kAdditive},
    {"Drafting", "492b36ff-b337-436a-ba5f-1e87ee86747e", kCutout},
    {"SingleSided", "f0a2298a-be80-432c-9fee-a86dcc06f4f9", kSolid},
    {"DoubleFlat", "f4a0550c-332a-4e1a-9793-b71508f4a454", kOpaque},
    {"TubeAdditive", "c1c9b26d-673a-4dc6-b373-51715654ab96", kAdditive},
    {"Feather", "a555b809-2017-46cb-ac26-e63173d8f45e", kCutout},
    {"DuctTapeGeometry", "84d5bbb2-6634-8434-f8a7-681b576b4664", kOpaque},
    {"TaperedHueShift", "3d9755da-56c7-7294-9b1d-5ec349975f52", kOpaque},
    {"Lacewing", "1cf94f63-f57a-4a1a-ad14-295af4f5ab5c", kCutout},
    {"Marbled Rainbow", "c86c058d-1bda-2e94-08db-f3d6a96ac4a1", kOpaque},
    {"Charcoal", "fde6e778-0f7a-e584-38d6-89d44cee59f6", kCutout},
    {"KeijiroTube", "f8ba3d18-01fc-4d7b-b2d9-b99d10b8e7cf", kSolidUnlit},
    {"Lofted (Hue Shift)", "c5da2e70-a6e4-63a4-898c-5cfedef09c97", kSolid},
    {"Wire (Lit)", "62fef968-e842-3224-4a0e-1fdb7cfb745c", kSolid},
    {"WaveformFFT", "d120944d-772f-4062-99c6-46a6f219eeaf", kAdditive},
    {"Fairy", "d9cc5e99-ace1-4d12-96e0-4a7c18c99cfc", kAdditive},
    {"Space", "bdf65db2-1fb7-4202-b5e0-c6b5e3ea851e", kOpaqueUnlit},
    {"Digital", "30cb9af6-be41-4872-8f3e-cbff63fe3db8", kOpaqueUnlit},
    {"Race", "abfbb2aa-70b4-4a5c-8126-8eedda2b3628", kOpaqueUnlit},
    {"SmoothHull", "355b3579-bf1d-4ff5-a200-704437fe684b", kSolid},
    {"Leaves2", "7259cce5-41c1-ec74-c885-78af28a31d95", kCutout},
    {"InkGeometry", "7c972c27-d3c2-8af4-7bf8-5d9db8f0b7bb", kCutout},
    {"ConcaveHull", "7ae1f880-a517-44a0-99f9-1cab654498c6", kSolid},
    {"3D Printing Brush", "d3f3b18a-da03-f694-b838-28ba8e749a98", kSolid},
});

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// Every 8-4-4-4-12 hex run in `text` (already lower case).
const BrushRow* find_by_guid(const std::string& text) {
  constexpr size_t kGuidLength = 36;
  for (size_t start = 0; start + kGuidLength <= text.size(); ++start) {
    bool guid = true;
    for (size_t i = 0; i < kGuidLength && guid; ++i) {
      const char c = text[start + i];
      guid = (i == 8 || i == 13 || i == 18 || i == 23) ? c == '-' : is_hex(c);
    }
    if (!guid) continue;
    const std::string_view candidate(text.data() + start, kGuidLength);
    for (const BrushRow& row : kBrushes)
      if (row.guid == candidate) return &row;
    start += kGuidLength - 1;
  }
  return nullptr;
}

const BrushRow* find_by_name(std::string_view key) {
  if (key.empty()) return nullptr;
  for (const BrushRow& row : kBrushes)
    if (tilt_brush_name_key(row.name) == key) return &row;
  return nullptr;
}

}  // namespace

std::string tilt_brush_name_key(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (const char c : name)
    if (std::isalnum(static_cast<unsigned char>(c))) out.push_back(util::to_lower_ascii(c));
  return out;
}

std::optional<BrushLook> tilt_brush_look(std::string_view name) {
  const std::string text = util::to_lower_ascii(name);
  if (const BrushRow* row = find_by_guid(text)) return row->look;

  // Export prefixes: "brush_Light" (Open Brush glTF), "material_Light", "ob-Light" (new Open Brush glb),
  // "mesh_Light_<guid>_0_0" (Tilt Brush glTF 1.0 meshes).
  std::string_view rest = text;
  for (const std::string_view prefix : {"ob-", "brush_", "material_", "mesh_", "node_", "technique_"}) {
    if (rest.starts_with(prefix)) {
      rest.remove_prefix(prefix.size());
      break;
    }
  }
  if (const BrushRow* row = find_by_name(tilt_brush_name_key(rest))) return row->look;
  // A name followed by a suffix: "Light-2241cd32-...-v10.0-MainTex.png", "Ink_1", "Fire.001".
  const size_t cut = rest.find_first_of("_-.");
  if (cut != std::string_view::npos && cut > 0)
    if (const BrushRow* row = find_by_name(tilt_brush_name_key(rest.substr(0, cut)))) return row->look;
  return std::nullopt;
}

std::optional<std::string_view> tilt_brush_name_for_guid(std::string_view guid) {
  const BrushRow* row = find_by_guid(util::to_lower_ascii(guid));
  return row ? std::optional(row->name) : std::nullopt;
}

bool apply_tilt_brush_look(Material& material) { return apply_tilt_brush_look(material, material.name); }

bool apply_tilt_brush_look(Material& material, std::string_view brush) {
  const std::optional<BrushLook> look = tilt_brush_look(brush);
  if (!look) return false;
  material.alpha_mode = look->alpha_mode;
  material.unlit = look->unlit;
  material.double_sided = look->double_sided;
  if (look->alpha_mode == AlphaMode::Mask && material.alpha_cutoff <= 0.0f) material.alpha_cutoff = 0.5f;
  // Brush strokes are diffuse paint, not metal.
  material.metallic = 0.0f;
  return true;
}

}  // namespace thumbgen::scene
