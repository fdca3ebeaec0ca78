// The Generator of the toy language and toy_en_fr (tasks.h).
#include <algorithm>
#include <cassert>
#include <cstdint>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "attnscope/error.h"
#include "attnscope/random.h"
#include "attnscope/tasks.h"
#include "task_common.h"
#include "toy_grammar.h"

namespace attnscope {
namespace toy {
namespace {

using detail::Rng;
using detail::split_spaces;

// The Generator samples Sentences that make sense: verbs pick subjects and objects by tag,
// adjectives fit their nouns, prepositions their places.

constexpr int kMaxTokens = 16;

class Generator {
 public:
  Generator(uint64_t seed, bool hard) : rng_(seed), hard_(hard) {}
  // A pair of the split's kind: no withheld combination for train and test, at least one
  // for kHard; both sides 2 to kMaxTokens tokens.
  SentencePair next(Sentence* sentence);

 private:
  Sentence sentence();
  Clause verb_clause(const Antecedent* antecedent, bool negated);
  Clause copula_clause(const Antecedent* antecedent, bool negated);
  void modifier(Clause& c, const Verb& v);
  // `avoid`: the pronoun that would refer back to the previous clause's subject.
  Subject subject(Tags allowed, bool allow_pronoun, Pronoun avoid);
  NounPhrase noun_phrase(Tags any, NpRole role, Tags also = 0);
  std::vector<int> adjectives(int noun, NpRole role, int forced);
  Det determiner(NpRole role, const Noun& noun, bool plural);
  Adverb adverb(bool before_verb);
  // The nouns with a tag in `any` and, unless `also` is 0, one in `also`.
  const std::vector<int>& nouns(Tags any, Tags also);
  bool usable(int noun, int adjective) const { return hard_ || !withheld(noun, adjective); }

