// The Parser of the toy language, toy_translate and toy_hard_reason (tasks.h).
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "attnscope/tasks.h"
#include "attnscope/tokenizer.h"
#include "task_common.h"
#include "toy_grammar.h"

namespace attnscope {
namespace toy {
namespace {

using detail::split_spaces;

// The Parser finds the Sentence behind English tokens by trying every reading (the
// grammar is small, the sentences short) and keeping the first whose realization gives
// back exactly those tokens. That final comparison checks agreement, word order and
// "a"/"an", so the parser itself can be permissive.

class Parser {
 public:
  explicit Parser(std::vector<std::string> tokens) : t_(std::move(tokens)) {}
  bool run();
  const Sentence& sentence() const { return sentence_; }
  const SentencePair& pair() const { return pair_; }

 private:
  using NpNext = std::function<bool(const NounPhrase&, size_t)>;
  using SubjectNext = std::function<bool(const Subject&, size_t)>;
  using ClauseNext = std::function<bool(const Clause&, size_t)>;
  using PrepNext = std::function<bool(Prep, const NounPhrase&, size_t)>;

  const std::string& at(size_t i) const {
    static const std::string kEnd;
    return i < t_.size() ? t_[i] : kEnd;
  }
  bool accept(const Sentence& s);
  bool noun_phrase(size_t pos, bool allow_of, const NpNext& next);
  bool subject(size_t pos, const SubjectNext& next);
  bool clause(size_t pos, const ClauseNext& next);
  bool verb_phrase(size_t pos, const Clause& c, const ClauseNext& next);
  bool after_objects(size_t pos, const Clause& c, const ClauseNext& next);
  bool modifier(size_t pos, const Clause& c, const ClauseNext& next);
  bool end_adverb(size_t pos, const Clause& c, const ClauseNext& next);
  bool prep_phrase(size_t pos, const PrepNext& next);

