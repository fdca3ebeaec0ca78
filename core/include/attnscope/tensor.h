// Matrix types shared by the whole library. Matrices are row-major: row i (a query, a
// token) is contiguous, so a row or a whole matrix is a plain copy of data().
#pragma once

#include <Eigen/Core>

namespace attnscope {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::Matrix<float, Eigen::Dynamic, 1>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;

}  // namespace attnscope
