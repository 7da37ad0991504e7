#include "scene/up_axis.h"

#include <cmath>
#include <glm/gtc/constants.hpp>
#include <string>

#include "util/ascii.h"

namespace thumbgen::scene {
namespace {

std::optional<glm::vec3> signed_axis(int axis, int sign) {
  if (axis < 0 || axis > 2 || (sign != 1 && sign != -1)) return std::nullopt;
  glm::vec3 v(0.0f);
  v[axis] = static_cast<float>(sign);
  return v;
}

}  // namespace

std::optional<UpAxis> parse_up_axis(std::string_view text) {
  const std::string value = util::to_lower_ascii(text);
  if (value == "+y" || value == "y") return UpAxis::PlusY;
  if (value == "+z" || value == "z") return UpAxis::PlusZ;
  return std::nullopt;
}

const char* up_axis_name(UpAxis axis) { return axis == UpAxis::PlusZ ? "+Z" : "+Y"; }

glm::quat upright_rotation(UpAxis axis) {
  if (axis == UpAxis::PlusY) return glm::quat(1.0f, 0.0f, 0.0f, 0.0f);
  // -90° about X: +Z → +Y, -Y → +Z.
  return glm::angleAxis(-glm::half_pi<float>(), glm::vec3(1.0f, 0.0f, 0.0f));
}

std::optional<glm::quat> upright_rotation(const AxisSystem& declared) {
  const auto up = signed_axis(declared.up_axis, declared.up_sign);
  if (!up) return std::nullopt;
  const auto front = signed_axis(declared.front_axis, declared.front_sign);
  const auto coord = signed_axis(declared.coord_axis, declared.coord_sign);
  if (front && coord) {
    // Columns: where the target's +X, +Y, +Z lie in the file; a proper rotation when its determinant is +1.
    const glm::mat3 file_axes(*coord, *up, *front);
    if (std::abs(glm::determinant(file_axes) - 1.0f) < 1e-3f) return glm::quat_cast(glm::transpose(file_axes));
  }
  return glm::quat(*up, glm::vec3(0.0f, 1.0f, 0.0f));  // the shortest turn of `up` onto +Y
}

}  // namespace thumbgen::scene
