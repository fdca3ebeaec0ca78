// Operations of the forward pass shared by inference and training (see ops.h).
#include "attnscope/ops.h"

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

// Packed weights serve products of this many rows (measured with attnscope-bench): below,
// the product is too small for packing to matter and Eigen's plain one is quicker; beyond,
// the inputs no longer fit the caches in one block and Eigen's own blocking wins.
constexpr Eigen::Index kPackedMinRows = 16;
constexpr Eigen::Index kPackedRows = 256;

// Rows of the weight (inputs) packed together: a block of inputs stays in cache while the
// kernel streams the packed weight past it.
constexpr Eigen::Index kDepthBlock = 512;

using Traits = Eigen::internal::gebp_traits<float, float>;
using LhsMapper = Eigen::internal::const_blas_data_mapper<float, Eigen::Index, Eigen::ColMajor>;
using ResMapper =
    Eigen::internal::blas_data_mapper<float, Eigen::Index, Eigen::ColMajor, Eigen::Unaligned, 1>;

}  // namespace

PackedWeight::PackedWeight(const Eigen::Ref<const Matrix, 0, Eigen::OuterStride<>>& weight_t)
    : in_(weight_t.rows()), out_(weight_t.cols()) {
  // Column-major, as Eigen's kernel sees it, W^T (in, out) row-major is W (out, in).
  depth_block_ = std::min<Eigen::Index>(in_, kDepthBlock);
  data_.resize(static_cast<size_t>(in_ * out_));
  const LhsMapper lhs(weight_t.data(), weight_t.outerStride());
  Eigen::internal::gemm_pack_lhs<float, Eigen::Index, LhsMapper, Traits::mr, Traits::LhsProgress,
                                 Traits::LhsPacket4Packing, Eigen::ColMajor>
      pack;
  for (Eigen::Index k = 0; k < in_; k += depth_block_) {
    const Eigen::Index depth = std::min(depth_block_, in_ - k);
    pack(data_.data() + k * out_, lhs.getSubMapper(0, k), depth, out_);
  }
}

void PackedWeight::multiply(const Eigen::Ref<const Matrix, 0, Eigen::OuterStride<>>& x,
                            const Eigen::Ref<const Vector>& bias, Matrix& out, int threads) const {
  const Eigen::Index n = x.rows();
  out.resize(n, out_);
  out.rowwise() = bias.transpose();  // the kernel adds the product to what is there
  const LhsMapper rhs(x.data(), x.outerStride());
  Eigen::internal::gemm_pack_rhs<float, Eigen::Index, LhsMapper, Traits::nr, Eigen::ColMajor>
      pack_rhs;
  Eigen::internal::gebp_kernel<float, float, Eigen::Index, ResMapper, Traits::mr, Traits::nr>
      kernel;
  thread_local std::vector<float, Eigen::aligned_allocator<float>> packed_x;
  packed_x.resize(static_cast<size_t>(depth_block_ * n));
  const ResMapper result(out.data(), out_);
  // Each thread takes whole panels of mr output columns, contiguous in the packed weight.
  const Eigen::Index parts = in_ * out_ >= kParallelGemvWeights
                                 ? std::clamp<Eigen::Index>(out_ / Traits::mr, 1, threads)
                                 : 1;
  const Eigen::Index chunk =
      ((out_ + parts - 1) / parts + Traits::mr - 1) / Traits::mr * Traits::mr;
  for (Eigen::Index k = 0; k < in_; k += depth_block_) {
    const Eigen::Index depth = std::min(depth_block_, in_ - k);
    pack_rhs(packed_x.data(), rhs.getSubMapper(k, 0), depth, n);
    const float* weights = data_.data() + k * out_;
    const float* inputs = packed_x.data();
#pragma omp parallel for schedule(static) num_threads(parts) if (parts > 1)
    for (Eigen::Index part = 0; part < parts; ++part) {
      const Eigen::Index begin = part * chunk;
      const Eigen::Index columns = std::min(chunk, out_ - begin);
      if (columns > 0) {
        kernel(result.getSubMapper(begin, 0), weights + begin * depth, inputs, columns, depth, n,
               1.0f);
      }
    }
  }
}

void linear(const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& weight_t,
            const Eigen::Ref<const Vector>& bias, Matrix& out, const PackedWeight* packed) {
  const int threads = omp_get_max_threads();
  if (packed != nullptr && !packed->empty() && x.rows() >= kPackedMinRows &&
      x.rows() <= kPackedRows) {
    packed->multiply(x, bias, out, threads);
    return;
  }
  out.resize(x.rows(), weight_t.cols());
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

ThreadBudget::ThreadBudget(int threads) : previous_(omp_get_max_threads()) {
  omp_set_num_threads(std::max(1, threads));
}

ThreadBudget::~ThreadBudget() {
  omp_set_num_threads(previous_);
}

int argmax(const Eigen::Ref<const RowVector>& row) {
  Eigen::Index best = 0;
  row.maxCoeff(&best);
  return static_cast<int>(best);
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
