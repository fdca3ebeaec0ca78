// How good a model is on a test set: exact matches, corpus BLEU as sacreBLEU computes it by
// default, and how well each cross-attention head's argmax agrees with the true word alignment
// (alignment error rate, Och & Ney 2003).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "attnscope/checkpoint.h"
#include "attnscope/head_mask.h"
#include "attnscope/tasks.h"
#include "attnscope/tensor.h"

namespace attnscope {

// ---------------------------------------------------------------------------------------------
// BLEU

// sacreBLEU's default "13a" tokenizer, the tokenization of mteval-v13a.pl, applied to one line:
//   1. remove "<skipped>"; join "-\n" (a word broken at a line end); "\n" becomes a space;
//      then, in this order, "&quot;" -> '"', "&amp;" -> '&', "&lt;" -> '<', "&gt;" -> '>';
//   2. pad with a space on each side, then, each rule once over the whole line, left to right
//      without overlapping matches:
//      - every ASCII punctuation character other than ' , - . gets a space on each side
//        ({ | } ~ [ \ ] ^ _ ` ! " # $ % & ( ) * + : ; < = > ? @ /);
//      - '.' or ',' gets a space on each side unless the character before it is a digit 0-9;
//      - '.' or ',' gets a space before it unless the character after it is a digit;
//      - '-' after a digit gets a space on each side ("1990-2000" -> "1990 - 2000");
//   3. split on whitespace as Python's str.split() does (ASCII whitespace, U+001C-U+001F,
//      U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000) and
//      join the pieces with single spaces.
// Works on UTF-8 bytes; non-ASCII characters are never split off.
std::string tokenize_13a(const std::string& text);

struct BleuScore {
  double score = 0;                    // 0..100
  double brevity_penalty = 0;          // exp(1 - ref_len / hyp_len) when hyp_len < ref_len, else 1;
                                       // 0 when hyp_len is 0
  double ratio = 0;                    // hyp_len / ref_len, 0 when ref_len is 0
  std::array<double, 4> precisions{};  // percent, n = 1..4; all 0 when nothing matched
  int64_t hyp_len = 0;                 // tokens of all hypotheses
  int64_t ref_len = 0;                 // tokens of all references
  std::array<int64_t, 4> matches{};    // clipped n-gram matches summed over the corpus
  std::array<int64_t, 4> totals{};     // hypothesis n-grams summed over the corpus
};

// Corpus BLEU-4 with one reference per hypothesis, as sacreBLEU's corpus_bleu(hypotheses,
// [references]) computes it with its defaults (case-sensitive, 13a, smooth_method="exp"):
// each line has its trailing whitespace removed and goes through tokenize_13a; n-gram matches
// are clipped by the reference's counts and summed over the corpus with the lengths; the score
// is BP * exp(mean of log p_n) over the four percentages p_n = 100 * matches / totals, where
// the k-th order with no match (k = 1, 2, ...) counts as 100 / (2^k * totals). The score is 0
// when no n-gram of any order matches or when some order has no hypothesis n-gram at all
// (a corpus whose hypotheses are all shorter than 4 tokens). Empty lists score 0. Throws
// InputError when the two lists differ in size.
BleuScore corpus_bleu(const std::vector<std::string>& hypotheses,
                      const std::vector<std::string>& references);

// ---------------------------------------------------------------------------------------------
// Alignment error rate

// (source token, target token) links, as SentencePair::alignment holds them.
using Alignment = std::vector<std::pair<int, int>>;

// The counts AER is made of, for one sentence or summed over a corpus.
struct AlignmentCounts {
  int64_t predicted = 0;           // |A|
  int64_t sure = 0;                // |S|
  int64_t predicted_sure = 0;      // |A ∩ S|
  int64_t predicted_possible = 0;  // |A ∩ P|