  std::vector<std::string> t_;
  Sentence sentence_;
  SentencePair pair_;
};

bool Parser::accept(const Sentence& s) {
  Realizer realizer;
  if (!realizer.sentence(s)) return false;
  SentencePair pair = realizer.finish();
  if (realizer.english() != t_) return false;
  sentence_ = s;
  pair_ = std::move(pair);
  return true;
}

bool Parser::noun_phrase(size_t pos, bool allow_of, const NpNext& next) {
  static const std::pair<const char*, Det> kDetWords[] = {
      {"the", Det::kThe},    {"a", Det::kA},       {"an", Det::kA},       {"some", Det::kSome},
      {"any", Det::kAny},    {"this", Det::kThis}, {"these", Det::kThis}, {"my", Det::kMy},
      {"your", Det::kYour},  {"his", Det::kHis},   {"her", Det::kHer},    {"our", Det::kOur},
      {"their", Det::kTheir}};
  std::vector<std::pair<Det, size_t>> starts = {{Det::kBare, pos}};
  for (const auto& [word, det] : kDetWords)
    if (at(pos) == word) starts.push_back({det, pos + 1});
  const Lexicon& lex = lexicon();
  for (const auto& [det, start] : starts) {
    std::vector<int> adjectives;
    for (size_t p = start; adjectives.size() <= 2; ++p) {
      auto noun = lex.nouns.find(at(p));
      if (noun != lex.nouns.end()) {
        for (const auto& [index, plural] : noun->second) {
          NounPhrase np;
          np.det = det;
          np.noun = index;
          np.plural = plural;
          np.adjectives = adjectives;
          if (next(np, p + 1)) return true;
          if (allow_of && at(p + 1) == "of") {
            const bool found = noun_phrase(p + 2, false, [&](const NounPhrase& c, size_t q) {
              NounPhrase whole = np;
              whole.of = {c};
              return next(whole, q);
            });
            if (found) return true;
          }
        }
      }
      auto adjective = lex.adjectives.find(at(p));
      if (adjective == lex.adjectives.end()) break;
      adjectives.push_back(adjective->second);
    }
  }
  return false;
}

bool Parser::subject(size_t pos, const SubjectNext& next) {
  for (const PronounInfo& p : kPronouns) {
    if (at(pos) != p.en) continue;
    Subject s;
    s.pronoun = p.pronoun;
    if (next(s, pos + 1)) return true;
  }
  return noun_phrase(pos, true, [&](const NounPhrase& first, size_t p) {
    Subject s;
    s.nouns = {first};
    if (next(s, p)) return true;
    if (at(p) != "and") return false;
    return noun_phrase(p + 1, true, [&](const NounPhrase& second, size_t q) {
      Subject both;
      both.nouns = {first, second};
      return next(both, q);
    });
  });
}

bool Parser::clause(size_t pos, const ClauseNext& next) {
  return subject(pos, [&](const Subject& s, size_t p) {
    Clause c;
    c.subject = s;
    if (at(p) == "is" || at(p) == "are") {
      size_t q = p + 1;
      c.verb = -1;
      if (at(q) == "not") {
        c.negated = true;
        ++q;
      }
      Clause with_adjective = c;
      size_t r = q;
      if (at(r) == "very") {
        with_adjective.very = true;
        ++r;
      }
      auto adjective = lexicon().adjectives.find(at(r));
      if (adjective != lexicon().adjectives.end()) {
        with_adjective.adjective = adjective->second;
        if (end_adverb(r + 1, with_adjective, next)) return true;
      }
      return prep_phrase(q, [&](Prep prep, const NounPhrase& np, size_t r2) {
        Clause placed = c;
        placed.prep = prep;
        placed.prep_object = np;
        return end_adverb(r2, placed, next);
      });
    }
    if ((at(p) == "do" || at(p) == "does") && at(p + 1) == "not") {
      c.negated = true;
      return verb_phrase(p + 2, c, next);
    }
    for (const AdverbInfo& a : kAdverbs) {
      if (!a.before_verb || at(p) != a.en) continue;
      Clause with_adverb = c;
      with_adverb.pre_adverb = a.adverb;
      if (verb_phrase(p + 1, with_adverb, next)) return true;
    }
    return verb_phrase(p, c, next);
  });
}

bool Parser::verb_phrase(size_t pos, const Clause& c, const ClauseNext& next) {
  auto verbs = lexicon().verbs.find(at(pos));
  if (verbs == lexicon().verbs.end()) return false;
  for (int index : verbs->second) {
    const Verb& v = kVerbs[index];
    size_t q = pos + 1;
    if (v.particle) {
      if (at(q) != v.particle) continue;
      ++q;
    }
    Clause cv = c;
    cv.verb = index;
    if (v.object) {
      const bool found = noun_phrase(q, true, [&](const NounPhrase& first, size_t r) {
        Clause one = cv;
        one.objects = {first};
        if (after_objects(r, one, next)) return true;
        if (at(r) != "and" && at(r) != "or") return false;
        return noun_phrase(r + 1, true, [&](const NounPhrase& second, size_t r2) {
          Clause two = one;
          two.objects.push_back(second);
          two.object_conj = at(r) == "and" ? Conj::kAnd : Conj::kOr;
          return after_objects(r2, two, next);
        });
      });
      if (found) return true;
    }
    if ((!v.object || (v.flags & kOptionalObject)) && after_objects(q, cv, next)) return true;
  }
  return false;
}

bool Parser::after_objects(size_t pos, const Clause& c, const ClauseNext& next) {
  if (at(pos) == "to" && !c.objects.empty() && (kVerbs[c.verb].flags & kRecipient)) {
    const bool found = noun_phrase(pos + 1, true, [&](const NounPhrase& np, size_t q) {
      Clause with_recipient = c;
      with_recipient.recipient = np;
      return modifier(q, with_recipient, next);
    });
    if (found) return true;
  }
  return modifier(pos, c, next);
}

bool Parser::modifier(size_t pos, const Clause& c, const ClauseNext& next) {
  if (end_adverb(pos, c, next)) return true;
  return prep_phrase(pos, [&](Prep prep, const NounPhrase& np, size_t q) {
    Clause modified = c;
    modified.prep = prep;
    modified.prep_object = np;
    return end_adverb(q, modified, next);
  });
}

bool Parser::end_adverb(size_t pos, const Clause& c, const ClauseNext& next) {
  if (next(c, pos)) return true;
  for (const AdverbInfo& a : kAdverbs) {
    if (a.before_verb) continue;
    const std::vector<std::string> words = split_spaces(a.en);
    size_t q = pos;
    bool match = true;
    for (const std::string& w : words)
      match = match && at(q++) == w;
    if (!match) continue;
    Clause with_adverb = c;
    with_adverb.end_adverb = a.adverb;
    if (next(with_adverb, q)) return true;
  }
  return false;
}

bool Parser::prep_phrase(size_t pos, const PrepNext& next) {
  for (const PrepInfo& info : kPreps) {
    const std::vector<std::string> words = split_spaces(info.en);
    size_t q = pos;
    bool match = true;
    for (const std::string& w : words)
      match = match && at(q++) == w;
    if (!match) continue;
    const bool found = noun_phrase(
        q, true, [&](const NounPhrase& np, size_t r) { return next(info.prep, np, r); });
    if (found) return true;
  }
  return false;
}

bool Parser::run() {
  const size_t n = t_.size();
  for (int f = 0; f < kFixedCount; ++f) {
    if (lexicon().fixed[f] != t_) continue;
    Sentence s;
    s.shape = Shape::kFixed;
    s.fixed = f;
    return accept(s);
  }
  if (at(0) == "where" && (at(1) == "is" || at(1) == "are")) {
    const bool found = noun_phrase(2, true, [&](const NounPhrase& np, size_t p) {
      if (p + 1 != n || at(p) != "?") return false;
      Sentence s;
      s.shape = Shape::kWhere;
      s.where = np;
      return accept(s);
    });
    if (found) return true;
  }
  return clause(0, [&](const Clause& first, size_t p) {
    if (p + 1 == n && at(p) == ".") {
      Sentence s;
      s.clauses = {first};
      if (accept(s)) return true;
    }
    for (int conj = 0; conj < 3; ++conj) {
      if (at(p) != kConjEn[conj]) continue;
      const bool found = clause(p + 1, [&](const Clause& second, size_t q) {
        if (q + 1 != n || at(q) != ".") return false;
        Sentence s;
        s.clauses = {first, second};
        s.conj = static_cast<Conj>(conj);
        return accept(s);
      });
      if (found) return true;
    }
    return false;
  });
}

}  // namespace
}  // namespace toy

std::optional<SentencePair> toy_translate(const std::string& english) {
  toy::Parser parser(Tokenizer::split(english, true));
  if (!parser.run()) return std::nullopt;
  return parser.pair();
}

std::string toy_hard_reason(const std::string& english) {
  toy::Parser parser(Tokenizer::split(english, true));
  if (!parser.run()) return "";
  return toy::hard_reason(parser.sentence());
}

}  // namespace attnscope
