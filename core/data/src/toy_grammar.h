// The grammar of the toy language (tasks.h) and its Realizer.
//
// A toy sentence exists in three forms: a Sentence (which words in which grammatical
// slots), its English tokens and its French tokens with their alignment. The Generator
// samples Sentences, the Parser recovers the Sentence behind an English text, and one
// Realizer turns a Sentence into both languages at once, so that sampling and parsing can
// never disagree about a translation: every French rule lives in the Realizer alone.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "attnscope/tasks.h"
#include "toy_lexicon.h"

namespace attnscope::toy {

// A sentence as grammatical slots filled with lexicon entries.

struct NounPhrase {
  Det det = Det::kThe;
  int noun = 0;
  bool plural = false;
  std::vector<int> adjectives;  // at most two, any order: English order comes from the ranks
  std::vector<NounPhrase> of;   // "the door of the house": at most one, itself without "of"
};

struct Subject {
  Pronoun pronoun = Pronoun::kNone;
  std::vector<NounPhrase> nouns;  // one, or two joined by "and"
};

struct Clause {
  Subject subject;
  bool negated = false;
  int verb = -1;  // -1: the copula is/are
  Adverb pre_adverb = Adverb::kNone;
  std::vector<NounPhrase> objects;  // up to two
  Conj object_conj = Conj::kAnd;
  std::optional<NounPhrase> recipient;  // "to NP"
  Prep prep = Prep::kNone;              // the modifier
  std::optional<NounPhrase> prep_object;
  int adjective = -1;  // copula: "is [very] ADJ"
  bool very = false;
  Adverb end_adverb = Adverb::kNone;
};

enum class Shape { kClauses, kWhere, kFixed };

struct Sentence {
  Shape shape = Shape::kClauses;
  int fixed = -1;
  std::optional<NounPhrase> where;
  std::vector<Clause> clauses;  // one or two
  Conj conj = Conj::kAnd;
};

// Where a noun phrase stands decides which determiners it may have and how French
// realizes "a" and "any".
enum class NpRole {
  kSubject,
  kObject,
  kNegatedObject,     // "a"/"any" become "de": "ne mange pas de pomme"
  kPreferenceObject,  // like/love/hate: "likes cats" -> "aime les chats"
  kPrepObject,        // with/for/to (recipient)
  kWithoutObject,     // "sans": never "a"/"some" ("sans des amis" is not French)
  kPlace,             // locations, destinations, sources: never "some" (no "près de des")
  kOfComplement,      // "of NP": never "some" either
  kWhere,
};

// Whether `det` may introduce `noun`, plural or not, in a noun phrase of this role.
bool det_allowed(Det det, NpRole role, const Noun& noun, bool plural);

// How English refers back to a clause's subject, for "it"/"they" in the next clause.
struct Antecedent {
  Pronoun pronoun = Pronoun::kNone;  // kNone: no pronoun refers back to it
  bool feminine = false;             // of the French noun(s)
  std::vector<int> nouns;            // what the pronoun stands for
};

// The antecedent the subject of a first clause offers the second; no pronoun when the
// subject is a pronoun itself, or a person English would call "he or she".
Antecedent antecedent_of(const Subject& subject);

// The nouns a clause's subject stands for: its own, or the previous clause's subject's when
// it is the pronoun referring back to them ("the horse runs and it is white").
std::vector<int> subject_nouns(const Subject& subject, const Antecedent* antecedent);

// Why the sentence belongs to kHard (toy_hard_reason), or "" when it does not.
std::string hard_reason(const Sentence& s);

// The Realizer writes a Sentence in both languages. French words are first laid down in
// their dictionary form ("de le homme"), each with the English words it translates; then
// finish() applies contraction and elision right to left ("de l'homme", "du chat"), merging
// the alignment links of the words it fuses.

enum class Role { kNone, kArticle, kDe, kA, kJusqua, kIndefinitePlural };

struct Piece {
  std::string text;
  std::vector<int> src;      // English tokens it translates
  std::string before_vowel;  // its form before a vowel sound: "l'", "cet", "bel"
  bool glue = false;         // that form is written onto the next word: "l'homme"
  Role role = Role::kNone;   // for contraction: de/à/jusqu'à + le/les
};

struct Agreement {
  int person = 1;  // index into Verb::fr
  bool feminine = false;
  bool plural = false;
};

class Realizer {
 public:
  // Lays the sentence down; false when it is outside the grammar (the parser tries many).
  bool sentence(const Sentence& s);
  // Applies the sound rules; call once, after sentence() succeeded.
  SentencePair finish();
  const std::vector<std::string>& english() const { return en_; }
  size_t french_size() const { return fr_.size(); }

 private:
  int en(const std::string& word) {
    en_.push_back(word);
    return static_cast<int>(en_.size()) - 1;
  }
  void fr(const std::string& text, std::vector<int> src, Role role = Role::kNone);
  void determiner(Det det, NpRole role, bool feminine, bool plural, bool mass, bool adjective_first,
                  int det_word, int noun_word);
  bool noun_phrase(const NounPhrase& np, NpRole role, Agreement* agreement);
  bool subject(const Subject& s, const Antecedent* antecedent, Agreement* agreement);
  bool clause(const Clause& c, const Antecedent* antecedent);
  bool verb_clause(const Clause& c, const Antecedent* antecedent);
  bool copula_clause(const Clause& c, const Antecedent* antecedent);
  bool modifier(Prep prep, const NounPhrase& np, const char* destination);
  void end_adverb(Adverb adverb);

  std::vector<std::string> en_;
  std::vector<Piece> fr_;
};

}  // namespace attnscope::toy
