// OpenGL objects as move-only RAII handles, and shader programs built from the GLSL files
// in shaders/ (embedded at build time by cmake/embed_shaders.cmake). Each handle deletes its
// object on destruction, so a renderer that owns them cannot leak GPU memory on an
// exception. All of it needs a current OpenGL 3.3 core context on the calling thread.
#pragma once

#include <GL/gl.h>
#include <GL/glext.h>

#include <string>
#include <utility>

namespace attnscope {

// The text of the embedded shader file `name` (e.g. "matrix.frag.glsl"); defined in the
// generated shaders_embedded.cpp. Throws std::out_of_range for an unknown name.
const std::string& shader_source(const std::string& name);

namespace gl {

// One GL object name with its deleter. `Traits` provides `static void destroy(GLuint)`, and
// `static void generate(GLuint*)` for the kinds make() makes.
template <typename ObjectTraits>
class Object {
 public:
  using Traits = ObjectTraits;

  Object() = default;
  explicit Object(GLuint id) : id_(id) {}
  ~Object() { reset(); }
  Object(Object&& other) noexcept : id_(std::exchange(other.id_, 0)) {}
  Object& operator=(Object&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, 0);
    }
    return *this;
  }
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  GLuint id() const { return id_; }
  explicit operator bool() const { return id_ != 0; }
  void reset() {
    if (id_ != 0) Traits::destroy(id_);
    id_ = 0;
  }

 private:
  GLuint id_ = 0;
};

// The objects made by glGen* also say how to make one (see make below).
struct TextureTraits {
  static void generate(GLuint* id) { glGenTextures(1, id); }
  static void destroy(GLuint id) { glDeleteTextures(1, &id); }
};
struct FramebufferTraits {
  static void generate(GLuint* id) { glGenFramebuffers(1, id); }
  static void destroy(GLuint id) { glDeleteFramebuffers(1, &id); }
};
struct RenderbufferTraits {
  static void generate(GLuint* id) { glGenRenderbuffers(1, id); }
  static void destroy(GLuint id) { glDeleteRenderbuffers(1, &id); }
};
struct BufferTraits {
  static void generate(GLuint* id) { glGenBuffers(1, id); }
  static void destroy(GLuint id) { glDeleteBuffers(1, &id); }
};
struct VertexArrayTraits {
  static void generate(GLuint* id) { glGenVertexArrays(1, id); }
  static void destroy(GLuint id) { glDeleteVertexArrays(1, &id); }
};
struct ShaderTraits {
  static void destroy(GLuint id) { glDeleteShader(id); }
};
struct ProgramTraits {
  static void destroy(GLuint id) { glDeleteProgram(id); }
};

using Texture = Object<TextureTraits>;
using Framebuffer = Object<FramebufferTraits>;
using Renderbuffer = Object<RenderbufferTraits>;
using Buffer = Object<BufferTraits>;
using VertexArray = Object<VertexArrayTraits>;
using Shader = Object<ShaderTraits>;
using Program = Object<ProgramTraits>;

// A new, unbound object of a kind glGen* makes: make<Texture>(), make<Framebuffer>(),
// make<Renderbuffer>(), make<Buffer>(), make<VertexArray>().
template <typename Handle>
Handle make() {
  GLuint id = 0;
  Handle::Traits::generate(&id);
  return Handle(id);
}

// Compiles one stage from source text. `name` says where the source came from in the error:
// on failure throws Error("shader 'name' does not compile: <info log> (GLSL <version>)").
Shader compile_shader(GLenum type, const std::string& source, const std::string& name);

// Links a vertex and a fragment stage; throws Error with the info log and GLSL version.
Program link_program(const Shader& vertex, const Shader& fragment, const std::string& name);

// A program from two embedded shader files, e.g. ("matrix.vert.glsl", "matrix.frag.glsl").
Program make_program(const std::string& vertex_name, const std::string& fragment_name);

// The location of a uniform the program is known to use; throws Error if it is missing, so
// a renamed uniform fails loudly instead of silently drawing with defaults.
GLint uniform_location(const Program& program, const char* name);

}  // namespace gl
}  // namespace attnscope