  AlignmentCounts& operator+=(const AlignmentCounts& other);
  // 1 - (|A ∩ S| + |A ∩ P|) / (|A| + |S|); 0 when A and S are both empty.
  double error_rate() const;
};

// The counts of one sentence. Each list is taken as a set (a repeated link counts once), and a
// sure link counts as possible even when `possible` omits it (P ⊇ S as Och & Ney define it),
// so passing the one alignment a corpus has as both sure and possible is the usual use.
AlignmentCounts alignment_counts(const Alignment& predicted, const Alignment& sure,
                                 const Alignment& possible);

// AER of one sentence: alignment_counts(...).error_rate(), in [0, 1].
double alignment_error_rate(const Alignment& predicted, const Alignment& sure,
                            const Alignment& possible);

// AER of a test set: the counts of every sentence summed before dividing (not the mean of
// the sentences' AERs). The three lists hold one alignment per sentence; `possible` may be
// empty to mean "the same as sure". Throws InputError when the sizes differ.
double corpus_alignment_error_rate(const std::vector<Alignment>& predicted,
                                   const std::vector<Alignment>& sure,
                                   const std::vector<Alignment>& possible = {});

// The word alignment a cross-attention matrix predicts, one link per target word.
//
// `cross` is the (T, S) cross-attention of one head (or a mean of heads) of a teacher-forced
// trace of a sentence pair, with the bundle's conventions:
//   - source ids are the source words followed by <eos>: S = source_words + 1;
//   - the decoder input is <bos> followed by the target words: T = target_words + 1.
// Row t is the query that predicts output token t: row j (j < target_words) predicts target
// word j, and the last row predicts <eos>. The link of target word j is
// (argmax over the columns [0, source_words) of row j, j): the <eos> column and the <eos> row
// take no part. Ties go to the lowest column. Returns links sorted by target word; none when
// source_words is 0. Throws InputError when the shape is not (target_words + 1,
// source_words + 1).
Alignment attention_links(const Matrix& cross, int source_words, int target_words);

// ---------------------------------------------------------------------------------------------
// Evaluating a model on sentence pairs

struct EvalOptions {
  int beam = 1;          // 1: greedy decoding; K > 1: beam search of width K
  int threads = 1;       // sentences translated in parallel
  int max_examples = 5;  // failures kept in EvalReport::failures
  HeadMask mask;         // heads switched off, in decoding and in the alignment pass
};

struct EvalReport {
  int sentences = 0;
  int exact = 0;               // sentences translated exactly (see evaluate)
  double exact_match = 0;      // exact / sentences, a fraction
  int unknown_references = 0;  // references holding a word the target vocabulary lacks: they
                               // can never match exactly, but count in every figure
  BleuScore bleu;
  // True when every pair has a non-empty alignment; the AER fields are empty otherwise.
  bool has_alignments = false;
  std::vector<std::vector<double>> head_aer;  // [decoder layer][head] corpus AER of the head's
                                              // attention_links, in [0, 1]
  std::vector<double> layer_mean_aer;  // [decoder layer] corpus AER of attention_links of the
                                       // mean of the layer's heads
  std::vector<std::string> failures;   // the first max_examples sentences not translated
                                       // exactly, in order: "source => got | expected"
  double seconds = 0;                  // wall-clock time of the evaluation
};

// Translates each source with translate_ids (greedy, or beam search of width options.beam)
// and compares the result with the reference.
// - The hypothesis is the vocabulary tokens of the generated ids with <pad>, <bos> and <eos>
//   dropped (the tokens ModelBundle::detokenize_target prints). It is an exact match when
//   these tokens equal Tokenizer::split(reference, config.lowercase), token for token.
// - BLEU (corpus_bleu) compares Tokenizer::detokenize of the hypothesis tokens with
//   Tokenizer::detokenize(Tokenizer::split(reference, config.lowercase)), so both sides are
//   spaced and cased alike whatever spacing the reference was written with.
// - When every pair has an alignment, each pair also gets a teacher-forced Model::trace of
//   bundle.source_ids(source) and bundle.target_ids(reference), and each cross-attention
//   head's attention_links are scored against the alignment (sure = possible), summed over
//   the corpus. Throws InputError when a link is outside the tokens of its sentence.
// Sentences are split across options.threads OpenMP threads. While it runs, evaluate sets the
// model's thread budget (set_num_threads) to 1 so that every model call is single-threaded,
// and restores it afterwards: the report is the same for any number of threads. Throws
// InputError on an empty list of pairs or options out of range (beam or threads below 1,
// max_examples below 0). An error of the model (a sentence longer than max_positions) reaches
// the caller as thrown; when several sentences fail, the earliest one's error does.
EvalReport evaluate(const ModelBundle& bundle, const std::vector<SentencePair>& pairs,
                    const EvalOptions& options);

}  // namespace attnscope
