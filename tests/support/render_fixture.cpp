#include "support/render_fixture.h"

#include "platform/egl_context.h"

namespace thumbgen::test {

std::unique_ptr<render::GlContext> RendererTest::context_;
std::unique_ptr<render::Renderer> RendererTest::renderer_;

void RendererTest::SetUpTestSuite() {
  platform::tune_malloc_for_software_gl();
  context_ = platform::create_egl_context();
  renderer_ = std::make_unique<render::Renderer>(*context_);
}

void RendererTest::TearDownTestSuite() {
  renderer_.reset();  // before its context
  context_.reset();
}

render::ViewOptions RendererTest::small_view() {
  render::ViewOptions view;
  view.width = 320;
  view.height = 180;
  return view;
}

const std::uint8_t* RendererTest::pixel(const scene::Image& image, float fx, float fy) {
  const int x = static_cast<int>(fx * (image.width - 1)), y = static_cast<int>(fy * (image.height - 1));
  return &image.rgba[(static_cast<std::size_t>(y) * image.width + x) * 4];
}

}  // namespace thumbgen::test
