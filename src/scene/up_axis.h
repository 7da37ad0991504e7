// Which way is up in a model file, and the turn that stands it upright for a thumbnail (+Y up, the space the
// renderer frames in). The model itself stays in the file's own axes (Scene::upright holds the turn), so a camera
// given in the model's space means the same view whatever up axis is chosen.
#pragma once

#include <glm/glm.hpp>
#include <glm/gtc/quaternion.hpp>
#include <optional>
#include <string_view>

namespace thumbgen::scene {

// The up axes a person or a format convention can name. +Z: 3D printing and CAD (STL, 3MF, AMF), Blender, 3ds Max.
enum class UpAxis { PlusY, PlusZ };

// "+Y", "+Z" (also "Y", "Z", any case); nullopt otherwise.
std::optional<UpAxis> parse_up_axis(std::string_view text);
const char* up_axis_name(UpAxis axis);  // "+Y", "+Z"

// File axes → +Y up. For +Z up the model's -Y side (its front in Z-up tools) comes to face +Z, the side the default
// view looks at.
glm::quat upright_rotation(UpAxis axis);

// An FBX file's declared axis system (GlobalSettings: UpAxis, FrontAxis, CoordAxis, each 0..2 for X..Z, with a
// sign ±1) → the turn to +Y up with the front facing +Z and the coord axis +X. A declaration that is not a proper
// rotation (mirrored, repeated axes) turns the up axis alone; nullopt when the up axis itself is not 0..2 / ±1.
struct AxisSystem {
  int up_axis = 1, up_sign = 1;
  int front_axis = 2, front_sign = 1;
  int coord_axis = 0, coord_sign = 1;
};
std::optional<glm::quat> upright_rotation(const AxisSystem& declared);

}  // namespace thumbgen::scene
