// Hit testing of a Scene.
#include "views/scene.h"

namespace attnscope {

const HitRegion* Scene::hit(float x, float y) const {
  // Later regions are drawn (and listed) above earlier ones, so search from the back.
  for (auto it = hits.rbegin(); it != hits.rend(); ++it) {
    if (x >= it->x && x < it->x + it->width && y >= it->y && y < it->y + it->height) return &*it;
  }
  return nullptr;
}

}  // namespace attnscope
