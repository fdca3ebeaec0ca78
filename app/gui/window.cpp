// The GLFW window (see window.h).
#include "gui/window.h"

#include <GLFW/glfw3.h>

#include <vector>

#include "gfx/renderer.h"
#include "icon/icon.h"

namespace attnscope {

GLFWwindow* open_window(int width, int height) {
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  GLFWwindow* window = glfwCreateWindow(width, height, "attnscope", nullptr, nullptr);
  if (!window) return nullptr;
  // The title bar and the task switcher show the menu's icon, drawn by the same code.
  std::vector<Image> icons = window_icon_images();
  std::vector<GLFWimage> glfw_icons;
  for (Image& icon : icons)
    glfw_icons.push_back(GLFWimage{icon.width, icon.height, icon.rgba.data()});
  glfwSetWindowIcon(window, static_cast<int>(glfw_icons.size()), glfw_icons.data());
  glfwMakeContextCurrent(window);
  glfwSwapInterval(1);
  return window;
}

void Fullscreen::toggle(GLFWwindow* window) {
  GLFWmonitor* monitor = glfwGetPrimaryMonitor();
  if (!on_ && monitor) {
    glfwGetWindowPos(window, &x_, &y_);
    glfwGetWindowSize(window, &width_, &height_);
    const GLFWvidmode* mode = glfwGetVideoMode(monitor);
    glfwSetWindowMonitor(window, monitor, 0, 0, mode->width, mode->height, mode->refreshRate);
    on_ = true;
  } else if (on_) {
    glfwSetWindowMonitor(window, nullptr, x_, y_, width_, height_, 0);
    on_ = false;
  }
}

std::string window_png(GLFWwindow* window) {
  int w = 0, h = 0;
  glfwGetFramebufferSize(window, &w, &h);
  return encode_png(read_window_pixels(w, h));
}

}  // namespace attnscope
