#include "render/gl_program.h"

#include <stdexcept>
#include <vector>

namespace thumbgen::render {
namespace {

std::string info_log(GLuint object, bool is_program) {
  GLint length = 0;
  if (is_program) {
    glGetProgramiv(object, GL_INFO_LOG_LENGTH, &length);
  } else {
    glGetShaderiv(object, GL_INFO_LOG_LENGTH, &length);
  }
  std::vector<char> log(static_cast<std::size_t>(std::max(length, 1)));
  if (is_program) {
    glGetProgramInfoLog(object, length, nullptr, log.data());
  } else {
    glGetShaderInfoLog(object, length, nullptr, log.data());
  }
  return std::string(log.data());
}

GLuint compile(GLenum type, const char* source, const std::string& name) {
  const GLuint shader = glCreateShader(type);
  glShaderSource(shader, 1, &source, nullptr);
  glCompileShader(shader);
  GLint ok = GL_FALSE;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    const std::string log = info_log(shader, false);
    glDeleteShader(shader);
    throw std::runtime_error("compiling the " + name + (type == GL_VERTEX_SHADER ? " vertex" : " fragment") +
                             " shader failed: " + log);
  }
  return shader;
}

}  // namespace

GLuint build_program(const char* vertex_source, const char* fragment_source, const std::string& name) {
  const GLuint vertex = compile(GL_VERTEX_SHADER, vertex_source, name);
  GLuint fragment = 0;
  try {
    fragment = compile(GL_FRAGMENT_SHADER, fragment_source, name);
  } catch (...) {
    glDeleteShader(vertex);
    throw;
  }
  const GLuint program = glCreateProgram();
  glAttachShader(program, vertex);
  glAttachShader(program, fragment);
  glLinkProgram(program);
  glDeleteShader(vertex);
  glDeleteShader(fragment);
  GLint ok = GL_FALSE;
  glGetProgramiv(program, GL_LINK_STATUS, &ok);
  if (!ok) {
    const std::string log = info_log(program, true);
    glDeleteProgram(program);
    throw std::runtime_error("linking the " + name + " program failed: " + log);
  }
  return program;
}

}  // namespace thumbgen::render
