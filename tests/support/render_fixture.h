// One headless GL context and renderer for a whole test suite (llvmpipe on CPU-only machines), shared by the
// render tests: creating them per test would compile every shader variant again.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>

#include "render/gl_context.h"
#include "render/renderer.h"
#include "scene/scene.h"

namespace thumbgen::test {

class RendererTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

  static render::Renderer& renderer() { return *renderer_; }
  static render::GlContext& context() { return *context_; }
  // The 320×180 view the render tests draw at: big enough to judge shapes, quick on llvmpipe.
  static render::ViewOptions small_view();
  // The RGBA pixel at (fx, fy) in [0, 1]² of the image, row 0 at the top.
  static const std::uint8_t* pixel(const scene::Image& image, float fx, float fy);

 private:
  static std::unique_ptr<render::GlContext> context_;
  static std::unique_ptr<render::Renderer> renderer_;
};

}  // namespace thumbgen::test
