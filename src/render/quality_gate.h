// Refuses renders that are not thumbnails: blank, uniform, or with the object cut by the frame.
#pragma once

#include <optional>
#include <string>

#include "scene/scene.h"

namespace thumbgen::render {

struct QualityOptions {
  bool check_clipping = true;  // off for an authored camera, which may crop on purpose
};

// nullopt when acceptable, otherwise the reason ("blank render: ...", "object clipped by the frame ...").
std::optional<std::string> check_quality(const scene::Image& image, const glm::vec4& background_srgb,
                                         const QualityOptions& options);

// Where the content (pixels that differ from the background) lies, as fractions of the image width/height
// (right/bottom exclusive); coverage = content pixels / all pixels. Golden tests use it to check framing.
struct ContentBox {
  float left = 0, top = 0, right = 0, bottom = 0;
  float coverage = 0;
  bool empty = true;
};
ContentBox content_box(const scene::Image& image, const glm::vec4& background_srgb);

}  // namespace thumbgen::render
