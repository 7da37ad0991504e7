// GLSL ES 3.00 sources (run on GLES 3.0 through EGL and on WebGL2 unchanged).
#pragma once

namespace thumbgen::render::shaders {

// Attribute locations shared by the mesh program and the vertex array setup.
enum Attribute { kPosition = 0, kNormal = 1, kUv0 = 2, kUv1 = 3, kColor = 4 };
// The material's constants: attributes without arrays, one value per draw (see kMeshVertex).
enum MaterialAttribute { kBaseColorAttribute = 5, kMaterialAttribute = 6, kEmissiveAttribute = 7 };

// Texture units of a material's textures.
enum TextureSlot { kBaseColorSlot = 0, kMetallicRoughnessSlot, kNormalSlot, kOcclusionSlot, kEmissiveSlot, kSlotCount };

extern const char* const kMeshVertex;
// GLSL function `highp float fast_exp2(highp float x)` for x <= 0 (explicit precisions: it may precede any
// precision statement).
extern const char* const kFastExp2;

// Without its #version line and feature constants: see MeshPrograms.
extern const char* const kMeshFragmentBody;

}  // namespace thumbgen::render::shaders
