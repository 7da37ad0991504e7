#include "render/shaders.h"

namespace thumbgen::render::shaders {

const char* const kMeshVertex = R"(#version 300 es
layout(location = 0) in vec3 a_position;
layout(location = 1) in vec3 a_normal;
layout(location = 2) in vec2 a_uv0;
layout(location = 3) in vec2 a_uv1;
layout(location = 4) in vec4 a_color;
// The material's constants, one value per draw (glVertexAttrib4f, no array), passed on flat: llvmpipe reads a flat
// input more cheaply than a uniform (120 box renders 926 -> 870 ms).
layout(location = 5) in vec4 a_base_color;
layout(location = 6) in vec4 a_material;  // metallic, roughness, normal scale, occlusion strength
layout(location = 7) in vec4 a_emissive;  // emissive RGB, alpha cutoff
uniform mat4 u_model;
uniform mat3 u_normal_matrix;  // model to view space, for normals
uniform mat4 u_view;
uniform mat4 u_projection;
uniform float u_point_size;
out vec3 v_view;  // position in view space: lighting happens there (the camera at the origin, lights constant)
out vec3 v_normal;
out vec2 v_uv0;
out vec2 v_uv1;
out vec4 v_color;
flat out vec4 v_base_color;
flat out vec4 v_material;
flat out vec4 v_emissive;
void main() {
  vec4 view = u_view * (u_model * vec4(a_position, 1.0));
  v_view = view.xyz;
  v_normal = u_normal_matrix * a_normal;
  v_uv0 = a_uv0;
  v_uv1 = a_uv1;
  v_color = a_color;
  v_base_color = a_base_color;
  v_material = a_material;
  v_emissive = a_emissive;
  gl_Position = u_projection * view;
  gl_PointSize = u_point_size;
}
)";

// llvmpipe turns exp2() into a C library call per pixel lane (6 % of a splat render's time); this is all vector
// arithmetic: 2^floor(x) from the exponent bits times a cubic fit of 2^f on [0, 1) (relative error 1.3e-4).
const char* const kFastExp2 = R"(
highp float fast_exp2(highp float x) {
  highp float whole = floor(max(x, -126.0));
  highp float f = max(x, -126.0) - whole;
  highp float p = 1.0 + f * (0.69543002 + f * (0.22694011 + f * 0.07738064));
  return p * intBitsToFloat((int(whole) + 127) << 23);
}
)";

// PBR metallic-roughness (GGX, Smith, Schlick) under a neutral studio: three lights fixed to the camera (a
// specular key, diffuse fill and rim) and an analytic sky/ground environment, so every asset is lit the same way
// without IBL textures. Kept lean: on software GL the fragment shader is most of a thumbnail's time. Lighting is
// done in view space, where the camera and the lights are constants: llvmpipe loads every uniform for every
// block of pixels, and constants fold (120 renders of three box models: 1263 -> 970 ms).
// Output is linear, premultiplied; the sRGB framebuffer encodes it. The renderer prepends `#version` and the
// constants TEXTURE_MASK, SHADED, HAS_NORMALS, ALPHA_MODE, UV1, UV_TRANSFORMS and ROUND_POINTS of the program variant
// (mesh_programs.cpp).
const char* const kMeshFragmentBody = R"(
precision highp float;
in vec3 v_view;
in vec3 v_normal;
in vec2 v_uv0;
in vec2 v_uv1;
in vec4 v_color;
flat in vec4 v_base_color;
flat in vec4 v_material;  // metallic, roughness, normal scale, occlusion strength
flat in vec4 v_emissive;  // emissive RGB, alpha cutoff
uniform int u_uv_set[5];
uniform mat3 u_uv_transform[5];
uniform sampler2D u_textures[5];
out vec4 o_color;

