#include "render/render_target.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace thumbgen::render {

RenderTarget::~RenderTarget() { release(); }

void RenderTarget::release() {
  GLuint framebuffers[] = {draw_fbo_, resolve_fbo_};
  GLuint renderbuffers[] = {color_rb_, depth_rb_, resolve_rb_};
  glDeleteFramebuffers(2, framebuffers);
  glDeleteRenderbuffers(3, renderbuffers);
  draw_fbo_ = resolve_fbo_ = color_rb_ = depth_rb_ = resolve_rb_ = 0;
  width_ = height_ = 0;
  samples_ = -1;
}

void RenderTarget::bind(int width, int height, int samples, bool srgb) {
  GLint max_samples = 0;
  glGetIntegerv(GL_MAX_SAMPLES, &max_samples);
  samples = std::clamp(samples, 0, static_cast<int>(max_samples));
  if (samples == 1) samples = 0;
  if (width != width_ || height != height_ || samples != samples_ || srgb != srgb_) {
    release();
    GLint max_size = 0;
    glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &max_size);
    if (width <= 0 || height <= 0 || width > max_size || height > max_size) {
      throw std::runtime_error("output size " + std::to_string(width) + "x" + std::to_string(height) +
                               " is beyond what the GL driver supports (" + std::to_string(max_size) + ")");
    }
    glGenRenderbuffers(1, &color_rb_);
    glBindRenderbuffer(GL_RENDERBUFFER, color_rb_);
    const GLenum color_format = srgb ? GL_SRGB8_ALPHA8 : GL_RGBA8;
    glRenderbufferStorageMultisample(GL_RENDERBUFFER, samples, color_format, width, height);
    glGenRenderbuffers(1, &depth_rb_);
    glBindRenderbuffer(GL_RENDERBUFFER, depth_rb_);
    glRenderbufferStorageMultisample(GL_RENDERBUFFER, samples, GL_DEPTH_COMPONENT24, width, height);
    glGenFramebuffers(1, &draw_fbo_);
    glBindFramebuffer(GL_FRAMEBUFFER, draw_fbo_);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, color_rb_);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, depth_rb_);
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
      release();
      throw std::runtime_error("the multisampled offscreen framebuffer is incomplete");
    }
    glGenRenderbuffers(1, &resolve_rb_);
    glBindRenderbuffer(GL_RENDERBUFFER, resolve_rb_);
    glRenderbufferStorage(GL_RENDERBUFFER, color_format, width, height);
    glGenFramebuffers(1, &resolve_fbo_);
    glBindFramebuffer(GL_FRAMEBUFFER, resolve_fbo_);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, resolve_rb_);
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
      release();
      throw std::runtime_error("the resolve framebuffer is incomplete");
    }
    width_ = width, height_ = height, samples_ = samples, srgb_ = srgb;
  }
  glBindFramebuffer(GL_FRAMEBUFFER, draw_fbo_);
  glViewport(0, 0, width_, height_);
}

scene::Image RenderTarget::read_back() {
  if (samples_ > 1) {
    glBindFramebuffer(GL_READ_FRAMEBUFFER, draw_fbo_);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, resolve_fbo_);
    glBlitFramebuffer(0, 0, width_, height_, 0, 0, width_, height_, GL_COLOR_BUFFER_BIT, GL_NEAREST);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, resolve_fbo_);
  } else {
    glBindFramebuffer(GL_READ_FRAMEBUFFER, draw_fbo_);  // single-sampled: nothing to resolve
  }
  scene::Image image;
  image.width = width_;
  image.height = height_;
  image.rgba.resize(static_cast<std::size_t>(width_) * height_ * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, width_, height_, GL_RGBA, GL_UNSIGNED_BYTE, image.rgba.data());
  // GL's row 0 is the bottom one.
  const std::size_t stride = static_cast<std::size_t>(width_) * 4;
  std::vector<std::uint8_t> row(stride);
  for (int y = 0; y < height_ / 2; ++y) {
    std::uint8_t* top = image.rgba.data() + static_cast<std::size_t>(y) * stride;
    std::uint8_t* bottom = image.rgba.data() + static_cast<std::size_t>(height_ - 1 - y) * stride;
    std::memcpy(row.data(), top, stride);
    std::memcpy(top, bottom, stride);
    std::memcpy(bottom, row.data(), stride);
  }
  glBindFramebuffer(GL_FRAMEBUFFER, draw_fbo_);
  return image;
}

}  // namespace thumbgen::render
