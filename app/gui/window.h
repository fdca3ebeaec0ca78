// The GLFW window: opening it with the app's icon, fullscreen and back, and its pixels.
#pragma once

#include <string>

struct GLFWwindow;

namespace attnscope {

// A window with an OpenGL 3.3 core context made current, titled "attnscope", with the menu's
// icon; nullptr when it cannot be opened (glfwInit first).
GLFWwindow* open_window(int width, int height);

// F11: the primary monitor's whole screen, and back to where the window was.
class Fullscreen {
 public:
  void toggle(GLFWwindow* window);
  bool on() const { return on_; }

 private:
  bool on_ = false;
  int x_ = 0, y_ = 0, width_ = 0, height_ = 0;  // the window before
};

// What the window shows now, as PNG bytes.
std::string window_png(GLFWwindow* window);

}  // namespace attnscope
