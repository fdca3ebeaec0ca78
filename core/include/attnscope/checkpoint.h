// A model directory as PyTorch and Hugging Face users know it:
//   config.json        torch.nn.Transformer's arguments + vocabulary sizes and special ids
//   model.safetensors  tensors named as the state_dict of a module holding
//                      `self.transformer = nn.Transformer(..., batch_first=True)`,
//                      `src_embed`, `tgt_embed`, [`src_pos`, `tgt_pos`], [`generator`]
//   src_vocab.txt      one token a line, line number = id
//   tgt_vocab.txt
#pragma once

#include <string>
#include <vector>

#include "attnscope/model.h"
#include "attnscope/safetensors.h"
#include "attnscope/tokenizer.h"

namespace attnscope {

struct ModelBundle {
  std::string dir;  // where it was loaded from
  Model model;
  Vocab src_vocab;
  Vocab tgt_vocab;

  Tokenizer src_tokenizer() const;  // borrows src_vocab: keep the bundle alive
  // Source ids of a sentence: its tokens followed by <eos>, the convention every bundled
  // model is trained with. Unknown words become <unk> and are listed in `tokenized`.
  std::vector<int> source_ids(const std::string& text, Tokenized* tokenized = nullptr) const;
  // Decoder input of a forced target sentence: <bos> followed by its tokens.
  std::vector<int> target_ids(const std::string& text, Tokenized* tokenized = nullptr) const;
  // Fills the trace's token strings from the vocabularies.
  void label(Trace& trace) const;
  // Text of generated ids to read (special tokens dropped).
  std::string detokenize_target(const std::vector<int>& ids) const;
};

// The most bytes a vocabulary file may hold, checked before it is read: a million tokens
// (limits::kMaxVocab) of 64 bytes each.
constexpr uint64_t kMaxVocabFileBytes = uint64_t{64} << 20;

// Reads weights for `config` from a safetensors file: every tensor must be present, no
// other tensor may be, and each must have the expected shape and dtype F32, F16 or BF16.
// All of this is checked (and the config validated) before the weights are allocated.
Weights load_weights(const SafetensorsFile& file, const Config& config);

// Fills `weights` (allocated for `config`) from the tensors of `file` named `prefix` + each
// parameter's name, converting from PyTorch's layout (see weights.h). Throws CheckpointError
// when one is missing or has another shape.
void read_weights(const SafetensorsFile& file, const Config& config, const std::string& prefix,
                  Weights& weights);

// The parameters of `weights` as tensors in PyTorch's layout, named `prefix` + name, ready for
// write_safetensors. The tensors of transposed parameters are copies kept in `storage`, which
// must outlive the result.
std::vector<TensorRef> weight_tensors(const Weights& weights, const Config& config,
                                      const std::string& prefix,
                                      std::vector<std::vector<float>>& storage);

// Loads a model directory. Throws CheckpointError naming the file, the tensor, what was
// expected and what was found. Each file is checked before anything it sizes is allocated:
// config.json first (its limits bound the model), then the vocabularies (at most
// kMaxVocabFileBytes, as many tokens as the config says), then model.safetensors (not larger
// than the config's weights as F32 plus the largest header, the header validated before the
// data is read, the tensors before the weights are allocated).
ModelBundle load_model_dir(const std::string& dir);

// Writes a model directory (each file atomically); tensors stored as F32 or F16.
void save_model_dir(const std::string& dir, const Model& model, const Vocab& src_vocab,
                    const Vocab& tgt_vocab, DType dtype = DType::kF32);

// The default vocabulary of a model without one: <pad> <unk> <bos> <eos> then `prefix`N.
// Throws InputError unless 1 <= size <= limits::kMaxVocab.
Vocab placeholder_vocab(int size, const std::string& prefix);

}  // namespace attnscope
