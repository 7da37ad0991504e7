// Compiling and linking GLSL ES 3.00 programs, with the driver's log in the error.
#pragma once

#include <GLES3/gl3.h>

#include <string>

namespace thumbgen::render {

// Throws std::runtime_error with the compile/link log.
GLuint build_program(const char* vertex_source, const char* fragment_source, const std::string& name);

// RAII owner of a GL program.
class Program {
 public:
  Program() = default;
  Program(const char* vertex_source, const char* fragment_source, const std::string& name)
      : id_(build_program(vertex_source, fragment_source, name)) {}
  ~Program() {
    if (id_) glDeleteProgram(id_);
  }
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;
  Program(Program&& other) noexcept : id_(other.id_) { other.id_ = 0; }
  Program& operator=(Program&& other) noexcept {
    std::swap(id_, other.id_);
    return *this;
  }
  GLuint id() const { return id_; }
  GLint uniform(const char* name) const { return glGetUniformLocation(id_, name); }

 private:
  GLuint id_ = 0;
};

}  // namespace thumbgen::render
