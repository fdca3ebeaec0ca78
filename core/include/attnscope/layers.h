// The wiring of the Transformer's layers, written once. Every computation over the layers
// uses it: the model's full pass and its recording of the Trace, the incremental decoder
// step with its key/value cache (model.cpp), and training's forward pass, which keeps what
// the reverse pass needs, and that reverse pass (train.cpp). What differs between them (how
// attention finds its keys, what is kept) is the `Pass` they hand in; how the sublayers,
// norms and residual connections fit together is only here.
//
// A layer is a list of sublayers, each with its LayerNorm (nn.TransformerEncoderLayer and
// nn.TransformerDecoderLayer):
//   encoder layer: self-attention (norm1), feed-forward (norm2)
//   decoder layer: masked self-attention (norm1), cross-attention (norm2), feed-forward (norm3)
// and each sublayer f joins the residual stream x as
//   norm_first:  x = x + f(norm(x))
//   post-norm:   x = norm(x + f(x))
//
// A Pass provides:
//   bool norm_first() const;
//   void norm(const Sublayer& s, const Matrix& x, Matrix& out);      // s.norm applied to x
//   void apply(const Sublayer& s, const Matrix& in, Matrix& out);    // the sublayer itself
// and, for the reverse pass,
//   Matrix norm_backward(const Sublayer& s, const Matrix& d_out);   // d input of the norm
//   Matrix apply_backward(const Sublayer& s, const Matrix& d_out);  // d input of the sublayer
// Each call sees the layer through `Sublayer::layer`; a Pass keeps per-layer state (caches,
// records) indexed by it.
#pragma once

#include <array>

#include "attnscope/tensor.h"
#include "attnscope/weights.h"

namespace attnscope {

enum class SublayerKind { kSelfAttention, kMaskedSelfAttention, kCrossAttention, kFeedForward };

struct Sublayer {
  SublayerKind kind;
  int layer;                           // index of the layer in its stack
  int index;                           // position in the layer: 0, 1, (2)
  const LayerNormWeights* norm;        // the norm that goes with it
  const AttentionWeights* attention;   // attention sublayers
  const FeedForwardWeights* feed_forward;  // the feed-forward sublayer
};

inline std::array<Sublayer, 2> sublayers(const EncoderLayerWeights& w, int layer) {
  return {{{SublayerKind::kSelfAttention, layer, 0, &w.norm1, &w.self_attn, nullptr},
           {SublayerKind::kFeedForward, layer, 1, &w.norm2, nullptr, &w.ff}}};
}

inline std::array<Sublayer, 3> sublayers(const DecoderLayerWeights& w, int layer) {
  return {{{SublayerKind::kMaskedSelfAttention, layer, 0, &w.norm1, &w.self_attn, nullptr},
           {SublayerKind::kCrossAttention, layer, 1, &w.norm2, &w.multihead_attn, nullptr},
           {SublayerKind::kFeedForward, layer, 2, &w.norm3, nullptr, &w.ff}}};
}

// Runs the layers of a stack over the residual stream x (tokens, d_model), in order.
template <typename Pass, typename LayerWeights>
void layers_forward(Pass& pass, const std::vector<LayerWeights>& layers, Matrix& x) {
  Matrix h, out;
  for (int l = 0; l < static_cast<int>(layers.size()); ++l) {
    for (const Sublayer& s : sublayers(layers[l], l)) {
      if (pass.norm_first()) {
        pass.norm(s, x, h);
        pass.apply(s, h, out);
        x += out;
      } else {
        pass.apply(s, x, out);
        x += out;
        pass.norm(s, x, h);
        x.swap(h);
      }
    }
  }
}

// The same wiring in reverse: dx holds the gradient of the stack's output and becomes the
// gradient of its input.
template <typename Pass, typename LayerWeights>
void layers_backward(Pass& pass, const std::vector<LayerWeights>& layers, Matrix& dx) {
  for (int l = static_cast<int>(layers.size()) - 1; l >= 0; --l) {
    const auto list = sublayers(layers[l], l);
    for (auto s = list.rbegin(); s != list.rend(); ++s) {
      if (pass.norm_first()) {
        // x_out = x + f(norm(x))
        dx += pass.norm_backward(*s, pass.apply_backward(*s, dx));
      } else {
        // x_out = norm(x + f(x))
        const Matrix d_sum = pass.norm_backward(*s, dx);
        dx = d_sum + pass.apply_backward(*s, d_sum);
      }
    }
  }
}

}  // namespace attnscope
