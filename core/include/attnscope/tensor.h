// Matrix types shared by the whole library. Everything a view reads is row-major, so a
// texture upload or a CSV export is a plain copy of data().
#pragma once

#include <Eigen/Core>

namespace attnscope {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::Matrix<float, Eigen::Dynamic, 1>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;

}  // namespace attnscope
