// Operations of the forward pass shared by inference (model.cpp) and training (train.cpp), so
// that the two compute the same numbers the same way. Linear weights are W^T, (in, out), as
// everywhere (weights.h). Internal to the libraries: not installed.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "attnscope/config.h"
#include "attnscope/tensor.h"
#include "attnscope/weights.h"

namespace attnscope {

// Below this many elements a row-wise operation (the output softmax) stays on one thread.
constexpr Eigen::Index kParallelRowsWork = 1 << 17;

// Below this many weights a matrix-vector product is not worth splitting across threads.
constexpr Eigen::Index kParallelGemvWeights = 1 << 18;

using ConstBlock = Eigen::Ref<const Matrix, 0, Eigen::OuterStride<>>;
using Block = Eigen::Ref<Matrix, 0, Eigen::OuterStride<>>;

// A Linear weight packed once, at load time, into the panel layout of Eigen's matrix-product
// kernel, which Eigen would otherwise rebuild on every product. Products over few tokens
// (every translation) spend a sixth of their time on that packing.
class PackedWeight {
 public:
  PackedWeight() = default;
  // Packs `weight_t`, W^T (in, out); a block of a wider matrix is fine.
  explicit PackedWeight(const Eigen::Ref<const Matrix, 0, Eigen::OuterStride<>>& weight_t);
  bool empty() const { return data_.empty(); }
  // out = x W^T + b for x (n, in), splitting the output columns between `threads`.
  void multiply(const Eigen::Ref<const Matrix, 0, Eigen::OuterStride<>>& x,
                const Eigen::Ref<const Vector>& bias, Matrix& out, int threads) const;

 private:
  Eigen::Index in_ = 0, out_ = 0, depth_block_ = 0;
  std::vector<float, Eigen::aligned_allocator<float>> data_;  // per depth block: (out, block)
};

// The weights worth packing: smaller ones are as fast through Eigen's plain product.
constexpr Eigen::Index kPackWeights = 1 << 15;

// out = x W^T + b, with the weight stored transposed: `weight_t` is W^T, (in, out). With
// `packed` (the same weight, packed), products over up to kPackedRows rows use it.
void linear(const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& weight_t,
            const Eigen::Ref<const Vector>& bias, Matrix& out,
            const PackedWeight* packed = nullptr);

// What the backward pass of a LayerNorm needs from its forward pass.
struct LayerNormStats {
  Matrix normalized;  // (n, d) (x - mean) / sqrt(var + eps), before gain and bias
  Vector rstd;        // (n) 1 / sqrt(var + eps)
};

// PyTorch's LayerNorm over each row (biased variance). With `stats`, also keeps what the
// backward pass needs; the output is the same either way.
void layer_norm(const Matrix& x, const LayerNormWeights& w, float eps, Matrix& out,
                LayerNormStats* stats = nullptr);

// ReLU, or GELU with the exact erf (PyTorch's default approximate='none'), in place.
void activate(Matrix& h, Activation activation);

// Softmax of row `row` over keys [0, limit), with masked keys exactly 0 and keys from `limit`
// on (the causal future) exactly 0. A row with every key masked becomes all zeros.
template <typename Row>
void masked_softmax(Row&& row, Eigen::Index limit, const char* key_mask) {
  const float neg_inf = -std::numeric_limits<float>::infinity();
  if (key_mask != nullptr) {
    for (Eigen::Index j = 0; j < limit; ++j) {
      if (key_mask[j]) row[j] = neg_inf;
    }
  }
  auto live = row.head(limit);
  const float max = limit > 0 ? live.maxCoeff() : neg_inf;
  if (max == neg_inf) {
    row.setZero();
    return;
  }
  live = (live.array() - max).exp();
  if (key_mask != nullptr) {
    for (Eigen::Index j = 0; j < limit; ++j) {
      if (key_mask[j]) row[j] = 0.0f;
    }
  }
  live /= live.sum();
  row.tail(row.size() - limit).setZero();
}

// One head of scaled dot-product attention, the only place it is computed:
//   probs = softmax(q k^T / sqrt(head_dim)) over the keys each query sees,
//   context = probs v,
// for q (n, head_dim) before scaling and k, v (m, head_dim). Query i sees keys [0, i + 1)
// when `causal`, else all; keys marked in `key_mask` (m, may be null) are never attended.
// probs is resized to (n, m), unseen keys exactly 0 (see masked_softmax); context is (n,
// head_dim). q is scaled before the product, as PyTorch does. `Probs` is Matrix, or
// RowVector for a single query (Eigen then takes its matrix-vector products).
template <typename Probs>
void attend_head(const ConstBlock& q, const ConstBlock& k, const ConstBlock& v, bool causal,
                 const char* key_mask, Probs& probs, Block context) {
  using Queries = Eigen::Matrix<float, Probs::RowsAtCompileTime, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Index n = q.rows(), m = k.rows();
  const float scale = 1.0f / std::sqrt(static_cast<float>(q.cols()));
  const Queries scaled = q * scale;
  probs.resize(n, m);
  probs.noalias() = scaled * k.transpose();
  for (Eigen::Index i = 0; i < n; ++i)
    masked_softmax(probs.row(i), causal ? std::min<Eigen::Index>(m, i + 1) : m, key_mask);
  context.noalias() = probs * v;
}

// Sets the calling thread's OpenMP budget (the threads its matrix products may use) for the
// lifetime of the object and restores the previous one after.
class ThreadBudget {
 public:
  explicit ThreadBudget(int threads);
  ~ThreadBudget();
  ThreadBudget(const ThreadBudget&) = delete;
  ThreadBudget& operator=(const ThreadBudget&) = delete;

 private:
  int previous_;
};

// The index of the largest entry (the first of equal ones).
int argmax(const Eigen::Ref<const RowVector>& row);

}  // namespace attnscope
