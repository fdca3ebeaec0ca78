// Operations of the forward pass shared by inference and training (see ops.h).
#include "ops.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <unsupported/Eigen/SpecialFunctions>

namespace attnscope {

namespace {

// Up to this many rows, threads split the weight's columns between them (measured with
// attnscope-bench --threads 2: small 5.6 -> 4.3 ms, base 94 -> 78 ms); from 512 rows on,
// Eigen's parallel product is faster (long: 360 vs 450 ms).
constexpr Eigen::Index kSplitColumnsRows = 256;

}  // namespace

void linear(const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& weight_t,
            const Eigen::Ref<const Vector>& bias, Matrix& out) {
  out.resize(x.rows(), weight_t.cols());
  const int threads = omp_get_max_threads();
  if (x.rows() <= kSplitColumnsRows && threads > 1 && weight_t.size() >= kParallelGemvWeights) {
    // Eigen runs matrix-vector products on one thread, and decoding one token at a time is
    // bound by reading the weights; for a few hundred tokens its own parallel product also
    // loses to this: each thread multiplies every row by its share of the weight columns.
    const Eigen::Index chunk = (weight_t.cols() + threads - 1) / threads;
#pragma omp parallel for schedule(static)
    for (int t = 0; t < threads; ++t) {
      const Eigen::Index begin = t * chunk;
      const Eigen::Index count = std::min(chunk, weight_t.cols() - begin);
      if (count > 0) {
        out.middleCols(begin, count).noalias() = x * weight_t.middleCols(begin, count);
      }
    }
  } else {
    out.noalias() = x * weight_t;
  }
  out.rowwise() += bias.transpose();
}

void layer_norm(const Matrix& x, const LayerNormWeights& w, float eps, Matrix& out,
                LayerNormStats* stats) {
  out.resize(x.rows(), x.cols());
  if (stats) {
    stats->normalized.resize(x.rows(), x.cols());
    stats->rstd.resize(x.rows());
  }
  const float inv_d = 1.0f / static_cast<float>(x.cols());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const float mean = x.row(i).sum() * inv_d;
    const auto centered = (x.row(i).array() - mean);
    const float var = centered.square().sum() * inv_d;
    const float rstd = 1.0f / std::sqrt(var + eps);
    out.row(i) = (centered * rstd) * w.weight.transpose().array() + w.bias.transpose().array();
    if (stats) {
      stats->normalized.row(i) = centered * rstd;
      stats->rstd[i] = rstd;
    }
  }
}

void activate(Matrix& h, Activation activation) {
  if (activation == Activation::kRelu) {
    h = h.cwiseMax(0.0f);
  } else {
    const float inv_sqrt2 = static_cast<float>(M_SQRT1_2);
    h.array() = 0.5f * h.array() * (1.0f + (h.array() * inv_sqrt2).erf());
  }
}

}  // namespace attnscope
