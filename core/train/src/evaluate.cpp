// BLEU as sacreBLEU computes it by default, alignment error rate, attention-derived
// alignments, and the evaluation of a model over sentence pairs built on them.
#include "attnscope/evaluate.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <set>
#include <unordered_map>

#include "attnscope/decode.h"
#include "attnscope/error.h"
#include "attnscope/model.h"
#include "attnscope/ops.h"
#include "attnscope/tokenizer.h"

namespace attnscope {

namespace {

// ---------------------------------------------------------------------------------------------
// 13a tokenization

// Replaces every occurrence of `from`, left to right without overlaps, as Python's str.replace.
void replace_all(std::string& text, const std::string& from, const std::string& to) {
  std::string out;
  size_t pos = 0;
  for (size_t hit = text.find(from); hit != std::string::npos; hit = text.find(from, pos)) {
    out.append(text, pos, hit - pos);
    out += to;
    pos = hit + from.size();
  }
  out.append(text, pos, std::string::npos);
  text.swap(out);
}

// Bytes of the whitespace character starting at text[i] as Python's str.isspace() knows it
// (the characters str.split() and str.rstrip() remove), 0 when there is none.
size_t python_space_at(const std::string& text, size_t i) {
  const auto byte = [&text](size_t k) {
    return k < text.size() ? static_cast<unsigned char>(text[k]) : 0u;
  };
  const unsigned c = byte(i);
  if ((c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20)) return 1;
  const unsigned c1 = byte(i + 1), c2 = byte(i + 2);
  if (c == 0xC2 && (c1 == 0x85 || c1 == 0xA0)) return 2;  // U+0085 U+00A0
  if (c == 0xE1 && c1 == 0x9A && c2 == 0x80) return 3;    // U+1680
  if (c == 0xE2 && c1 == 0x80 &&
      ((c2 >= 0x80 && c2 <= 0x8A) || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF)) {
    return 3;  // U+2000-U+200A U+2028 U+2029 U+202F
  }
  if (c == 0xE2 && c1 == 0x81 && c2 == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && c1 == 0x80 && c2 == 0x80) return 3;  // U+3000
  return 0;
}

// Python's str.split() without arguments.
std::vector<std::string> split_python_whitespace(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (size_t i = 0; i < text.size();) {
    const size_t space = python_space_at(text, i);
    if (space > 0) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
      i += space;
    } else {
      word.push_back(text[i++]);
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// Python's str.rstrip() without arguments.
std::string rstrip_python_whitespace(const std::string& text) {
  size_t end = 0;
  for (size_t i = 0; i < text.size();) {
    const size_t space = python_space_at(text, i);
    if (space > 0) {
      i += space;
    } else {
      end = ++i;
    }
  }
  return text.substr(0, end);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The first rule's class [{-~[-` -&(-+:-@/]: ASCII punctuation other than ' , - . (and space).
bool is_13a_symbol(char c) {
  return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') ||
         (c >= '(' && c <= '+') || (c >= ':' && c <= '@') || c == '/';
}

// One pass of re.sub with a two-character pattern: `matches(a, b)` says whether the pair at i
// matches, `emit` writes its replacement; the scan resumes after the pair, as re.sub does.
template <typename Matches, typename Emit>
std::string substitute_pairs(const std::string& text, Matches matches, Emit emit) {
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  size_t i = 0;
  while (i < text.size()) {
    if (i + 1 < text.size() && matches(text[i], text[i + 1])) {
      emit(out, text[i], text[i + 1]);
      i += 2;
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

bool is_dot_or_comma(char c) {
  return c == '.' || c == ',';
}

// ---------------------------------------------------------------------------------------------
// BLEU

constexpr int kMaxOrder = 4;

// n-gram -> count, for n = 1..4; an n-gram's key is its tokens joined by single spaces, which
// no token contains.
using NgramCounts = std::array<std::unordered_map<std::string, int64_t>, kMaxOrder>;

NgramCounts count_ngrams(const std::vector<std::string>& tokens) {
  NgramCounts counts;
  for (int n = 1; n <= kMaxOrder; ++n) {
    for (size_t i = 0; i + n <= tokens.size(); ++i) {
      std::string key = tokens[i];
      for (int k = 1; k < n; ++k)
        key += ' ' + tokens[i + k];
      ++counts[n - 1][key];
    }
  }
  return counts;
}

// sacreBLEU's my_log: log, with log(0) taken as a huge negative number rather than -inf.
double bleu_log(double x) {
  return x == 0.0 ? -9999999999.0 : std::log(x);
}

// ---------------------------------------------------------------------------------------------
// Evaluation

// What one sentence contributes to the report.
struct SentenceResult {
  std::vector<std::string> hypothesis;  // generated tokens, special tokens dropped
  std::vector<std::string> reference;   // Tokenizer::split of the reference
  bool exact = false;
  bool unknown_reference = false;
  std::vector<std::vector<AlignmentCounts>> heads;  // [layer][head]
  std::vector<AlignmentCounts> layer_mean;          // [layer]
};

// Makes every model call and every Eigen product single-threaded for the lifetime of the object,
// then restores both settings: the model's budget (set_num_threads) and the calling thread's
// OpenMP budget, which the threads of a parallel region started from it inherit.
class SingleThreadedModel {
 public:
  SingleThreadedModel() : model_threads_(num_threads()) { set_num_threads(1); }
  ~SingleThreadedModel() { set_num_threads(model_threads_); }
  SingleThreadedModel(const SingleThreadedModel&) = delete;
  SingleThreadedModel& operator=(const SingleThreadedModel&) = delete;

 private:
  ThreadBudget products_{1};
  int model_threads_;
};

void check_alignment(const Alignment& alignment, int source_words, int target_words, size_t index) {
  for (const auto& [s, t] : alignment) {
    if (s < 0 || s >= source_words || t < 0 || t >= target_words) {
      throw InputError("pair " + std::to_string(index) + ": alignment link " + std::to_string(s) +
                       "-" + std::to_string(t) + " is outside its " + std::to_string(source_words) +
                       " source and " + std::to_string(target_words) + " target tokens");
    }
  }
}

SentenceResult evaluate_pair(const ModelBundle& bundle, const SentencePair& pair, size_t index,
                             const DecodeOptions& decode, bool with_alignment) {
  const Config& config = bundle.model.config();
  SentenceResult r;
  const std::vector<int> src = bundle.source_ids(pair.source);
  const Translation translation = translate_ids(bundle.model, src, decode);
  for (int id : translation.ids) {
    const std::string& token = bundle.tgt_vocab.token(id);
    if (token != "<pad>" && token != "<bos>" && token != "<eos>") r.hypothesis.push_back(token);
  }
  r.reference = Tokenizer::split(pair.target, config.lowercase);
  r.exact = r.hypothesis == r.reference;
  for (const std::string& token : r.reference) {
    if (bundle.tgt_vocab.id(token) < 0) r.unknown_reference = true;
  }
  if (!with_alignment) return r;

  const std::vector<int> tgt = bundle.target_ids(pair.target);
  const int source_words = static_cast<int>(src.size()) - 1;
  const int target_words = static_cast<int>(tgt.size()) - 1;
  check_alignment(pair.alignment, source_words, target_words, index);
  const Trace trace = bundle.model.trace(src, tgt, decode.mask);
  r.heads.resize(trace.cross.size());
  for (size_t l = 0; l < trace.cross.size(); ++l) {
    for (const Matrix& head : trace.cross[l].heads) {
      r.heads[l].push_back(alignment_counts(attention_links(head, source_words, target_words),
                                            pair.alignment, pair.alignment));
    }
    const Matrix mean =
        aggregate_heads(trace, AttentionKind::kCross, static_cast<int>(l), HeadMode::kMean);
    r.layer_mean.push_back(alignment_counts(attention_links(mean, source_words, target_words),
                                            pair.alignment, pair.alignment));
  }
  return r;
}

}  // namespace

std::string tokenize_13a(const std::string& text) {
  std::string line = text;
  replace_all(line, "<skipped>", "");
  replace_all(line, "-\n", "");
  replace_all(line, "\n", " ");
  replace_all(line, "&quot;", "\"");
  replace_all(line, "&amp;", "&");
  replace_all(line, "&lt;", "<");
  replace_all(line, "&gt;", ">");
  line = " " + line + " ";

  std::string spaced;
  spaced.reserve(line.size() * 2);
  for (char c : line) {
    if (is_13a_symbol(c)) {
      spaced += ' ';
      spaced += c;
      spaced += ' ';
    } else {
      spaced += c;
    }
  }
  // Period and comma unless preceded by a digit: ([^0-9])([\.,]) -> "\1 \2 ".
  spaced = substitute_pairs(
      spaced, [](char a, char b) { return !is_digit(a) && is_dot_or_comma(b); },
      [](std::string& out, char a, char b) {
        out += a;
        out += ' ';
        out += b;
        out += ' ';
      });
  // Period and comma unless followed by a digit: ([\.,])([^0-9]) -> " \1 \2".
  spaced = substitute_pairs(
      spaced, [](char a, char b) { return is_dot_or_comma(a) && !is_digit(b); },
      [](std::string& out, char a, char b) {
        out += ' ';
        out += a;
        out += ' ';
        out += b;
      });
  // Dash preceded by a digit: ([0-9])(-) -> "\1 \2 ".
  spaced = substitute_pairs(
      spaced, [](char a, char b) { return is_digit(a) && b == '-'; },
      [](std::string& out, char a, char b) {
        out += a;
        out += ' ';
        out += b;
        out += ' ';
      });

  std::string out;
  for (const std::string& word : split_python_whitespace(spaced)) {
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

BleuScore corpus_bleu(const std::vector<std::string>& hypotheses,
                      const std::vector<std::string>& references) {
  if (hypotheses.size() != references.size()) {
    throw InputError("corpus_bleu: " + std::to_string(hypotheses.size()) + " hypotheses for " +
                     std::to_string(references.size()) +
                     " references; expected one reference "
                     "per hypothesis");
  }
  BleuScore s;
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    const std::vector<std::string> hyp =
        split_python_whitespace(tokenize_13a(rstrip_python_whitespace(hypotheses[i])));
    const std::vector<std::string> ref =
        split_python_whitespace(tokenize_13a(rstrip_python_whitespace(references[i])));
    s.hyp_len += static_cast<int64_t>(hyp.size());
    s.ref_len += static_cast<int64_t>(ref.size());
    const NgramCounts hyp_counts = count_ngrams(hyp);
    const NgramCounts ref_counts = count_ngrams(ref);
    for (int n = 0; n < kMaxOrder; ++n) {
      for (const auto& [ngram, count] : hyp_counts[n]) {
        s.totals[n] += count;
        const auto it = ref_counts[n].find(ngram);
        if (it != ref_counts[n].end()) s.matches[n] += std::min(count, it->second);
      }
    }
  }

  if (s.hyp_len < s.ref_len) {
    s.brevity_penalty =
        s.hyp_len > 0 ? std::exp(1.0 - static_cast<double>(s.ref_len) / s.hyp_len) : 0.0;
  } else {
    s.brevity_penalty = 1.0;
  }
  s.ratio = s.ref_len > 0 ? static_cast<double>(s.hyp_len) / s.ref_len : 0.0;
  if (std::all_of(s.matches.begin(), s.matches.end(), [](int64_t m) { return m == 0; })) {
    return s;
  }
  // The same operations in the same order as sacreBLEU, so the figures agree to the last bit.
  double smooth = 1.0;
  for (int n = 0; n < kMaxOrder; ++n) {
    if (s.totals[n] == 0) break;
    if (s.matches[n] == 0) {
      smooth *= 2;
      s.precisions[n] = 100.0 / (smooth * static_cast<double>(s.totals[n]));
    } else {
      s.precisions[n] =
          100.0 * static_cast<double>(s.matches[n]) / static_cast<double>(s.totals[n]);
    }
  }
  double log_sum = 0.0;
  for (double p : s.precisions)
    log_sum += bleu_log(p);
  s.score = s.brevity_penalty * std::exp(log_sum / kMaxOrder);
  return s;
}

AlignmentCounts& AlignmentCounts::operator+=(const AlignmentCounts& other) {
  predicted += other.predicted;
  sure += other.sure;
  predicted_sure += other.predicted_sure;
  predicted_possible += other.predicted_possible;
  return *this;
}

double AlignmentCounts::error_rate() const {
  if (predicted + sure == 0) return 0.0;
  return 1.0 - static_cast<double>(predicted_sure + predicted_possible) /
                   static_cast<double>(predicted + sure);
}

AlignmentCounts alignment_counts(const Alignment& predicted, const Alignment& sure,
                                 const Alignment& possible) {
  const std::set<std::pair<int, int>> a(predicted.begin(), predicted.end());
  const std::set<std::pair<int, int>> s(sure.begin(), sure.end());
  std::set<std::pair<int, int>> p(possible.begin(), possible.end());
  p.insert(s.begin(), s.end());
  AlignmentCounts counts;
  counts.predicted = static_cast<int64_t>(a.size());
  counts.sure = static_cast<int64_t>(s.size());
  for (const auto& link : a) {
    counts.predicted_sure += s.count(link) ? 1 : 0;
    counts.predicted_possible += p.count(link) ? 1 : 0;
  }
  return counts;
}

double alignment_error_rate(const Alignment& predicted, const Alignment& sure,
                            const Alignment& possible) {
  return alignment_counts(predicted, sure, possible).error_rate();
}

double corpus_alignment_error_rate(const std::vector<Alignment>& predicted,
                                   const std::vector<Alignment>& sure,
                                   const std::vector<Alignment>& possible) {
  if (sure.size() != predicted.size() || (!possible.empty() && possible.size() != sure.size())) {
    throw InputError("corpus_alignment_error_rate: " + std::to_string(predicted.size()) +
                     " predicted, " + std::to_string(sure.size()) + " sure and " +
                     std::to_string(possible.size()) +
                     " possible alignments; expected one of each per sentence (possible may be "
                     "empty)");
  }
  AlignmentCounts total;
  for (size_t i = 0; i < predicted.size(); ++i)
    total += alignment_counts(predicted[i], sure[i], possible.empty() ? sure[i] : possible[i]);
  return total.error_rate();
}

Alignment attention_links(const Matrix& cross, int source_words, int target_words) {
  if (source_words < 0 || target_words < 0 || cross.rows() != target_words + 1 ||
      cross.cols() != source_words + 1) {
    throw InputError("attention_links: cross-attention of shape [" + std::to_string(cross.rows()) +
                     "," + std::to_string(cross.cols()) + "], expected [" +
                     std::to_string(target_words + 1) + "," + std::to_string(source_words + 1) +
                     "] for " + std::to_string(target_words) + " target and " +
                     std::to_string(source_words) + " source words (each followed by <eos>)");
  }
  Alignment links;
  if (source_words == 0) return links;
  for (int j = 0; j < target_words; ++j) {
    int best = 0;
    for (int s = 1; s < source_words; ++s) {
      if (cross(j, s) > cross(j, best)) best = s;
    }
    links.emplace_back(best, j);
  }
  return links;
}

EvalReport evaluate(const ModelBundle& bundle, const std::vector<SentencePair>& pairs,
                    const EvalOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (pairs.empty()) throw InputError("evaluate: no sentence pairs to evaluate");
  if (options.beam < 1 || options.threads < 1 || options.max_examples < 0) {
    throw InputError("evaluate: beam " + std::to_string(options.beam) + ", threads " +
                     std::to_string(options.threads) + ", max_examples " +
                     std::to_string(options.max_examples) +
                     "; expected beam >= 1, threads >= 1, max_examples >= 0");
  }
  const bool with_alignment = std::all_of(
      pairs.begin(), pairs.end(), [](const SentencePair& p) { return !p.alignment.empty(); });
  DecodeOptions decode;
  decode.beam = options.beam;
  decode.mask = options.mask;

  const int n = static_cast<int>(pairs.size());
  std::vector<SentenceResult> results(n);
  std::vector<std::exception_ptr> errors(n);
  {
    const SingleThreadedModel single;
#pragma omp parallel for num_threads(options.threads) schedule(dynamic, 1)
    for (int i = 0; i < n; ++i) {
      try {
        results[i] = evaluate_pair(bundle, pairs[i], i, decode, with_alignment);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  }
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);
  }

  EvalReport report;
  report.sentences = n;
  report.has_alignments = with_alignment;
  std::vector<std::string> hypotheses, references;
  std::vector<std::vector<AlignmentCounts>> head_counts;
  std::vector<AlignmentCounts> mean_counts;
  if (with_alignment) {
    head_counts = results.front().heads;
    mean_counts = results.front().layer_mean;
    for (auto& layer : head_counts)
      std::fill(layer.begin(), layer.end(), AlignmentCounts{});
    std::fill(mean_counts.begin(), mean_counts.end(), AlignmentCounts{});
  }
  for (int i = 0; i < n; ++i) {
    const SentenceResult& r = results[i];
    const std::string got = Tokenizer::detokenize(r.hypothesis);
    const std::string expected = Tokenizer::detokenize(r.reference);
    hypotheses.push_back(got);
    references.push_back(expected);
    report.exact += r.exact ? 1 : 0;
    report.unknown_references += r.unknown_reference ? 1 : 0;
    if (!r.exact && static_cast<int>(report.failures.size()) < options.max_examples) {
      report.failures.push_back(pairs[i].source + " => " + got + " | " + expected);
    }
    for (size_t l = 0; l < r.heads.size(); ++l) {
      for (size_t h = 0; h < r.heads[l].size(); ++h)
        head_counts[l][h] += r.heads[l][h];
      mean_counts[l] += r.layer_mean[l];
    }
  }
  report.exact_match = static_cast<double>(report.exact) / n;
  report.bleu = corpus_bleu(hypotheses, references);
  for (const auto& layer : head_counts) {
    report.head_aer.emplace_back();
    for (const AlignmentCounts& counts : layer)
      report.head_aer.back().push_back(counts.error_rate());
  }
  for (const AlignmentCounts& counts : mean_counts)
    report.layer_mean_aer.push_back(counts.error_rate());
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace attnscope
