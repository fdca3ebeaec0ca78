// The grammar's rules (determiners, antecedents, what makes a sentence hard) and the
// Realizer, where every French rule of the toy language lives (toy_grammar.h).
#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "attnscope/tasks.h"
#include "task_common.h"
#include "toy_grammar.h"

namespace attnscope::toy {
namespace {

using detail::join;
using detail::split_spaces;

bool starts_with(const std::string& text, const char* prefix) {
  return text.compare(0, std::char_traits<char>::length(prefix), prefix) == 0;
}

// Whether a French word starts with a vowel sound, which decides elision (l', d', n', j')
// and the forms cet, mon/son, bel/vieil/nouvel. An h is mute in the words listed and
// aspirated elsewhere ("l'homme" but "le hibou").
bool french_vowel_sound(const std::string& word) {
  static const char* const kVowels[] = {"a", "e", "i", "o", "u", "à", "â", "é", "è",
                                        "ê", "ë", "î", "ï", "ô", "û", "ù", "œ"};
  static const char* const kMuteH[] = {"habit", "herbe",  "heure", "histoire", "hiver",
                                       "homme", "hôpita", "hôtel", "horloge",  "huile"};
  for (const char* v : kVowels)
    if (starts_with(word, v)) return true;
  for (const char* h : kMuteH)
    if (starts_with(word, h)) return true;
  return false;
}

// "an" rather than "a". No word of the lexicon starts with a "yoo" u or a silent h.
bool english_vowel_sound(const std::string& word) {
  return !word.empty() && std::string("aeiou").find(word[0]) != std::string::npos;
}

}  // namespace

bool det_allowed(Det det, NpRole role, const Noun& noun, bool plural) {
  const bool mass = noun.tags & kMass;
  if (plural && !noun.en_plural) return false;
  if ((noun.tags & kUnique) && det != Det::kThe) return false;
  // "some", "any" and no determiner at all take a plural or a mass noun.
  const bool plural_or_mass = plural || mass;
  switch (det) {
    case Det::kThe:
      return true;
    case Det::kA:
      return !plural_or_mass && role != NpRole::kPreferenceObject && role != NpRole::kWhere &&
             role != NpRole::kWithoutObject;
    case Det::kSome:
      return plural_or_mass && (role == NpRole::kObject || role == NpRole::kPrepObject ||
                                (role == NpRole::kSubject && plural));
    case Det::kAny:
      return plural_or_mass && role == NpRole::kNegatedObject;
    case Det::kBare:
      return plural_or_mass && role == NpRole::kPreferenceObject;
    default:
      return true;  // this/these and the possessives
  }
}

Antecedent antecedent_of(const Subject& subject) {
  Antecedent a;
  if (subject.pronoun != Pronoun::kNone || subject.nouns.empty()) return a;
  a.feminine = true;
  for (const NounPhrase& np : subject.nouns) {
    a.feminine = a.feminine && kNouns[np.noun].gender == 'f';
    a.nouns.push_back(np.noun);
  }
  const Tags tags = kNouns[a.nouns[0]].tags;
  if (subject.nouns.size() > 1 || subject.nouns[0].plural) {
    a.pronoun = Pronoun::kThey;
  } else if (tags & kMale) {
    a.pronoun = Pronoun::kHe;
  } else if (tags & kFemale) {
    a.pronoun = Pronoun::kShe;
  } else if (!(tags & kPerson)) {
    a.pronoun = Pronoun::kIt;
  }  // "the teacher": English would need "he or she"
  return a;
}

std::vector<int> subject_nouns(const Subject& subject, const Antecedent* antecedent) {
  std::vector<int> nouns;
  if (subject.pronoun != Pronoun::kNone) {
    if (antecedent && antecedent->pronoun == subject.pronoun) nouns = antecedent->nouns;
    return nouns;
  }
  for (const NounPhrase& np : subject.nouns)
    nouns.push_back(np.noun);
  return nouns;
}

std::string hard_reason(const Sentence& s) {
  std::string reason;
  auto check = [&](int noun, int adjective) {
    if (reason.empty() && adjective >= 0 && withheld(noun, adjective)) {
      reason =
          std::string("withheld pair '") + kAdjectives[adjective].en + " " + kNouns[noun].en + "'";
    }
  };
  std::function<void(const NounPhrase&)> visit = [&](const NounPhrase& np) {
    for (int a : np.adjectives)
      check(np.noun, a);
    for (const NounPhrase& complement : np.of)
      visit(complement);
  };
  if (s.where) visit(*s.where);
  for (size_t i = 0; i < s.clauses.size(); ++i) {
    const Clause& c = s.clauses[i];
    for (const NounPhrase& np : c.subject.nouns)
      visit(np);
    if (c.verb < 0) {  // "the house is old"
      const Antecedent antecedent = i > 0 ? antecedent_of(s.clauses[0].subject) : Antecedent();
      for (int noun : subject_nouns(c.subject, &antecedent))
        check(noun, c.adjective);
    }
    for (const NounPhrase& np : c.objects)
      visit(np);
    if (c.recipient) visit(*c.recipient);
    if (c.prep_object) visit(*c.prep_object);
  }
  if (reason.empty() && s.clauses.size() == 2 && s.clauses[0].negated && s.clauses[1].negated) {
    reason = "two negated clauses";
  }
  return reason;
}

void Realizer::fr(const std::string& text, std::vector<int> src, Role role) {
  Piece piece;
  piece.text = text;
  piece.src = std::move(src);
  piece.role = role;
  // The words of the lexicon that change before a vowel sound (adjectives set their own).
  if (text == "de" || text == "ne" || text == "je") {
    piece.before_vowel = text.substr(0, 1) + "'";
    piece.glue = true;
  } else if (role == Role::kArticle && (text == "le" || text == "la")) {
    piece.before_vowel = "l'";
    piece.glue = true;
  } else if (text == "ce") {
    piece.before_vowel = "cet";
  } else if (text == "ma") {
    piece.before_vowel = "mon";
  } else if (text == "sa") {
    piece.before_vowel = "son";
  }
  fr_.push_back(std::move(piece));
}

void Realizer::determiner(Det det, NpRole role, bool feminine, bool plural, bool mass,
                          bool adjective_first, int det_word, int noun_word) {
  if (role == NpRole::kNegatedObject && (det == Det::kA || det == Det::kAny)) {
    fr("de", {det_word});
    return;
  }
  switch (det) {
    case Det::kThe:
    case Det::kBare:  // the article French needs links to the noun English has
      fr(plural     ? "les"
         : feminine ? "la"
                    : "le",
         {det == Det::kThe ? det_word : noun_word}, Role::kArticle);
      return;
    case Det::kA:
      fr(feminine ? "une" : "un", {det_word});
      return;
    case Det::kSome:
      if (mass) {  // partitive: du, de la, de l'
        fr("de", {det_word}, Role::kDe);
        fr(feminine ? "la" : "le", {det_word}, Role::kArticle);
      } else if (adjective_first) {  // "de petits chats"
        fr("de", {det_word});
      } else {
        fr("des", {det_word}, Role::kIndefinitePlural);
      }
      return;
    case Det::kAny:  // only in negated objects, handled above
      return;
    case Det::kThis:
      fr(plural ? "ces" : feminine ? "cette" : "ce", {det_word});
      return;
    case Det::kMy:
      fr(plural ? "mes" : feminine ? "ma" : "mon", {det_word});
      return;
    case Det::kYour:
      fr(plural ? "vos" : "votre", {det_word});
      return;
    case Det::kHis:
    case Det::kHer:  // French agrees with the thing owned, not the owner
      fr(plural ? "ses" : feminine ? "sa" : "son", {det_word});
      return;
    case Det::kOur:
      fr(plural ? "nos" : "notre", {det_word});
      return;
    case Det::kTheir:
      fr(plural ? "leurs" : "leur", {det_word});
      return;
  }
}

bool Realizer::noun_phrase(const NounPhrase& np, NpRole role, Agreement* agreement) {
  if (np.noun < 0 || np.noun >= kNounCount) return false;
  const Noun& noun = kNouns[np.noun];
  if (!det_allowed(np.det, role, noun, np.plural)) return false;
  if (np.adjectives.size() > 2) return false;
  for (int a : np.adjectives)
    if (a < 0 || a >= kAdjectiveCount) return false;
  std::vector<int> adjectives = np.adjectives;
  std::stable_sort(adjectives.begin(), adjectives.end(),
                   [](int a, int b) { return kAdjectives[a].rank < kAdjectives[b].rank; });
  if (adjectives.size() == 2) {
    const Adjective& a = kAdjectives[adjectives[0]];
    const Adjective& b = kAdjectives[adjectives[1]];
    if (a.rank == b.rank || a.before_noun == b.before_noun) return false;
  }
  if (np.of.size() > 1 || (!np.of.empty() && role == NpRole::kOfComplement)) return false;

  const bool feminine = noun.gender == 'f';
  const int form = (np.plural ? 2 : 0) + (feminine ? 1 : 0);
  const DetInfo& det = det_info(np.det);
  const int det_word = np.det == Det::kBare ? -1 : en(np.plural ? det.en_plural : det.en);
  std::vector<int> adjective_words;
  bool adjective_first = false;
  for (int a : adjectives) {
    adjective_words.push_back(en(kAdjectives[a].en));
    adjective_first = adjective_first || kAdjectives[a].before_noun;
  }
  const int noun_word = en(np.plural ? noun.en_plural : noun.en);

  determiner(np.det, role, feminine, np.plural, noun.tags & kMass, adjective_first, det_word,
             noun_word);
  for (size_t i = 0; i < adjectives.size(); ++i) {
    const Adjective& a = kAdjectives[adjectives[i]];
    if (!a.before_noun) continue;
    fr(a.fr[form], {adjective_words[i]});
    if (form == 0 && a.before_vowel) fr_.back().before_vowel = a.before_vowel;
  }
  fr(np.plural ? noun.fr_plural : noun.fr, {noun_word});
  for (size_t i = 0; i < adjectives.size(); ++i) {
    const Adjective& a = kAdjectives[adjectives[i]];
    if (!a.before_noun) fr(a.fr[form], {adjective_words[i]});
  }
  if (!np.of.empty()) {
    fr("de", {en("of")}, Role::kDe);
    if (!noun_phrase(np.of[0], NpRole::kOfComplement, nullptr)) return false;
  }
  if (agreement) *agreement = {np.plural ? 4 : 1, feminine, np.plural};
  return true;
}

bool Realizer::subject(const Subject& s, const Antecedent* antecedent, Agreement* agreement) {
  if (s.pronoun != Pronoun::kNone) {
    if (!s.nouns.empty()) return false;
    const PronounInfo& p = pronoun_info(s.pronoun);
    bool feminine = s.pronoun == Pronoun::kShe;
    if ((s.pronoun == Pronoun::kIt || s.pronoun == Pronoun::kThey) && antecedent &&
        antecedent->pronoun == s.pronoun) {
      feminine = antecedent->feminine;
    }
    std::string french = p.fr;
    if (feminine && s.pronoun == Pronoun::kIt) french = "elle";
    if (feminine && s.pronoun == Pronoun::kThey) french = "elles";
    fr(french, {en(p.en)});
    *agreement = {p.person, feminine, p.person >= 2};
    return true;
  }
  if (s.nouns.empty() || s.nouns.size() > 2) return false;
  if (!noun_phrase(s.nouns[0], NpRole::kSubject, agreement)) return false;
  if (s.nouns.size() == 2) {
    fr("et", {en("and")});
    Agreement second;
    if (!noun_phrase(s.nouns[1], NpRole::kSubject, &second)) return false;
    *agreement = {4, agreement->feminine && second.feminine, true};
  }
  return true;
}

bool Realizer::clause(const Clause& c, const Antecedent* antecedent) {
  if (c.end_adverb != Adverb::kNone && adverb_info(c.end_adverb).before_verb) return false;
  if (c.prep_object.has_value() != (c.prep != Prep::kNone)) return false;
  return c.verb < 0 ? copula_clause(c, antecedent) : verb_clause(c, antecedent);
}

bool Realizer::verb_clause(const Clause& c, const Antecedent* antecedent) {
  if (c.verb >= kVerbCount || c.adjective >= 0 || c.very) return false;
  const Verb& v = kVerbs[c.verb];
  if (!v.object && !c.objects.empty()) return false;
  if (v.object && c.objects.empty() && !(v.flags & kOptionalObject)) return false;
  // A negated clause has one object: "ne ... ni ... ni" is beyond this grammar.
  if (c.objects.size() > 2 || (c.objects.size() == 2 && c.negated)) return false;
  if (c.objects.size() == 2 && c.object_conj == Conj::kBut) return false;
  if (c.recipient && (!(v.flags & kRecipient) || c.objects.empty())) return false;
  if (c.prep != Prep::kNone && !(v.modifiers & bit(c.prep))) return false;
  if ((v.flags & kNeedsPlace) && !(bit(c.prep) & kModLoc)) return false;
  if ((v.flags & kNeedsDestination) && c.prep != Prep::kTo) return false;
  if (c.pre_adverb != Adverb::kNone && (c.negated || !adverb_info(c.pre_adverb).before_verb)) {
    return false;
  }

  Agreement agreement;
  if (!subject(c.subject, antecedent, &agreement)) return false;
  const int adverb_word = c.pre_adverb == Adverb::kNone ? -1 : en(adverb_info(c.pre_adverb).en);
  const bool third_singular = agreement.person == 1;
  std::vector<int> verb_words;  // "does", the verb and its particle: one French verb
  int not_word = -1;
  if (c.negated) {
    verb_words.push_back(en(third_singular ? "does" : "do"));
    not_word = en("not");
    verb_words.push_back(en(v.en));
  } else {
    verb_words.push_back(en(third_singular ? v.en_third : v.en));
  }
  if (v.particle) verb_words.push_back(en(v.particle));
  if (c.negated) fr("ne", {not_word});
  fr(v.fr[agreement.person], verb_words);
  if (c.negated) fr("pas", {not_word});
  if (adverb_word >= 0) fr(adverb_info(c.pre_adverb).fr, {adverb_word});

  const NpRole object_role = (v.flags & kPreference) ? NpRole::kPreferenceObject
                             : c.negated             ? NpRole::kNegatedObject
                                                     : NpRole::kObject;
  for (size_t i = 0; i < c.objects.size(); ++i) {
    if (i == 1) {
      const int conj = static_cast<int>(c.object_conj);
      fr(kConjFr[conj], {en(kConjEn[conj])});
    }
    if (!noun_phrase(c.objects[i], object_role, nullptr)) return false;
  }
  if (c.recipient) {
    fr("à", {en("to")}, Role::kA);
    if (!noun_phrase(*c.recipient, NpRole::kPrepObject, nullptr)) return false;
  }
  if (c.prep_object && !modifier(c.prep, *c.prep_object, v.destination)) return false;
  end_adverb(c.end_adverb);
  return true;
}

bool Realizer::copula_clause(const Clause& c, const Antecedent* antecedent) {
  if (!c.objects.empty() || c.recipient || c.pre_adverb != Adverb::kNone) return false;
  // French would need to know whether "i" or "you" is a man or a woman.
  if (c.subject.pronoun == Pronoun::kI || c.subject.pronoun == Pronoun::kYou ||
      c.subject.pronoun == Pronoun::kWe) {
    return false;
  }
  const bool has_adjective = c.adjective >= 0 && c.adjective < kAdjectiveCount;
  const bool has_place = c.prep_object.has_value();
  if (has_adjective == has_place || (c.very && !has_adjective)) return false;
  if (has_place && !(bit(c.prep) & kModLoc)) return false;

  Agreement agreement;
  if (!subject(c.subject, antecedent, &agreement)) return false;
  const int is_word = en(agreement.plural ? "are" : "is");
  const int not_word = c.negated ? en("not") : -1;
  if (c.negated) fr("ne", {not_word});
  fr(agreement.plural ? "sont" : "est", {is_word});
  if (c.negated) fr("pas", {not_word});
  if (has_adjective) {
    if (c.very) fr("très", {en("very")});
    const Adjective& a = kAdjectives[c.adjective];
    fr(a.fr[(agreement.plural ? 2 : 0) + (agreement.feminine ? 1 : 0)], {en(a.en)});
  } else if (!modifier(c.prep, *c.prep_object, nullptr)) {
    return false;
  }
  end_adverb(c.end_adverb);
  return true;
}

bool Realizer::modifier(Prep prep, const NounPhrase& np, const char* destination) {
  const PrepInfo& info = prep_info(prep);
  const char* french = prep == Prep::kTo ? destination : info.fr;
  if (!french) return false;
  std::vector<int> words;
  for (const std::string& w : split_spaces(info.en))
    words.push_back(en(w));
  const std::vector<std::string> parts = split_spaces(french);
  for (size_t i = 0; i < parts.size(); ++i) {
    Role role = Role::kNone;
    if (i + 1 == parts.size()) {  // the word that meets the article: près de, à, jusqu'à
      if (parts[i] == "de") role = Role::kDe;
      if (parts[i] == "à") role = Role::kA;
      if (parts[i] == "jusqu'à") role = Role::kJusqua;
    }
    fr(parts[i], words, role);
  }
  NpRole role = NpRole::kPlace;
  if (prep == Prep::kWith || prep == Prep::kFor) role = NpRole::kPrepObject;
  if (prep == Prep::kWithout) role = NpRole::kWithoutObject;
  return noun_phrase(np, role, nullptr);
}

void Realizer::end_adverb(Adverb adverb) {
  if (adverb == Adverb::kNone) return;
  if (adverb == Adverb::kEveryDay) {  // every -> tous les, day -> jours
    const int every = en("every");
    const int day = en("day");
    fr("tous", {every});
    fr("les", {every});
    fr("jours", {day});
    return;
  }
  const AdverbInfo& info = adverb_info(adverb);
  fr(info.fr, {en(info.en)});
}

bool Realizer::sentence(const Sentence& s) {
  switch (s.shape) {
    case Shape::kFixed: {
      if (s.fixed < 0 || s.fixed >= kFixedCount) return false;
      const FixedPhrase& phrase = kFixedPhrases[s.fixed];
      en_ = lexicon().fixed[s.fixed];
      for (const std::string& word : split_spaces(phrase.fr)) {
        fr_.emplace_back();
        fr_.back().text = word;  // as written: no sound rule applies to a fixed phrase
      }
      for (const auto& [source, target] : parse_alignment(phrase.alignment))
        fr_[target].src.push_back(source);
      return true;
    }
    case Shape::kWhere: {
      if (!s.where) return false;
      const int where = en("where");
      const int is = en(s.where->plural ? "are" : "is");
      fr("où", {where});
      fr(s.where->plural ? "sont" : "est", {is});
      if (!noun_phrase(*s.where, NpRole::kWhere, nullptr)) return false;
      fr("?", {en("?")});
      return true;
    }
    case Shape::kClauses: {
      if (s.clauses.empty() || s.clauses.size() > 2) return false;
      if (!clause(s.clauses[0], nullptr)) return false;
      if (s.clauses.size() == 2) {
        const Antecedent antecedent = antecedent_of(s.clauses[0].subject);
        const int conj = static_cast<int>(s.conj);
        fr(kConjFr[conj], {en(kConjEn[conj])});
        if (!clause(s.clauses[1], &antecedent)) return false;
      }
      fr(".", {en(".")});
      return true;
    }
  }
  return false;
}

SentencePair Realizer::finish() {
  for (size_t i = 0; i + 1 < en_.size(); ++i)
    if (en_[i] == "a" && english_vowel_sound(en_[i + 1])) en_[i] = "an";

  // Right to left, so that each word sees the final form of the next one: "de" must know
  // that "le homme" became "l'homme" (no contraction, no elision: "de l'homme").
  static const std::map<std::string, std::string> kContractions = {
      {"de le", "du"},  {"de les", "des"},          {"à le", "au"},
      {"à les", "aux"}, {"jusqu'à le", "jusqu'au"}, {"jusqu'à les", "jusqu'aux"}};
  auto absorb_next = [this](size_t i) {
    fr_[i].src.insert(fr_[i].src.end(), fr_[i + 1].src.begin(), fr_[i + 1].src.end());
    fr_.erase(fr_.begin() + static_cast<std::ptrdiff_t>(i) + 1);
  };
  for (size_t i = fr_.size() - 1; i-- > 0;) {
    Piece& piece = fr_[i];
    const Piece& next = fr_[i + 1];
    const bool preposition =
        piece.role == Role::kDe || piece.role == Role::kA || piece.role == Role::kJusqua;
    if (preposition && next.role == Role::kArticle && (next.text == "le" || next.text == "les")) {
      piece.text = kContractions.at(piece.text + " " + next.text);
      piece.role = Role::kNone;
      piece.before_vowel.clear();
      absorb_next(i);
      continue;
    }
    if (piece.role == Role::kDe && next.role == Role::kIndefinitePlural) absorb_next(i);
    if (!piece.before_vowel.empty() && i + 1 < fr_.size() && french_vowel_sound(fr_[i + 1].text)) {
      if (piece.glue) {
        piece.text = piece.before_vowel + fr_[i + 1].text;
        piece.role = Role::kNone;
        absorb_next(i);
      } else {
        piece.text = piece.before_vowel;
      }
    }
  }

  SentencePair pair;
  pair.source = join(en_);
  std::vector<std::string> french;
  for (size_t j = 0; j < fr_.size(); ++j) {
    french.push_back(fr_[j].text);
    for (int source : fr_[j].src)
      pair.alignment.emplace_back(source, static_cast<int>(j));
  }
  pair.target = join(french);
  std::sort(pair.alignment.begin(), pair.alignment.end());
  pair.alignment.erase(std::unique(pair.alignment.begin(), pair.alignment.end()),
                       pair.alignment.end());
  return pair;
}

}  // namespace attnscope::toy
