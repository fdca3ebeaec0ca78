// The small random-weight model the model-level tests share: 2+2 layers, 3 heads of 8.
#pragma once

#include "attnscope/config.h"

inline attnscope::Config small_config(
    bool norm_first, attnscope::Activation activation = attnscope::Activation::kRelu) {
  attnscope::Config c;
  c.d_model = 24;
  c.nhead = 3;
  c.num_encoder_layers = 2;
  c.num_decoder_layers = 2;
  c.dim_feedforward = 40;
  c.src_vocab_size = 30;
  c.tgt_vocab_size = 33;
  c.max_positions = 40;
  c.norm_first = norm_first;
  c.activation = activation;
  return c;
}
