// HeadlessContext: an invisible GLFW window whose OpenGL 3.3 core context batch exports and
// tests render with.
#include <GLFW/glfw3.h>

#include "attnscope/error.h"
#include "gfx/renderer.h"

namespace attnscope {

namespace {

// Live HeadlessContexts that share a GLFW initialised by one of them: the last to go
// terminates GLFW. (GLFW is used from the main thread only, so a plain counter does.)
int glfw_users = 0;

// GLFW offers no "is initialised" query: a call that needs initialisation reports
// GLFW_NOT_INITIALIZED when it is not. The error callback is set aside meanwhile so that an
// application's logger does not print the probe.
bool glfw_initialised() {
  GLFWerrorfun callback = glfwSetErrorCallback(nullptr);
  glfwGetError(nullptr);
  glfwGetTime();
  const bool initialised = glfwGetError(nullptr) != GLFW_NOT_INITIALIZED;
  glfwSetErrorCallback(callback);
  return initialised;
}

std::string glfw_error() {
  const char* description = nullptr;
  glfwGetError(&description);
  return description ? description : "unknown GLFW error";
}

}  // namespace

HeadlessContext::HeadlessContext() {
  if (glfw_users > 0) {
    owns_glfw_ = true;
  } else if (!glfw_initialised()) {
    if (!glfwInit()) {
      throw Error("cannot initialise GLFW (" + glfw_error() +
                  "): no display: set DISPLAY or run under xvfb-run");
    }
    owns_glfw_ = true;
  }
  if (owns_glfw_) ++glfw_users;
  previous_ = glfwGetCurrentContext();
  glfwDefaultWindowHints();
  glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  GLFWwindow* window = glfwCreateWindow(16, 16, "attnscope", nullptr, nullptr);
  glfwDefaultWindowHints();  // leave no hints behind for the application's own windows
  if (window == nullptr) {
    const std::string reason = glfw_error();
    if (owns_glfw_ && --glfw_users == 0) glfwTerminate();
    throw Error("cannot create an OpenGL 3.3 core context (" + reason +
                "); the display or its driver lacks OpenGL 3.3");
  }
  window_ = window;
  glfwMakeContextCurrent(window);
}

HeadlessContext::~HeadlessContext() {
  auto* window = static_cast<GLFWwindow*>(window_);
  if (glfwGetCurrentContext() == window) {
    glfwMakeContextCurrent(static_cast<GLFWwindow*>(previous_));
  }
  glfwDestroyWindow(window);
  if (owns_glfw_ && --glfw_users == 0) glfwTerminate();
}

}  // namespace attnscope
