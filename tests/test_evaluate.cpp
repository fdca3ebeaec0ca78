// Evaluation metrics against values worked out by hand (BLEU as sacreBLEU computes it, AER as
// Och & Ney define it, alignments read off attention matrices), and evaluate() against the
// same figures computed sentence by sentence outside it.
#include <doctest/doctest.h>

#include <cmath>

#include "attnscope/checkpoint.h"
#include "attnscope/decode.h"
#include "attnscope/error.h"
#include "attnscope/evaluate.h"
#include "attnscope/model.h"
#include "attnscope/tokenizer.h"

using namespace attnscope;

namespace {

const std::string kRandomModel = std::string(ATTNSCOPE_SOURCE_DIR) + "/assets/models/random-en-fr";

bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() &&
         text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

// The four expected precisions are separate arguments: GCC 12.2 with -march=native on an AVX-512
// machine builds a brace-initialized list of the constants {100, 100, 100, 0} here as four
// times 100.
void check_precisions(const BleuScore& s, double p1, double p2, double p3, double p4) {
  const double expected[4] = {p1, p2, p3, p4};
  for (int n = 0; n < 4; ++n) {
    CAPTURE(n);
    CHECK(s.precisions[n] == doctest::Approx(expected[n]).epsilon(1e-12));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// 13a tokenization

TEST_CASE("tokenize_13a splits punctuation as mteval-v13a does") {
  // ASCII punctuation other than ' , - . is always split off.
  CHECK(tokenize_13a("Hello, world!") == "Hello , world !");
  CHECK(tokenize_13a("(a) [b] {c} \"d\" a/b x:y;z <e>") ==
        "( a ) [ b ] { c } \" d \" a / b x : y ; z < e >");
  // Apostrophes and hyphens between letters stay; non-ASCII punctuation is never split.
  CHECK(tokenize_13a("don't well-known l'homme") == "don't well-known l'homme");
  CHECK(tokenize_13a("«bonjour» ¿qué?") == "«bonjour» ¿qué ?");
  // '.' and ',' stay inside numbers but not at their end; '$' is split off.
  CHECK(tokenize_13a("It costs $3.50, or 3,000 yen.") == "It costs $ 3.50 , or 3,000 yen .");
  CHECK(tokenize_13a("3.5.") == "3.5 .");
  CHECK(tokenize_13a("e.g. x") == "e . g . x");
  // Each rule runs once, without overlapping matches: in "x,,5" the first rule consumes "x,",
  // so the second comma is never seen with a non-digit before it; the next rule leaves it
  // because a digit follows.
  CHECK(tokenize_13a("x,,5") == "x , ,5");
  // A dash is split off after a digit only.
  CHECK(tokenize_13a("1990-2000 a-1") == "1990 - 2000 a-1");
  // Entities, <skipped>, line breaks.
  CHECK(tokenize_13a("&quot;hi&quot; &amp; &lt;b&gt;") == "\" hi \" & < b >");
  CHECK(tokenize_13a("&amp;quot;") == "& quot ;");  // replaced once, in order
  CHECK(tokenize_13a("<skipped>a end-\nline\nx") == "a endline x");
  // Whitespace as Python's str.split() knows it: NBSP and the ideographic space separate
  // words, a zero-width space does not.
  CHECK(tokenize_13a("a\xC2\xA0"
                     "b\xE3\x80\x80"
                     "c\tdd  ") == "a b c dd");
  CHECK(tokenize_13a("a\xE2\x80\x8B"
                     "b") ==
        "a\xE2\x80\x8B"
        "b");
  CHECK(tokenize_13a("") == "");
  CHECK(tokenize_13a("  \n ") == "");
}

// ---------------------------------------------------------------------------------------------
// BLEU

TEST_CASE("corpus_bleu: a perfect match scores 100") {
  // 7 tokens: 7/7 unigrams, 6/6 bigrams, 5/5 trigrams, 4/4 4-grams; BP = 1.
  const BleuScore s = corpus_bleu({"the cat sat on the mat ."}, {"the cat sat on the mat ."});
  CHECK(s.score == doctest::Approx(100.0).epsilon(1e-12));
  CHECK(s.brevity_penalty == 1.0);
  CHECK(s.ratio == 1.0);
  CHECK(s.hyp_len == 7);
  CHECK(s.ref_len == 7);
  CHECK(s.matches == std::array<int64_t, 4>{7, 6, 5, 4});
  CHECK(s.totals == std::array<int64_t, 4>{7, 6, 5, 4});
  check_precisions(s, 100, 100, 100, 100);
}

TEST_CASE("corpus_bleu: a short hypothesis pays the brevity penalty") {
  // hyp "the cat sat on the" (5 tokens), ref "the cat sat on the mat today" (7 tokens).
  // Every n-gram of the hypothesis is in the reference: 5/5, 4/4, 3/3, 2/2 -> 100 each.
  // BP = exp(1 - 7/5) = exp(-0.4) = 0.670320046035639; score = 100 * BP = 67.0320046035639.
  const BleuScore s = corpus_bleu({"the cat sat on the"}, {"the cat sat on the mat today"});
  CHECK(s.brevity_penalty == doctest::Approx(0.670320046035639).epsilon(1e-12));
  CHECK(s.score == doctest::Approx(67.0320046035639).epsilon(1e-12));
  CHECK(s.ratio == doctest::Approx(5.0 / 7.0).epsilon(1e-12));
  CHECK(s.hyp_len == 5);
  CHECK(s.ref_len == 7);
  check_precisions(s, 100, 100, 100, 100);

  // A hypothesis too short to have a 4-gram scores 0 whatever it matches: sacreBLEU stops at
  // the first order with no n-gram at all and that order's precision stays 0.
  // hyp "the cat sat", ref of 6 tokens: BP = exp(1 - 6/3) = exp(-1) = 0.367879441171442.
  const BleuScore short_hyp = corpus_bleu({"the cat sat"}, {"the cat sat on the mat"});
  CHECK(short_hyp.score == 0.0);
  CHECK(short_hyp.brevity_penalty == doctest::Approx(0.367879441171442).epsilon(1e-12));
  check_precisions(short_hyp, 100, 100, 100, 0);

  // An empty hypothesis: BP = 0, nothing matches, score 0.
  const BleuScore empty = corpus_bleu({""}, {"the cat"});
  CHECK(empty.score == 0.0);
  CHECK(empty.brevity_penalty == 0.0);
  CHECK(empty.hyp_len == 0);
  CHECK(empty.ref_len == 2);
}

TEST_CASE("corpus_bleu: orders without a match are smoothed by halving (smooth_method=exp)") {
  // hyp "the cat sat under the mat", ref "the cat sat on the mat" (6 tokens each, BP = 1).
  // unigrams: the x2 (ref has 2), cat, sat, mat match, under does not       -> 5/6
  // bigrams:  "the cat", "cat sat", "the mat" match; "sat under", "under the" -> 3/5
  // trigrams: only "the cat sat"                                             -> 1/4
  // 4-grams:  none of 3                       -> first zero order: 100 / (2 * 3) = 16.667
  // score = (83.333 * 60 * 25 * 16.667)^(1/4) = (75e6 / 36)^(1/4) = 37.9917842825796
  const BleuScore one = corpus_bleu({"the cat sat under the mat"}, {"the cat sat on the mat"});
  CHECK(one.matches == std::array<int64_t, 4>{5, 3, 1, 0});
  CHECK(one.totals == std::array<int64_t, 4>{6, 5, 4, 3});
  check_precisions(one, 500.0 / 6, 60, 25, 100.0 / 6);
  CHECK(one.score == doctest::Approx(37.9917842825796).epsilon(1e-12));

  // hyp "the cat ran under the mat": unigrams the x2, cat, mat -> 4/6; bigrams "the cat",
  // "the mat" -> 2/5; trigrams 0/4 -> 100 / (2 * 4) = 12.5; 4-grams 0/3 -> the second zero
  // order halves again: 100 / (4 * 3) = 8.333.
  // score = (66.667 * 40 * 12.5 * 8.333)^(1/4) = 22.9574884666143
  const BleuScore two = corpus_bleu({"the cat ran under the mat"}, {"the cat sat on the mat"});
  check_precisions(two, 400.0 / 6, 40, 12.5, 100.0 / 12);
  CHECK(two.score == doctest::Approx(22.9574884666143).epsilon(1e-12));

  // No n-gram of any order matches: score 0 and the precisions are reported as 0, unsmoothed.
  const BleuScore none = corpus_bleu({"the dog ran"}, {"a bird flew"});
  CHECK(none.score == 0.0);
  check_precisions(none, 0, 0, 0, 0);
  CHECK(none.totals == std::array<int64_t, 4>{3, 2, 1, 0});
}

TEST_CASE("corpus_bleu sums the counts over the corpus: not the mean of sentence scores") {
  // Sentence 1 is perfect (6 tokens, 100 alone); sentence 2 shares nothing (0 alone); the
  // mean of the sentence scores would be 50.
  // Corpus: unigrams (6 + 0) / (6 + 3) = 6/9, bigrams 5/7, trigrams 4/5, 4-grams 3/3;
  // lengths 9 and 9 -> BP = 1.
  // score = (66.667 * 71.429 * 80 * 100)^(1/4) = (8e8 / 21)^(1/4) = 78.5629301801026
  const std::vector<std::string> hyps = {"the cat sat on the mat", "the dog ran"};
  const std::vector<std::string> refs = {"the cat sat on the mat", "a bird flew"};
  CHECK(corpus_bleu({hyps[0]}, {refs[0]}).score == doctest::Approx(100.0).epsilon(1e-12));
  CHECK(corpus_bleu({hyps[1]}, {refs[1]}).score == 0.0);
  const BleuScore s = corpus_bleu(hyps, refs);
  CHECK(s.matches == std::array<int64_t, 4>{6, 5, 4, 3});
  CHECK(s.totals == std::array<int64_t, 4>{9, 7, 5, 3});
  check_precisions(s, 600.0 / 9, 500.0 / 7, 80, 100);
  CHECK(s.score == doctest::Approx(78.5629301801026).epsilon(1e-12));
  CHECK(s.hyp_len == 9);
  CHECK(s.ref_len == 9);
}

TEST_CASE("corpus_bleu tokenizes both sides with 13a and is case-sensitive") {
  // Both sides tokenize to "Hello , world ! How are you ?": 100.
  CHECK(corpus_bleu({"Hello, world! How are you?"}, {"Hello , world ! How are you ?"}).score ==
        doctest::Approx(100.0).epsilon(1e-12));
  // Lowercase hypothesis, 8 tokens each: unigrams , world ! are you ? -> 6/8; bigrams
  // ", world" "world !" "are you" "you ?" -> 4/7; trigrams ", world !" "are you ?" -> 2/6;
  // 4-grams 0/5 -> 100 / (2 * 5) = 10. score = (75 * 57.143 * 33.333 * 10)^(1/4) = 34.5720784641941
  const BleuScore lower =
      corpus_bleu({"hello, world! how are you?"}, {"Hello, world! How are you?"});
  check_precisions(lower, 75, 400.0 / 7, 100.0 / 3, 10);
  CHECK(lower.score == doctest::Approx(34.5720784641941).epsilon(1e-12));
  // Trailing whitespace is stripped before tokenizing, so "d-\n" at the end stays "d-" rather
  // than joining the next line: 4 identical tokens, 100.
  CHECK(corpus_bleu({"a b c d-\n"}, {"a b c d-"}).score == doctest::Approx(100.0).epsilon(1e-12));
}

TEST_CASE("corpus_bleu needs one reference per hypothesis") {
  CHECK_THROWS_AS(corpus_bleu({"a", "b"}, {"a"}), InputError);
  const BleuScore empty = corpus_bleu({}, {});
  CHECK(empty.score == 0.0);
  CHECK(empty.hyp_len == 0);
}

// ---------------------------------------------------------------------------------------------
// Alignment error rate

TEST_CASE("alignment_error_rate follows Och & Ney") {
  const Alignment diagonal = {{0, 0}, {1, 1}};
  // A = S = P: |A∩S| + |A∩P| = 2 + 2 over |A| + |S| = 4 -> AER 0.
  CHECK(alignment_error_rate(diagonal, diagonal, diagonal) == 0.0);
  // A = {0-0, 1-2}, S = {0-0, 1-1}, P = S + {1-2}: (1 + 2) / (2 + 2) -> 1 - 3/4 = 0.25.
  CHECK(alignment_error_rate({{0, 0}, {1, 2}}, diagonal, {{0, 0}, {1, 1}, {1, 2}}) == 0.25);
  // A = {0-0, 1-1, 2-2}, S = {0-0}, P = {0-0, 1-1}: (1 + 2) / (3 + 1) -> 0.25.
  CHECK(alignment_error_rate({{0, 0}, {1, 1}, {2, 2}}, {{0, 0}}, {{0, 0}, {1, 1}}) == 0.25);
  // Disjoint: 1 - 0 / 2 = 1.
  CHECK(alignment_error_rate({{0, 1}}, {{0, 0}}, {{0, 0}}) == 1.0);
  // Nothing predicted: 1 - 0 / |S| = 1; nothing predicted nor sure: 0.
  CHECK(alignment_error_rate({}, diagonal, diagonal) == 1.0);
  CHECK(alignment_error_rate({}, {}, {}) == 0.0);
  // A repeated link counts once: as A = {0-0}, S = {0-0, 1-1}: (1 + 1) / (1 + 2) -> 1/3.
  CHECK(alignment_error_rate({{0, 0}, {0, 0}}, diagonal, diagonal) ==
        doctest::Approx(1.0 / 3).epsilon(1e-15));
  // A sure link is possible even when P omits it: A = S = {0-0}, P = {} -> (1 + 1) / 2 -> 0.
  CHECK(alignment_error_rate({{0, 0}}, {{0, 0}}, {}) == 0.0);

  const AlignmentCounts c =
      alignment_counts({{0, 0}, {1, 2}, {2, 2}}, diagonal, {{0, 0}, {1, 1}, {1, 2}});
  CHECK(c.predicted == 3);
  CHECK(c.sure == 2);
  CHECK(c.predicted_sure == 1);
  CHECK(c.predicted_possible == 2);
  CHECK(c.error_rate() == doctest::Approx(1.0 - 3.0 / 5).epsilon(1e-15));
}

TEST_CASE("corpus AER sums the counts before dividing") {
  // Sentence 1: A = S = {0-0}: counts |A| 1, |S| 1, |A∩S| 1, |A∩P| 1 -> AER 0.
  // Sentence 2: A = {0-0, 1-1, 2-2}, S = P = {0-1, 1-0, 2-2}: |A∩S| = |A∩P| = 1 over 3 + 3
  //             -> AER 1 - 2/6 = 2/3.
  // Mean of the two: 1/3. Corpus: (1 + 1 + 1 + 1) / (1 + 1 + 3 + 3) = 4/8 -> AER 0.5.
  const std::vector<Alignment> predicted = {{{0, 0}}, {{0, 0}, {1, 1}, {2, 2}}};
  const std::vector<Alignment> sure = {{{0, 0}}, {{0, 1}, {1, 0}, {2, 2}}};
  CHECK(alignment_error_rate(predicted[1], sure[1], sure[1]) ==
        doctest::Approx(2.0 / 3).epsilon(1e-15));
  CHECK(corpus_alignment_error_rate(predicted, sure) == 0.5);
  CHECK(corpus_alignment_error_rate(predicted, sure, sure) == 0.5);
  // With possible links: sentence 2's P adds 1-1, so |A∩P| = 2: (1 + 1 + 1 + 2) / 8 -> 3/8.
  const std::vector<Alignment> possible = {{{0, 0}}, {{0, 1}, {1, 0}, {1, 1}, {2, 2}}};
  CHECK(corpus_alignment_error_rate(predicted, sure, possible) == 0.375);
  CHECK_THROWS_AS(corpus_alignment_error_rate(predicted, {sure[0]}), InputError);
  CHECK_THROWS_AS(corpus_alignment_error_rate(predicted, sure, {sure[0]}), InputError);
}

// ---------------------------------------------------------------------------------------------
// Links read off cross-attention

TEST_CASE("attention_links takes the argmax over the source words of each target word's row") {
  // 2 source words + <eos> (columns), <bos> + 2 target words (rows); row j predicts target
  // word j, the last row predicts <eos>.
  Matrix cross(3, 3);
  cross << 0.1f, 0.7f, 0.2f,  // target word 0 -> source word 1
      0.3f, 0.2f, 0.5f,       // the <eos> column is largest but excluded -> source word 0
      0.0f, 0.0f, 1.0f;       // the <eos> row: no link
  CHECK(attention_links(cross, 2, 2) == Alignment{{1, 0}, {0, 1}});

  // Ties go to the lowest column.
  Matrix tie(2, 4);
  tie << 0.3f, 0.3f, 0.3f, 0.1f,  //
      0.25f, 0.25f, 0.25f, 0.25f;
  CHECK(attention_links(tie, 3, 1) == Alignment{{0, 0}});

  // No source words: nothing to link to. No target words: no links.
  CHECK(attention_links(Matrix::Ones(3, 1), 0, 2).empty());
  CHECK(attention_links(Matrix::Ones(1, 3), 2, 0).empty());

  // The shape must be (target_words + 1, source_words + 1).
  CHECK_THROWS_AS(attention_links(cross, 3, 2), InputError);
  CHECK_THROWS_AS(attention_links(cross, 2, 3), InputError);
  CHECK_THROWS_AS(attention_links(cross, -1, 2), InputError);
}

// ---------------------------------------------------------------------------------------------
// evaluate()

namespace {

// A links each target word j to source word min(j, source_words - 1).
Alignment clamped_diagonal(int source_words, int target_words) {
  Alignment links;
  for (int j = 0; j < target_words; ++j)
    links.emplace_back(std::min(j, source_words - 1), j);
  return links;
}

// The model's own translation, as the text detokenize_target prints.
std::string own_translation(const ModelBundle& bundle, const std::string& source, int beam) {
  DecodeOptions options;
  options.beam = beam;
  return bundle.detokenize_target(
      translate_ids(bundle.model, bundle.source_ids(source), options).ids);
}

// Pairs on the random model's vocabulary: written references (one with a word the target
// vocabulary lacks) and references that are the model's own output, so that some match.
std::vector<SentencePair> test_pairs(const ModelBundle& bundle, int beam) {
  std::vector<SentencePair> pairs = {
      {"the cat eats the fish .", "le chat mange le poisson .", {}},
      {"a dog", own_translation(bundle, "a dog", beam), {}},
      {"the girl sees a bird .", "la fille voit un oiseau .", {}},
      {"hello", "bonjour zébulon", {}},
      {"we read", own_translation(bundle, "we read", beam), {}},
      {"The Little Black Cat", "Le petit chat noir", {}},
      {"i like the book", "j'aime le livre", {}},
      {"thanks", "merci", {}},
  };
  for (SentencePair& p : pairs) {
    p.alignment = clamped_diagonal(static_cast<int>(Tokenizer::split(p.source, true).size()),
                                   static_cast<int>(Tokenizer::split(p.target, true).size()));
  }
  return pairs;
}

// What evaluate() should report, computed one sentence at a time with the public API.
struct Expected {
  int exact = 0;
  int unknown = 0;
  BleuScore bleu;
  std::vector<std::string> failures;
  std::vector<std::vector<Alignment>> head_links;  // [sentence][layer * nhead + head]
  std::vector<std::vector<Alignment>> mean_links;  // [sentence][layer]
};

Expected expected_report(const ModelBundle& bundle, const std::vector<SentencePair>& pairs,
                         int beam) {
  const Config& c = bundle.model.config();
  Expected e;
  std::vector<std::string> hyps, refs;
  for (const SentencePair& p : pairs) {
    DecodeOptions options;
    options.beam = beam;
    const std::vector<int> src = bundle.source_ids(p.source);
    const Translation t = translate_ids(bundle.model, src, options);
    std::vector<std::string> tokens;
    for (int id : t.ids)
      tokens.push_back(bundle.tgt_vocab.token(id));
    const std::vector<std::string> reference = Tokenizer::split(p.target, c.lowercase);
    Tokenized target;
    const std::vector<int> tgt = bundle.target_ids(p.target, &target);
    e.unknown += target.unknown.empty() ? 0 : 1;
    hyps.push_back(bundle.detokenize_target(t.ids));
    refs.push_back(Tokenizer::detokenize(reference));
    if (tokens == reference) {
      ++e.exact;
    } else if (e.failures.size() < 5) {
      e.failures.push_back(p.source + " => " + hyps.back() + " | " + refs.back());
    }
    const Trace trace = bundle.model.trace(src, tgt);
    const int sw = static_cast<int>(src.size()) - 1, tw = static_cast<int>(tgt.size()) - 1;
    e.head_links.emplace_back();
    e.mean_links.emplace_back();
    for (int l = 0; l < c.num_decoder_layers; ++l) {
      Matrix mean = Matrix::Zero(tw + 1, sw + 1);
      for (int h = 0; h < c.nhead; ++h) {
        e.head_links.back().push_back(
            attention_links(trace.attention(AttentionKind::kCross, l, h), sw, tw));
        mean += trace.attention(AttentionKind::kCross, l, h);
      }
      e.mean_links.back().push_back(attention_links(mean / static_cast<float>(c.nhead), sw, tw));
    }
  }
  e.bleu = corpus_bleu(hyps, refs);
  return e;
}

void check_same_report(const EvalReport& a, const EvalReport& b) {
  CHECK(a.sentences == b.sentences);
  CHECK(a.exact == b.exact);
  CHECK(a.exact_match == b.exact_match);
  CHECK(a.unknown_references == b.unknown_references);
  CHECK(a.bleu.score == b.bleu.score);
  CHECK(a.bleu.precisions == b.bleu.precisions);
  CHECK(a.bleu.matches == b.bleu.matches);
  CHECK(a.bleu.totals == b.bleu.totals);
  CHECK(a.bleu.hyp_len == b.bleu.hyp_len);
  CHECK(a.bleu.ref_len == b.bleu.ref_len);
  CHECK(a.has_alignments == b.has_alignments);
  CHECK(a.head_aer == b.head_aer);
  CHECK(a.layer_mean_aer == b.layer_mean_aer);
  CHECK(a.failures == b.failures);
}

}  // namespace

TEST_CASE("evaluate agrees with translating and tracing each pair by hand") {
  const ModelBundle bundle = load_model_dir(kRandomModel);
  const Config& c = bundle.model.config();
  for (int beam : {1, 3}) {
    CAPTURE(beam);
    const std::vector<SentencePair> pairs = test_pairs(bundle, beam);
    const Expected e = expected_report(bundle, pairs, beam);
    // The two references that are the model's own output match; nothing else can.
    REQUIRE(e.exact == 2);
    REQUIRE(e.unknown == 2);  // "zébulon", "j'aime"

    EvalOptions options;
    options.beam = beam;
    const EvalReport r = evaluate(bundle, pairs, options);
    CHECK(r.sentences == 8);
    CHECK(r.exact == 2);
    CHECK(r.exact_match == 0.25);
    CHECK(r.unknown_references == 2);
    CHECK(r.bleu.score == e.bleu.score);
    CHECK(r.bleu.matches == e.bleu.matches);
    CHECK(r.bleu.totals == e.bleu.totals);
    CHECK(r.bleu.hyp_len == e.bleu.hyp_len);
    CHECK(r.bleu.ref_len == e.bleu.ref_len);
    CHECK(r.bleu.score > 0.0);  // the two exact sentences alone give matches of every order
    CHECK(r.failures == e.failures);
    REQUIRE(r.failures.size() == 5);
    CHECK(r.failures[0].rfind("the cat eats the fish . => ", 0) == 0);
    CHECK(ends_with(r.failures[0], " | le chat mange le poisson."));
    // The reference side is lowercased and respaced as the tokenizer splits it.
    CHECK(r.failures[3].rfind("The Little Black Cat => ", 0) == 0);
    CHECK(ends_with(r.failures[3], " | le petit chat noir"));

    REQUIRE(r.has_alignments);
    REQUIRE(r.head_aer.size() == static_cast<size_t>(c.num_decoder_layers));
    REQUIRE(r.layer_mean_aer.size() == static_cast<size_t>(c.num_decoder_layers));
    for (int l = 0; l < c.num_decoder_layers; ++l) {
      REQUIRE(r.head_aer[l].size() == static_cast<size_t>(c.nhead));
      std::vector<Alignment> truth, mean;
      for (size_t i = 0; i < pairs.size(); ++i) {
        truth.push_back(pairs[i].alignment);
        mean.push_back(e.mean_links[i][l]);
      }
      for (int h = 0; h < c.nhead; ++h) {
        CAPTURE(l);
        CAPTURE(h);
        std::vector<Alignment> predicted;
        for (size_t i = 0; i < pairs.size(); ++i)
          predicted.push_back(e.head_links[i][l * c.nhead + h]);
        CHECK(r.head_aer[l][h] == corpus_alignment_error_rate(predicted, truth));
        CHECK(r.head_aer[l][h] >= 0.0);
        CHECK(r.head_aer[l][h] <= 1.0);
      }
      CHECK(r.layer_mean_aer[l] == corpus_alignment_error_rate(mean, truth));
      CHECK(r.layer_mean_aer[l] >= 0.0);
      CHECK(r.layer_mean_aer[l] <= 1.0);
    }
  }
}

TEST_CASE("evaluate gives the same report on any number of threads") {
  const ModelBundle bundle = load_model_dir(kRandomModel);
  std::vector<SentencePair> pairs;
  for (int copy = 0; copy < 3; ++copy) {
    for (const SentencePair& p : test_pairs(bundle, 1))
      pairs.push_back(p);
  }
  set_num_threads(2);
  EvalOptions options;
  options.max_examples = 100;
  const EvalReport one = evaluate(bundle, pairs, options);
  options.threads = 2;
  const EvalReport two = evaluate(bundle, pairs, options);
  options.threads = 5;
  const EvalReport five = evaluate(bundle, pairs, options);
  check_same_report(one, two);
  check_same_report(one, five);
  CHECK(one.exact == 6);
  CHECK(one.failures.size() == 18);
  // The model's own thread budget is restored afterwards.
  CHECK(num_threads() == 2);
  set_num_threads(1);
}

TEST_CASE("evaluate without alignments, and its errors") {
  const ModelBundle bundle = load_model_dir(kRandomModel);
  std::vector<SentencePair> pairs = test_pairs(bundle, 1);
  pairs[2].alignment.clear();  // one pair without an alignment: no AER for the set
  EvalOptions options;
  options.max_examples = 2;
  const EvalReport r = evaluate(bundle, pairs, options);
  CHECK(!r.has_alignments);
  CHECK(r.head_aer.empty());
  CHECK(r.layer_mean_aer.empty());
  CHECK(r.exact == 2);
  CHECK(r.failures.size() == 2);
  CHECK(r.bleu.hyp_len > 0);
  CHECK(r.seconds >= 0.0);

  CHECK_THROWS_AS(evaluate(bundle, {}, options), InputError);
  options.beam = 0;
  CHECK_THROWS_AS(evaluate(bundle, pairs, options), InputError);
  options.beam = 1;
  options.threads = 0;
  CHECK_THROWS_AS(evaluate(bundle, pairs, options), InputError);
  options.threads = 2;

  // A link beyond the sentence's tokens names the pair.
  std::vector<SentencePair> bad = test_pairs(bundle, 1);
  bad[1].alignment.emplace_back(7, 0);
  bad[4].alignment.emplace_back(0, 99);
  try {
    evaluate(bundle, bad, options);
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("pair 1: alignment link 7-0") != std::string::npos);
  }

  // A sentence longer than the model's max_positions fails in the model, with its message.
  std::string long_source;
  for (int i = 0; i < bundle.model.config().max_positions + 1; ++i)
    long_source += "the ";
  std::vector<SentencePair> too_long = {{"the cat", "le chat", {}}, {long_source, "le", {}}};
  CHECK_THROWS_AS(evaluate(bundle, too_long, options), InputError);
}