  Rng rng_;
  bool hard_;
  bool force_pair_ = false;  // kHard: steer noun phrases towards withheld pairs
  std::map<std::pair<Tags, Tags>, std::vector<int>> noun_cache_;
};

const std::vector<int>& Generator::nouns(Tags any, Tags also) {
  auto [it, inserted] = noun_cache_.try_emplace({any, also});
  if (inserted) {
    for (int n = 0; n < kNounCount; ++n)
      if ((kNouns[n].tags & any) && (!also || (kNouns[n].tags & also))) it->second.push_back(n);
  }
  return it->second;
}

Det Generator::determiner(NpRole role, const Noun& noun, bool plural) {
  int total = 0;
  for (const DetInfo& d : kDets)
    if (det_allowed(d.det, role, noun, plural)) total += d.weight;
  int r = rng_.below(total);  // "the" is always allowed, so total > 0
  for (const DetInfo& d : kDets) {
    if (!det_allowed(d.det, role, noun, plural)) continue;
    if (r < d.weight) return d.det;
    r -= d.weight;
  }
  return Det::kThe;
}

std::vector<int> Generator::adjectives(int noun, NpRole role, int forced) {
  std::vector<int> fits;
  for (int a = 0; a < kAdjectiveCount; ++a)
    if (describes(kAdjectives[a], kNouns[noun].tags) && usable(noun, a) && a != forced) {
      fits.push_back(a);
    }
  int count = 0;
  if (role == NpRole::kOfComplement) {
    count = rng_.chance(0.2) ? 1 : 0;
  } else {
    count = rng_.chance(0.5) ? 0 : rng_.chance(0.76) ? 1 : 2;
  }
  std::vector<int> chosen;
  if (forced >= 0) {
    chosen.push_back(forced);
    count = std::max(count, 1);
  }
  if (static_cast<int>(chosen.size()) < count && chosen.empty() && !fits.empty()) {
    chosen.push_back(rng_.pick(fits));
  }
  if (static_cast<int>(chosen.size()) < count && !chosen.empty()) {
    // One before and one after the noun, as French allows; ranks give the English order.
    const Adjective& first = kAdjectives[chosen[0]];
    std::vector<int> seconds;
    for (int a : fits)
      if (kAdjectives[a].before_noun != first.before_noun && kAdjectives[a].rank != first.rank) {
        seconds.push_back(a);
      }
    if (!seconds.empty()) chosen.push_back(rng_.pick(seconds));
  }
  return chosen;
}

NounPhrase Generator::noun_phrase(Tags any, NpRole role, Tags also) {
  NounPhrase np;
  int forced = -1;
  if (force_pair_ && rng_.chance(0.5)) {
    std::vector<std::pair<int, int>> fits;
    for (const auto& [noun, adjective] : lexicon().withheld) {
      const Tags tags = kNouns[noun].tags;
      if ((tags & any) && (!also || (tags & also))) fits.push_back({noun, adjective});
    }
    if (!fits.empty()) std::tie(np.noun, forced) = rng_.pick(fits);
  }
  if (forced < 0) np.noun = rng_.pick(nouns(any, also));
  const Noun& noun = kNouns[np.noun];
  np.plural = noun.en_plural && !(noun.tags & kMass) && rng_.chance(0.3);
  np.det = determiner(role, noun, np.plural);
  np.adjectives = adjectives(np.noun, role, forced);
  if (role != NpRole::kOfComplement && noun.of_tags && rng_.chance(0.1)) {
    np.of.push_back(noun_phrase(noun.of_tags, NpRole::kOfComplement));
  }
  return np;
}

Subject Generator::subject(Tags allowed, bool allow_pronoun, Pronoun avoid) {
  Subject s;
  if (allow_pronoun && rng_.chance(0.3)) {
    std::vector<Pronoun> fits;
    for (const PronounInfo& p : kPronouns)
      if ((p.tags & allowed) && p.pronoun != avoid) fits.push_back(p.pronoun);
    if (!fits.empty()) {
      s.pronoun = rng_.pick(fits);
      return s;
    }
  }
  s.nouns.push_back(noun_phrase(allowed, NpRole::kSubject));
  if (rng_.chance(0.1)) {
    NounPhrase second = noun_phrase(allowed, NpRole::kSubject);
    if (second.noun != s.nouns[0].noun) s.nouns.push_back(second);
  }
  return s;
}

Adverb Generator::adverb(bool before_verb) {
  std::vector<Adverb> fits;
  for (const AdverbInfo& a : kAdverbs)
    if (a.before_verb == before_verb) fits.push_back(a.adverb);
  return rng_.pick(fits);
}

void Generator::modifier(Clause& c, const Verb& v) {
  std::vector<Prep> options;
  for (const PrepInfo& p : kPreps) {
    if (!(v.modifiers & bit(p.prep))) continue;
    if ((v.flags & kNeedsPlace) && !(kModLoc & bit(p.prep))) continue;
    if ((v.flags & kNeedsDestination) && p.prep != Prep::kTo) continue;
    if (p.place && nouns(p.place, v.places).empty()) continue;  // "swim under": no water
    options.push_back(p.prep);
  }
  if (options.empty()) return;
  c.prep = rng_.pick(options);
  if (c.prep == Prep::kWith || c.prep == Prep::kWithout) {
    const Tags company = (v.flags & kWithToys) ? kLiving | kToy : kLiving;
    c.prep_object =
        noun_phrase(company, c.prep == Prep::kWith ? NpRole::kPrepObject : NpRole::kWithoutObject);
  } else if (c.prep == Prep::kFor) {
    c.prep_object = noun_phrase(kPerson, NpRole::kPrepObject);
  } else {
    c.prep_object = noun_phrase(prep_info(c.prep).place, NpRole::kPlace, v.places);
  }
}

Clause Generator::verb_clause(const Antecedent* antecedent, bool negated) {
  Clause c;
  c.negated = negated;
  // Half the time the second clause's subject is a pronoun for the first one's (the
  // attention of "elle" on "table" is worth seeing), with a verb whose subject fits every
  // noun the pronoun stands for. There may be no such verb: a copular first clause can
  // describe a door, and no verb takes a door as its subject.
  const Pronoun back = antecedent ? antecedent->pronoun : Pronoun::kNone;
  std::vector<int> fitting;
  if (back != Pronoun::kNone && rng_.chance(0.5)) {
    for (int verb = 0; verb < kVerbCount; ++verb) {
      bool fits = true;
      for (int noun : antecedent->nouns)
        fits = fits && (kNouns[noun].tags & kVerbs[verb].subject);
      if (fits) fitting.push_back(verb);
    }
  }
  const bool refer_back = !fitting.empty();
  c.verb = refer_back ? rng_.pick(fitting) : rng_.below(kVerbCount);
  const Verb& v = kVerbs[c.verb];
  if (refer_back) {
    c.subject.pronoun = back;
  } else {  // a pronoun standing alone must not read as referring back
    c.subject = subject(v.subject, true, back);
  }
  if (!negated && rng_.chance(0.1)) c.pre_adverb = adverb(true);
  if (v.object && !((v.flags & kOptionalObject) && rng_.chance(0.25))) {
    const NpRole role = (v.flags & kPreference) ? NpRole::kPreferenceObject
                        : negated               ? NpRole::kNegatedObject
                                                : NpRole::kObject;
    c.objects.push_back(noun_phrase(v.object, role));
    if (!negated && rng_.chance(0.08)) {
      c.object_conj = rng_.chance(0.7) ? Conj::kAnd : Conj::kOr;
      NounPhrase second = noun_phrase(v.object, role);
      if (second.noun != c.objects[0].noun) c.objects.push_back(second);
    }
  }
  if ((v.flags & kRecipient) && !c.objects.empty() && rng_.chance(0.4)) {
    c.recipient = noun_phrase(kLiving, NpRole::kPrepObject);
  }
  const bool required = v.flags & (kNeedsPlace | kNeedsDestination);
  if (!c.recipient && v.modifiers && (required || rng_.chance(v.object ? 0.2 : 0.6))) {
    modifier(c, v);
  }
  if (rng_.chance(0.12)) c.end_adverb = adverb(false);
  return c;
}

Clause Generator::copula_clause(const Antecedent* antecedent, bool negated) {
  Clause c;
  c.negated = negated;
  const Pronoun back = antecedent ? antecedent->pronoun : Pronoun::kNone;
  std::vector<Tags> described;  // tags of what the subject stands for
  if (back != Pronoun::kNone && rng_.chance(0.5)) {
    c.subject.pronoun = back;
  } else if (rng_.chance(0.2)) {  // standing alone, so not the one that would refer back
    std::vector<Pronoun> alone;
    for (Pronoun p : {Pronoun::kHe, Pronoun::kShe, Pronoun::kIt, Pronoun::kThey})
      if (p != back) alone.push_back(p);
    c.subject.pronoun = rng_.pick(alone);
    described = {c.subject.pronoun == Pronoun::kIt ? kAnimal : kPerson};
  } else {
    c.subject = subject(kVisible, false, Pronoun::kNone);
  }
  const std::vector<int> referents = subject_nouns(c.subject, antecedent);
  for (int noun : referents)
    described.push_back(kNouns[noun].tags);
  // "the blue shirt is blue" says nothing: the predicate repeats no adjective of the subject
  // (nor of its "of" complement: "the door of the blue house is blue").
  std::vector<std::string> attributive;
  for (const NounPhrase& np : c.subject.nouns) {
    for (int a : np.adjectives)
      attributive.push_back(kAdjectives[a].fr[0]);
    for (const NounPhrase& complement : np.of)
      for (int a : complement.adjectives)
        attributive.push_back(kAdjectives[a].fr[0]);
  }
  if (rng_.chance(0.75)) {
    std::vector<int> fits, withheld_fits;
    for (int a = 0; a < kAdjectiveCount; ++a) {
      bool fit = std::find(attributive.begin(), attributive.end(), kAdjectives[a].fr[0]) ==
                 attributive.end();
      bool held = false;
      for (Tags tags : described)
        fit = fit && describes(kAdjectives[a], tags);
      for (int noun : referents) {
        fit = fit && usable(noun, a);
        held = held || withheld(noun, a);
      }
      if (fit) fits.push_back(a);
      if (fit && held) withheld_fits.push_back(a);
    }
    if (force_pair_ && !withheld_fits.empty() && rng_.chance(0.6)) fits = withheld_fits;
    if (!fits.empty()) {
      c.adjective = rng_.pick(fits);
      c.very = rng_.chance(0.15);
    }
  }
  if (c.adjective < 0) {
    static const Prep kPlaces[] = {Prep::kIn,     Prep::kOn,        Prep::kUnder, Prep::kNear,
                                   Prep::kBehind, Prep::kInFrontOf, Prep::kAt};
    c.prep = kPlaces[rng_.below(7)];
    c.prep_object = noun_phrase(prep_info(c.prep).place, NpRole::kPlace);
  }
  if (rng_.chance(0.08)) c.end_adverb = adverb(false);
  return c;
}

Sentence Generator::sentence() {
  Sentence s;
  // kHard: half the sentences have the withheld shape, half are steered to withheld pairs.
  const bool hard_shape = hard_ && rng_.chance(0.5);
  force_pair_ = hard_ && !hard_shape;
  if (!hard_ && rng_.chance(0.03)) {
    s.shape = Shape::kFixed;
    s.fixed = rng_.below(kFixedCount);
    return s;
  }
  if (!hard_shape && rng_.chance(0.04)) {
    s.shape = Shape::kWhere;
    s.where = noun_phrase(kLiving | kThing | kFood | kDrink | kPlace, NpRole::kWhere);
    return s;
  }
  const bool two = hard_shape || rng_.chance(0.22);
  // Train and test negate one clause at most: two negated clauses is the withheld shape.
  const bool first_negated = hard_shape || rng_.chance(0.25);
  const bool second_negated = hard_shape || (!first_negated && rng_.chance(0.25));
  auto clause = [&](const Antecedent* antecedent, bool negated) {
    return rng_.chance(0.2) ? copula_clause(antecedent, negated) : verb_clause(antecedent, negated);
  };
  s.clauses.push_back(clause(nullptr, first_negated));
  if (two) {
    s.conj = static_cast<Conj>(rng_.chance(0.5) ? 0 : rng_.chance(0.6) ? 1 : 2);
    const Antecedent antecedent = antecedent_of(s.clauses[0].subject);
    s.clauses.push_back(clause(&antecedent, second_negated));
  }
  return s;
}

SentencePair Generator::next(Sentence* sentence_out) {
  for (;;) {
    Sentence s = sentence();
    Realizer realizer;
    const bool in_grammar = realizer.sentence(s);
    if (!in_grammar) {
      assert(in_grammar && "the generator made a sentence the realizer rejects");
      continue;
    }
    const size_t en = realizer.english().size();
    const size_t fr = realizer.french_size();  // before contraction: an upper bound
    if (en < 2 || en > kMaxTokens || fr < 2) continue;
    SentencePair pair = realizer.finish();
    if (split_spaces(pair.target).size() > kMaxTokens) continue;
    if (hard_reason(s).empty() == hard_) continue;
    if (sentence_out) *sentence_out = std::move(s);
    return pair;
  }
}

}  // namespace
}  // namespace toy

std::vector<SentencePair> toy_en_fr(Split split, int count, uint64_t seed) {
  if (count < 0) {
    throw InputError("toy_en_fr: count " + std::to_string(count) + ", expected 0 or more");
  }
  toy::Generator generator(splitmix64(seed ^ splitmix64(static_cast<uint64_t>(split) + 1)),
                           split == Split::kHard);
  std::vector<SentencePair> pairs;
  pairs.reserve(static_cast<size_t>(count));
  while (pairs.size() < static_cast<size_t>(count)) {
    toy::Sentence sentence;
    SentencePair pair = generator.next(&sentence);
    if (split != Split::kHard) {
      // Fixed phrases can only be learned by heart: they all stay in training.
      const bool test = sentence.shape != toy::Shape::kFixed && detail::in_test_split(pair.source);
      if (test != (split == Split::kTest)) continue;
    }
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

}  // namespace attnscope