const float PI = 3.14159265;
// Studio lights in view space: key from the upper right, fill from the left, rim from behind.
const vec3 KEY_DIRECTION = vec3(0.4472136, 0.7155418, 0.5366563);  // normalize(0.5, 0.8, 0.6)
const vec3 FILL_DIRECTION = vec3(-0.7925939, 0.2264554, 0.5661385);  // normalize(-0.7, 0.2, 0.5)
const vec3 RIM_DIRECTION = vec3(0.0, 0.6, -0.8);
const vec3 KEY_COLOR = vec3(2.6, 2.55, 2.45);
const vec3 FILL_COLOR = vec3(0.9, 0.95, 1.05);
const vec3 RIM_COLOR = vec3(1.2, 1.2, 1.2);

bool has_texture(int slot) { return (TEXTURE_MASK & (1 << slot)) != 0; }

// Most materials use the first UV set untransformed: then no uniform is read here.
vec2 uv_for(int slot) {
  vec2 uv = UV1 && u_uv_set[slot] == 1 ? v_uv1 : v_uv0;
  return UV_TRANSFORMS ? (u_uv_transform[slot] * vec3(uv, 1.0)).xy : uv;
}

vec4 sample_slot(int slot) {
  // Sampler arrays need constant indices in GLSL ES 3.00.
  vec2 uv = uv_for(slot);
  if (slot == 0) return texture(u_textures[0], uv);
  if (slot == 1) return texture(u_textures[1], uv);
  if (slot == 2) return texture(u_textures[2], uv);
  if (slot == 3) return texture(u_textures[3], uv);
  return texture(u_textures[4], uv);
}

// Normal mapping without tangents: a cotangent frame from screen-space derivatives.
vec3 perturb_normal(vec3 n, vec3 position, vec2 uv, vec3 map) {
  vec3 dp1 = dFdx(position), dp2 = dFdy(position);
  vec2 duv1 = dFdx(uv), duv2 = dFdy(uv);
  vec3 dp2perp = cross(dp2, n), dp1perp = cross(n, dp1);
  vec3 t = dp2perp * duv1.x + dp1perp * duv2.x;
  vec3 b = dp2perp * duv1.y + dp1perp * duv2.y;
  float scale = inversesqrt(max(max(dot(t, t), dot(b, b)), 1e-20));
  // glTF's v axis points down the image while its normal maps have +Y up.
  mat3 tbn = mat3(t * scale, -b * scale, n);
  return normalize(tbn * map);
}

// A studio backdrop: bright sky above, mid-grey horizon, dark floor (a gradient, cheap enough for software GL),
// turning with the camera like the lights: "above" is the top of the picture.
vec3 environment(vec3 direction) {
  float h = direction.y;
  return h > 0.0 ? mix(vec3(0.55, 0.55, 0.56), vec3(0.85, 0.88, 0.95), h)
                 : mix(vec3(0.55, 0.55, 0.56), vec3(0.22, 0.21, 0.20), min(-2.0 * h, 1.0));
}

// Karis' analytic approximation of the split-sum environment BRDF.
vec2 environment_brdf(float n_dot_v, float roughness) {
  const vec4 c0 = vec4(-1.0, -0.0275, -0.572, 0.022);
  const vec4 c1 = vec4(1.0, 0.0425, 1.04, -0.04);
  vec4 r = roughness * c0 + c1;
  float a004 = min(r.x * r.x, fast_exp2(-9.28 * n_dot_v)) * r.x + r.y;
  return vec2(-1.04, 1.04) * a004 + r.zw;
}

// Khronos PBR Neutral tone mapping: keeps base colours recognisable, rolls off highlights.
vec3 tone_map(vec3 color) {
  float x = min(color.r, min(color.g, color.b));
  float offset = x < 0.08 ? x - 6.25 * x * x : 0.04;
  color -= offset;
  float peak = max(color.r, max(color.g, color.b));
  const float start = 0.76;
  if (peak < start) return color;
  const float d = 1.0 - start;
  float new_peak = 1.0 - d * d / (peak + d - start);
  color *= new_peak / peak;
  float g = 1.0 - 1.0 / (0.15 * (peak - new_peak) + 1.0);
  return mix(color, vec3(new_peak), g);
}

