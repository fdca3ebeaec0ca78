// GL object creation and shader compilation with readable errors.
#include "gfx/gl.h"

#include <stdexcept>
#include <vector>

#include "attnscope/error.h"

namespace attnscope::gl {

namespace {

std::string glsl_version() {
  const GLubyte* version = glGetString(GL_SHADING_LANGUAGE_VERSION);
  return version ? reinterpret_cast<const char*>(version) : "unknown";
}

// Info logs end with a newline, which would split the error message.
std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

std::string shader_log(GLuint shader) {
  GLint length = 0;
  glGetShaderiv(shader, GL_INFO_LOG_LENGTH, &length);
  std::vector<char> log(static_cast<size_t>(length > 0 ? length : 1), '\0');
  glGetShaderInfoLog(shader, static_cast<GLsizei>(log.size()), nullptr, log.data());
  return trimmed(log.data());
}

std::string program_log(GLuint program) {
  GLint length = 0;
  glGetProgramiv(program, GL_INFO_LOG_LENGTH, &length);
  std::vector<char> log(static_cast<size_t>(length > 0 ? length : 1), '\0');
  glGetProgramInfoLog(program, static_cast<GLsizei>(log.size()), nullptr, log.data());
  return trimmed(log.data());
}

}  // namespace

Shader compile_shader(GLenum type, const std::string& source, const std::string& name) {
  Shader shader(glCreateShader(type));
  if (!shader) throw Error("shader '" + name + "': glCreateShader failed (no current context?)");
  const char* text = source.c_str();
  const GLint length = static_cast<GLint>(source.size());
  glShaderSource(shader.id(), 1, &text, &length);
  glCompileShader(shader.id());
  GLint ok = GL_FALSE;
  glGetShaderiv(shader.id(), GL_COMPILE_STATUS, &ok);
  if (ok != GL_TRUE) {
    throw Error("shader '" + name + "' does not compile: " + shader_log(shader.id()) + " (GLSL " +
                glsl_version() + ")");
  }
  return shader;
}

Program link_program(const Shader& vertex, const Shader& fragment, const std::string& name) {
  Program program(glCreateProgram());
  if (!program) throw Error("program '" + name + "': glCreateProgram failed");
  glAttachShader(program.id(), vertex.id());
  glAttachShader(program.id(), fragment.id());
  glLinkProgram(program.id());
  GLint ok = GL_FALSE;
  glGetProgramiv(program.id(), GL_LINK_STATUS, &ok);
  // The stages are owned by the caller; detaching lets them be deleted with their handles.
  glDetachShader(program.id(), vertex.id());
  glDetachShader(program.id(), fragment.id());
  if (ok != GL_TRUE) {
    throw Error("program '" + name + "' does not link: " + program_log(program.id()) + " (GLSL " +
                glsl_version() + ")");
  }
  return program;
}

Program make_program(const std::string& vertex_name, const std::string& fragment_name) {
  auto source = [](const std::string& name) -> const std::string& {
    try {
      return shader_source(name);
    } catch (const std::out_of_range&) {
      throw Error("shader '" + name + "' is not embedded (is it in shaders/?)");
    }
  };
  const Shader vertex = compile_shader(GL_VERTEX_SHADER, source(vertex_name), vertex_name);
  const Shader fragment = compile_shader(GL_FRAGMENT_SHADER, source(fragment_name), fragment_name);
  return link_program(vertex, fragment, vertex_name + " + " + fragment_name);
}

GLint uniform_location(const Program& program, const char* name) {
  const GLint location = glGetUniformLocation(program.id(), name);
  if (location < 0) throw Error(std::string("shader program has no active uniform '") + name + "'");
  return location;
}

}  // namespace attnscope::gl
