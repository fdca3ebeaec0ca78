// Training the encoder-decoder: the loss of a batch of sentence pairs and its gradient with
// respect to every parameter (a forward pass that keeps its activations, then the reverse
// pass), gradient clipping, and the AdamW optimizer with its learning-rate schedule.
//
// The forward pass computes what Model::trace computes (dropout is never applied), batched
// over padded rows; the gradients are those PyTorch's autograd gives for
//   loss = F.cross_entropy(logits, tgt_out, ignore_index=pad_id, label_smoothing=eps)
// on the module described in README.md (see tests/test_train.cpp and the train_step fixture).
#pragma once

#include <cstdint>
#include <vector>

#include "attnscope/config.h"
#include "attnscope/weights.h"

namespace attnscope {

// The weights training starts from, deterministic for a seed: Xavier-uniform matrices (as
// nn.Transformer initialises them), embeddings N(0, 1/d_model) so that sqrt(d_model) times an
// embedding is O(1) like the positions added to it, LayerNorm gains 1 and every bias 0.
Weights initial_weights(const Config& config, uint64_t seed);

// A mini-batch of padded sentence pairs, row-major, every row padded with pad_id to the same
// length. Trailing padding costs nothing: each row is computed over its own length only.
struct Batch {
  int size = 0;  // B
  int src_len = 0;
  int tgt_len = 0;
  std::vector<int> src;      // (B, src_len) encoder input
  std::vector<int> tgt_in;   // (B, tgt_len) decoder input: <bos> y_1 .. y_n, then pad
  std::vector<int> tgt_out;  // (B, tgt_len) next tokens: y_1 .. y_n <eos>, then pad
};

// Pads sentence pairs into a Batch. Each `src` row is the encoder input used verbatim (as
// ModelBundle::source_ids gives it: tokens followed by <eos>); each `tgt` row is the bare
// target y_1 .. y_n, to which <bos> (decoder input) and <eos> (last next token) are added.
// Throws InputError when the row counts differ, a row is empty, an id is outside its
// vocabulary or a row is longer than max_positions.
Batch make_batch(const std::vector<std::vector<int>>& src, const std::vector<std::vector<int>>& tgt,
                 const Config& config);

struct LossResult {
  double loss = 0;  // mean over the target tokens
  int tokens = 0;   // target tokens counted: the entries of tgt_out that are not pad_id
};

// Forward and backward pass over one batch. The loss is the mean over every tgt_out entry
// that is not pad_id of the cross-entropy with label smoothing `label_smoothing` (as PyTorch's
// CrossEntropyLoss(label_smoothing=eps, ignore_index=pad_id): the smoothing mass eps is spread
// uniformly over all classes, the true one included). `grads` is overwritten (allocated if
// its shapes do not fit `config`) with d loss / d parameter, in the layout of Weights (Linear
// weights (out, in)); with tie_output, tgt_embed's gradient sums the input lookup's and the
// output projection's. A batch without target tokens has loss 0 and zero gradients.
//
// With threads > 1 the rows are split into at most `threads` runs of consecutive rows of
// about equal work, computed in parallel (OpenMP), and their gradients are summed in run
// order: the result depends only on the inputs and `threads`, never on scheduling.
//
// Throws InputError on a malformed batch (sizes, ids, lengths, a row whose source is all
// padding) or on weights whose shapes do not fit `config`.
LossResult loss_and_gradients(const Config& config, const Weights& weights, const Batch& batch,
                              float label_smoothing, Weights& grads, int threads = 1);

// The L2 norm of all gradients taken together; when it exceeds `max_norm`, scales every
// gradient by max_norm / (norm + 1e-6), as torch.nn.utils.clip_grad_norm_. Returns the norm
// before clipping.
float clip_gradients(Weights& grads, const Config& config, float max_norm);

struct AdamWOptions {
  float lr = 5e-4f;  // peak learning rate, reached at the end of warm-up
  float beta1 = 0.9f;
  float beta2 = 0.98f;
  float eps = 1e-9f;
  float weight_decay = 0.01f;  // decoupled; applied to matrices only (see AdamW)
  int warmup_steps = 400;      // linear warm-up from lr / warmup_steps to lr
  int total_steps = 10000;     // cosine decay from lr to lr / 10, reached at this step
};

// torch.optim.AdamW (bias-corrected moments, decoupled weight decay p -= lr * wd * p before
// the Adam update) with one param-group choice: weight decay applies to every 2-D parameter
// (Linear weights, embedding and position tables, the generator) and not to the 1-D ones
// (biases, LayerNorm gains and biases), the usual split for Transformers. In PyTorch terms:
// two groups, `p.dim() >= 2` with weight_decay and the rest with 0.
class AdamW {
 public:
  // `shapes_like` only gives the shapes of the moment estimates, which start at zero.
  AdamW(const Config& config, const Weights& shapes_like, AdamWOptions options);

  // Learning rate of update number `step` (counted from 1): lr * step / warmup_steps during
  // warm-up, then a cosine from lr down to lr / 10 at total_steps, lr / 10 after that.
  float learning_rate(int step) const;
  // Applies one update to `weights` with `grads` (both shaped for the config) at
  // learning_rate(steps_taken() + 1).
  void step(Weights& weights, const Weights& grads);
  int steps_taken() const { return steps_; }
  const AdamWOptions& options() const { return options_; }

  // The moment estimates, for saving a resumable training state.
  const Weights& first_moment() const { return m_; }
  const Weights& second_moment() const { return v_; }
  // Continues from a saved state: moments shaped for the config and the updates already
  // taken. Throws InputError on a shape mismatch or a negative step count.
  void restore(Weights first_moment, Weights second_moment, int steps_taken);

 private:
  Config config_;
  AdamWOptions options_;
  Weights m_;  // first moment of each parameter, same shapes as the weights
  Weights v_;  // second moment
  int steps_ = 0;
};

}  // namespace attnscope