void main() {
  if (ROUND_POINTS && dot(gl_PointCoord - 0.5, gl_PointCoord - 0.5) > 0.25) discard;
  vec4 base = v_base_color * v_color;
  if (has_texture(0)) base *= sample_slot(0);
  if (ALPHA_MODE == 1) {
    if (base.a < v_emissive.a) discard;
    base.a = 1.0;
  } else if (ALPHA_MODE == 0) {
    base.a = 1.0;
  }
  vec3 emissive = v_emissive.rgb;
  if (has_texture(4)) emissive *= sample_slot(4).rgb;

  vec3 color;
  if (!SHADED) {
    color = base.rgb + emissive;
  } else {
    vec3 n;
    if (HAS_NORMALS) {
      n = normalize(v_normal);
      if (!gl_FrontFacing) n = -n;
    } else {
      n = normalize(cross(dFdx(v_view), dFdy(v_view)));  // flat shading from screen-space derivatives
    }
    if (has_texture(2)) {
      vec3 map = sample_slot(2).xyz * 2.0 - 1.0;
      map.xy *= v_material.z;
      n = perturb_normal(n, v_view, uv_for(2), normalize(map));
    }
    float metallic = v_material.x, roughness = v_material.y;
    if (has_texture(1)) {
      vec4 mr = sample_slot(1);
      roughness *= mr.g;
      metallic *= mr.b;
    }
    roughness = clamp(roughness, 0.04, 1.0);
    metallic = clamp(metallic, 0.0, 1.0);
    float occlusion = has_texture(3) ? mix(1.0, sample_slot(3).r, v_material.w) : 1.0;

    vec3 v = normalize(-v_view);
    float n_dot_v = max(dot(n, v), 1e-4);
    vec3 f0 = mix(vec3(0.04), base.rgb, metallic);
    vec3 diffuse_color = base.rgb * (1.0 - metallic);
    float a = roughness * roughness, a2 = a * a;

    // Key light: GGX specular + Lambert; fill and rim lights: Lambert only (they shape, the key shines).
    vec3 l = KEY_DIRECTION;
    float n_dot_l = max(dot(n, l), 0.0);
    vec3 h = normalize(l + v);
    float n_dot_h = max(dot(n, h), 0.0), v_dot_h = max(dot(v, h), 0.0);
    float denom = n_dot_h * n_dot_h * (a2 - 1.0) + 1.0;
    float k = a * 0.5;
    float visibility = 0.25 / ((n_dot_l * (1.0 - k) + k) * (n_dot_v * (1.0 - k) + k));
    float m = 1.0 - v_dot_h, m2 = m * m;
    vec3 fresnel = f0 + (1.0 - f0) * (m2 * m2 * m);
    vec3 specular = fresnel * (a2 / (PI * denom * denom)) * visibility;
    color = ((1.0 - fresnel) * diffuse_color / PI + specular) * KEY_COLOR * n_dot_l;
    color += diffuse_color / PI * (FILL_COLOR * max(dot(n, FILL_DIRECTION), 0.0) +
                                   RIM_COLOR * max(dot(n, RIM_DIRECTION), 0.0));

    vec3 irradiance = environment(n);
    vec3 prefiltered = mix(environment(reflect(-v, n)), irradiance, roughness);
    vec2 brdf = environment_brdf(n_dot_v, roughness);
    color += (diffuse_color * irradiance * 0.45 + prefiltered * (f0 * brdf.x + brdf.y) * 0.8) * occlusion;
    color = tone_map(color + emissive);
  }
  if (ALPHA_MODE == 3) {
    o_color = vec4(color * base.a, 0.0);
  } else {
    o_color = vec4(color * base.a, base.a);
  }
}
)";

}  // namespace thumbgen::render::shaders
