// Tests of the data of tasks.h: the toy English->French language (its coverage, known
// translations checked by hand, its true alignments, its splits), the symbol tasks, the
// alignment format, the corpus reader, task names and vocabularies.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "attnscope/error.h"
#include "attnscope/tasks.h"
#include "attnscope/tokenizer.h"

using namespace attnscope;

namespace {

// Generated once and shared: the properties below are checked on the same samples.
const std::vector<SentencePair>& train_sample() {
  static const std::vector<SentencePair> pairs = toy_en_fr(Split::kTrain, 50000, 1);
  return pairs;
}
const std::vector<SentencePair>& test_sample() {
  static const std::vector<SentencePair> pairs = toy_en_fr(Split::kTest, 5000, 1);
  return pairs;
}
const std::vector<SentencePair>& hard_sample() {
  static const std::vector<SentencePair> pairs = toy_en_fr(Split::kHard, 5000, 1);
  return pairs;
}

std::vector<std::string> tokens(const std::string& text) {
  return Tokenizer::split(text, true);
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i)
    out += (i ? " " : "") + words[i];
  return out;
}

// The split rule tasks.h states: a source goes to the test split when this is 0 modulo 10.
uint64_t fnv1a(const std::string& text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

bool same_pairs(const std::vector<SentencePair>& a, const std::vector<SentencePair>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].source != b[i].source || a[i].target != b[i].target ||
        a[i].alignment != b[i].alignment) {
      return false;
    }
  }
  return true;
}

// Runs `problem` on every pair; reports the first few pairs for which it says something.
template <class Problem>
void check_each(const std::vector<SentencePair>& pairs, Problem problem) {
  int failures = 0;
  for (const SentencePair& pair : pairs) {
    const std::string what = problem(pair);
    if (what.empty()) continue;
    FAIL_CHECK(what << ": \"" << pair.source << "\" -> \"" << pair.target << "\" ["
                    << format_alignment(pair.alignment) << "]");
    if (++failures == 5) break;
  }
}

// What is wrong with a pair of the toy language, or "" when nothing is.
std::string toy_pair_problem(const SentencePair& pair) {
  const std::vector<std::string> source = tokens(pair.source);
  const std::vector<std::string> target = tokens(pair.target);
  if (join(source) != pair.source) return "source is not its tokens joined by single spaces";
  if (join(target) != pair.target) return "target is not its tokens joined by single spaces";
  if (source.size() < 2 || source.size() > 16) return "source length outside 2..16";
  if (target.size() < 2 || target.size() > 16) return "target length outside 2..16";
  if (!std::is_sorted(pair.alignment.begin(), pair.alignment.end())) return "unsorted links";
  if (std::adjacent_find(pair.alignment.begin(), pair.alignment.end()) != pair.alignment.end()) {
    return "repeated link";
  }
  std::vector<bool> source_linked(source.size()), target_linked(target.size());
  for (const auto& [i, j] : pair.alignment) {
    if (i < 0 || j < 0 || i >= static_cast<int>(source.size()) ||
        j >= static_cast<int>(target.size())) {
      return "link out of range";
    }
    source_linked[i] = true;
    target_linked[j] = true;
  }
  for (size_t i = 0; i < source.size(); ++i)
    if (!source_linked[i]) return "source token '" + source[i] + "' in no link";
  for (size_t j = 0; j < target.size(); ++j)
    if (!target_linked[j]) return "target token '" + target[j] + "' in no link";
  return "";
}

std::set<std::string> token_types(const std::vector<SentencePair>& pairs, bool target_side) {
  std::set<std::string> types;
  for (const SentencePair& pair : pairs)
    for (const std::string& token : tokens(target_side ? pair.target : pair.source))
      types.insert(token);
  return types;
}

std::string scratch_dir() {
  const std::string dir = std::string(ATTNSCOPE_TEST_TMP) + "/tasks";
  std::filesystem::create_directories(dir);
  return dir;
}

std::string write_scratch(const std::string& name, const std::string& bytes) {
  const std::string path = scratch_dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// The message of the InputError that reading `path` throws.
std::string read_error(const std::string& path) {
  try {
    read_pairs_file(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

// ---------------------------------------------------------------------------------------
// The toy language.

TEST_CASE("toy sentences have 2 to 16 tokens a side, and every token is aligned") {
  check_each(train_sample(), toy_pair_problem);
  check_each(test_sample(), toy_pair_problem);
  check_each(hard_sample(), toy_pair_problem);
}

TEST_CASE("the toy training data has hundreds of word types on each side") {
  const std::set<std::string> english = token_types(train_sample(), false);
  const std::set<std::string> french = token_types(train_sample(), true);
  MESSAGE("English types: " << english.size() << ", French types: " << french.size());
  CHECK(english.size() >= 300);
  CHECK(french.size() >= 300);
  // The vocabulary a model would be given holds exactly these, after the 4 specials.
  CHECK(build_vocabulary(train_sample(), false).size() == english.size() + 4);
  CHECK(build_vocabulary(train_sample(), true).size() == french.size() + 4);
}

TEST_CASE("the toy training data covers the grammar") {
  const std::set<std::string> english = token_types(train_sample(), false);
  const std::set<std::string> french = token_types(train_sample(), true);
  const char* const kEnglish[] = {
      // determiners
      "the", "a", "an", "some", "any", "this", "these", "my", "your", "his", "her", "our", "their",
      // pronouns, negation, copula, coordination, questions
      "i", "you", "he", "she", "it", "we", "they", "do", "does", "not", "is", "are", "very", "and",
      "but", "or", "where", "of",
      // adjectives French puts before the noun
      "little", "small", "big", "tall", "beautiful", "pretty", "good", "bad", "young", "old", "new",
      "long", "fat",
      // prepositions and adverbs
      "in", "on", "under", "near", "behind", "front", "at", "with", "without", "for", "to", "from",
      "often", "always", "sometimes", "today", "now", "tomorrow", "every"};
  for (const char* word : kEnglish) {
    CAPTURE(word);
    CHECK(english.count(word) == 1);
  }
  const char* const kFrench[] = {
      // articles, partitives and contractions
      "le", "la", "les", "un", "une", "des", "du", "au", "aux", "de", "jusqu'au", "jusqu'aux",
      // demonstratives and possessives agreeing with the noun
      "ce", "cet", "cette", "ces", "mon", "ma", "mes", "son", "sa", "ses", "votre", "vos", "notre",
      "nos", "leur", "leurs",
      // adjectives in all their forms
      "petit", "petite", "petits", "petites", "beau", "bel", "belle", "beaux", "belles", "vieux",
      "vieil", "vieille", "vieilles", "nouvel", "noir", "noire", "noirs", "noires", "blanche",
      "longue", "gentille",
      // verbs agreeing with their subject, negation, pronouns, coordination
      "mange", "mangeons", "mangez", "mangent", "ne", "pas", "je", "vous", "il", "elle", "nous",
      "ils", "elles", "et", "mais", "ou", "où", "très",
      // a fixed phrase
      "bonjour", "allez-vous"};
  for (const char* word : kFrench) {
    CAPTURE(word);
    CHECK(french.count(word) == 1);
  }
  // Elision makes one token of two words.
  for (const char* prefix : {"l'", "d'", "n'", "j'"}) {
    CAPTURE(prefix);
    CHECK(std::any_of(french.begin(), french.end(),
                      [&](const std::string& w) { return w.rfind(prefix, 0) == 0; }));
  }
  const bool greeting =
      std::any_of(train_sample().begin(), train_sample().end(), [](const SentencePair& p) {
        return p.source == "hello , how are you ?" && p.target == "bonjour , comment allez-vous ?";
      });
  CHECK(greeting);
}

TEST_CASE("sampled sentences avoid what French grammar or common sense rules out") {
  const std::set<std::string> sizes = {"little", "small", "big",   "tall", "long",
                                       "fat",    "heavy", "light", "short"};
  const std::set<std::string> masses = {
      "bread", "cheese", "soup", "meat",  "rice", "butter",   "chocolate", "sugar", "water",
      "milk",  "coffee", "tea",  "juice", "wine", "lemonade", "music",     "money"};
  check_each(train_sample(), [&](const SentencePair& pair) -> std::string {
    const std::vector<std::string> source = tokens(pair.source);
    for (size_t i = 0; i + 1 < source.size(); ++i) {
      if (!sizes.count(source[i])) continue;
      // A noun follows its adjectives at once or after one more.
      if (masses.count(source[i + 1]) || (i + 2 < source.size() && masses.count(source[i + 2]))) {
        return "a size given to a mass";
      }
    }
    // "the blue shirt is blue": the predicate repeats an adjective of the noun phrase before.
    for (size_t k = 1; k + 1 < source.size(); ++k) {
      if (source[k] != "is" && source[k] != "are") continue;
      size_t a = k + 1;
      while (a + 1 < source.size() && (source[a] == "not" || source[a] == "very"))
        ++a;
      for (size_t i = k; i-- > 0 && source[i] != "and" && source[i] != "but" && source[i] != "or";)
        if (source[i] == source[a]) return "a predicate repeating its subject's adjective";
    }
    // "sans" takes no indefinite article: "sans amis", never "sans des amis".
    const std::vector<std::string> target = tokens(pair.target);
    for (size_t j = 0; j + 1 < target.size(); ++j) {
      const std::string& next = target[j + 1];
      if (target[j] == "sans" && (next == "un" || next == "une" || next == "des" || next == "de" ||
                                  next == "du" || next.rfind("d'", 0) == 0)) {
        return "an indefinite article after 'sans'";
      }
    }
    return "";
  });
  CHECK_FALSE(toy_translate("the teacher walks without some friends .").has_value());
  CHECK_FALSE(toy_translate("the teacher walks without a friend .").has_value());
}

TEST_CASE("toy_translate gives the translations and alignments a French speaker expects") {
  struct Known {
    const char* english;
    const char* french;
    const char* alignment;  // nullptr: only the French is checked
  };
  const Known kKnown[] = {
      // adjectives after and before the noun; negation
      {"the black cat sleeps .", "le chat noir dort .", "0-0 1-2 2-1 3-3 4-4"},
      {"the little black cat does not eat the fish .",
       "le petit chat noir ne mange pas le poisson .",
       "0-0 1-1 2-3 3-2 4-5 5-4 5-6 6-5 7-7 8-8 9-9"},
      {"she does not have a car .", "elle n'a pas de voiture .", "0-0 1-1 2-1 2-2 3-1 4-3 5-4 6-5"},
      {"the cat is not black .", "le chat n'est pas noir .", "0-0 1-1 2-2 3-2 3-3 4-4 5-5"},
      {"we do not eat any apples .", "nous ne mangeons pas de pommes .", nullptr},
      {"the boy does not like the music .", "le garçon n'aime pas la musique .", nullptr},
      // contractions
      {"the children go to the market .", "les enfants vont au marché .",
       "0-0 1-1 2-2 3-3 4-3 5-4 6-5"},
      {"the father of the boy is tall .", "le père du garçon est grand .",
       "0-0 1-1 2-2 3-2 4-3 5-4 6-5 7-6"},
      {"the man comes from the market .", "l'homme vient du marché .",
       "0-0 1-0 2-1 3-2 4-2 5-3 6-4"},
      {"the girl gives the apple to the teacher .", "la fille donne la pomme au professeur .",
       "0-0 1-1 2-2 3-3 4-4 5-5 6-5 7-6 8-7"},
      {"the boys run to the parks .", "les garçons courent jusqu'aux parcs .", nullptr},
      {"the boy walks to the beach .", "le garçon marche jusqu'à la plage .", nullptr},
      // partitives
      {"the man eats some bread .", "l'homme mange du pain .", "0-0 1-0 2-1 3-2 4-3 5-4"},
      {"the man eats some water .", "l'homme mange de l'eau .", "0-0 1-0 2-1 3-2 3-3 4-3 5-4"},
      {"the children eat some apples and some cheese .",
       "les enfants mangent des pommes et du fromage .", nullptr},
      {"some little cats sleep .", "de petits chats dorment .", nullptr},
      // elision, mute and aspirated h, forms before a vowel
      {"the old man is near the hotel .", "le vieil homme est près de l'hôtel .",
       "0-0 1-1 2-2 3-3 4-4 4-5 5-6 6-6 7-7"},
      {"the owl sleeps in the tree .", "le hibou dort dans l'arbre .",
       "0-0 1-1 2-2 3-3 4-4 5-4 6-5"},
      {"i like cats .", "j'aime les chats .", "0-0 1-0 2-1 2-2 3-3"},
      {"i have an apple .", "j'ai une pomme .", nullptr},
      {"the girl eats an egg .", "la fille mange un œuf .", nullptr},
      {"my school is old .", "mon école est vieille .", nullptr},
      {"this tree is tall .", "cet arbre est grand .", nullptr},
      {"this man is tall .", "cet homme est grand .", nullptr},
      {"the beautiful hotel is new .", "le bel hôtel est nouveau .", nullptr},
      // gender and number agreement of articles, adjectives and verbs
      {"the small white chairs are heavy .", "les petites chaises blanches sont lourdes .",
       "0-0 1-1 2-3 3-2 4-4 5-5 6-6"},
      {"the old women are near the old trees .", "les vieilles femmes sont près des vieux arbres .",
       nullptr},
      {"an old woman sleeps .", "une vieille femme dort .", nullptr},
      {"the girls are happy .", "les filles sont heureuses .", nullptr},
      {"the women are beautiful .", "les femmes sont belles .", nullptr},
      {"my friend and my mother are tired .", "mon ami et ma mère sont fatigués .", nullptr},
      {"the cats and the dogs eat .", "les chats et les chiens mangent .", nullptr},
      // pronouns referring back take the noun's gender
      {"the table is big but it is heavy .", "la table est grande mais elle est lourde .",
       "0-0 1-1 2-2 3-3 4-4 5-5 6-6 7-7 8-8"},
      {"the tables are big and they are heavy .", "les tables sont grandes et elles sont lourdes .",
       nullptr},
      {"the car is red but it is slow .", "la voiture est rouge mais elle est lente .", nullptr},
      // adverbs, particles, prepositions, questions, fixed phrases
      {"the cat sleeps every day .", "le chat dort tous les jours .",
       "0-0 1-1 2-2 3-3 3-4 4-5 5-6"},
      {"we often read the newspaper .", "nous lisons souvent le journal .", nullptr},
      {"the cat looks at the bird .", "le chat regarde l'oiseau .", "0-0 1-1 2-2 3-2 4-3 5-3 6-4"},
      {"the dogs wait for the buses at the station .", "les chiens attendent les bus à la gare .",
       nullptr},
      {"the teacher walks without his friends .", "le professeur marche sans ses amis .", nullptr},
      {"where are the cats ?", "où sont les chats ?", "0-0 1-1 2-2 3-3 4-4"},
      {"hello , how are you ?", "bonjour , comment allez-vous ?", "0-0 1-1 2-2 3-3 4-3 5-4"},
      {"good morning .", "bonjour .", "0-0 1-0 2-1"},
  };
  for (const Known& known : kKnown) {
    CAPTURE(known.english);
    const std::optional<SentencePair> pair = toy_translate(known.english);
    REQUIRE(pair.has_value());
    CHECK(pair->source == known.english);
    CHECK(pair->target == known.french);
    if (known.alignment) CHECK(format_alignment(pair->alignment) == known.alignment);
    CHECK(toy_pair_problem(*pair) == "");
  }
}

TEST_CASE("toy_translate reads any casing and spacing, and rejects what the grammar cannot make") {
  const std::optional<SentencePair> typed = toy_translate("The Black  Cat sleeps.");
  REQUIRE(typed.has_value());
  CHECK(typed->source == "the black cat sleeps .");
  CHECK(typed->target == "le chat noir dort .");
  const char* const kOutside[] = {
      "",
      "the cats sleeps .",  // agreement
      "a apple is red .",   // "an"
      "the cat sleeps",     // no full stop
      "cat the sleeps .",   // word order
      "i am happy .",       // French would need the speaker's gender
      "the cat eats the fish or",
      "the cat does not eat the fish and the bread .",  // ne ... ni ... ni
  };
  for (const char* english : kOutside) {
    CAPTURE(english);
    CHECK_FALSE(toy_translate(english).has_value());
  }
}

TEST_CASE("the generator and toy_translate agree on every sentence") {
  auto disagreement = [](const SentencePair& pair) -> std::string {
    const std::optional<SentencePair> parsed = toy_translate(pair.source);
    if (!parsed) return "toy_translate cannot parse it";
    if (parsed->target != pair.target) return "toy_translate gives '" + parsed->target + "'";
    if (parsed->alignment != pair.alignment) {
      return "toy_translate aligns it " + format_alignment(parsed->alignment);
    }
    return "";
  };
  const std::vector<SentencePair>& train = train_sample();
  check_each(std::vector<SentencePair>(train.begin(), train.begin() + 2000), disagreement);
  check_each(test_sample(), disagreement);
  check_each(hard_sample(), disagreement);
}

// ---------------------------------------------------------------------------------------
// Splits.

TEST_CASE("test sentences never occur in training, and go by the hash of their source") {
  std::set<std::string> train_sources;
  std::set<std::string> hashed_to_test;  // only fixed phrases may stay in training
  for (const SentencePair& pair : train_sample()) {
    train_sources.insert(pair.source);
    if (fnv1a(pair.source) % 10 == 0) hashed_to_test.insert(pair.source);
  }
  CHECK(hashed_to_test.size() <= 31);
  check_each(test_sample(), [&](const SentencePair& pair) -> std::string {
    if (train_sources.count(pair.source)) return "also in training";
    if (fnv1a(pair.source) % 10 != 0) return "hash not 0 modulo 10";
    return "";
  });
}

TEST_CASE("hard sentences, and only they, hold a withheld combination") {
  const std::vector<std::pair<std::string, std::string>> withheld = toy_withheld_pairs();
  CHECK(withheld.size() == 12);
  CHECK(std::count(withheld.begin(), withheld.end(),
                   std::pair<std::string, std::string>("horse", "white")) == 1);

  std::map<std::string, int> reasons;
  check_each(hard_sample(), [&](const SentencePair& pair) -> std::string {
    const std::string reason = toy_hard_reason(pair.source);
    ++reasons[reason];
    return reason.empty() ? "no hard reason" : "";
  });
  // Both kinds of combination, and every withheld pair, are represented.
  CHECK(reasons["two negated clauses"] > 0);
  for (const auto& [noun, adjective] : withheld) {
    CAPTURE(noun);
    CHECK(reasons["withheld pair '" + adjective + " " + noun + "'"] > 0);
  }

  auto has_reason = [](const SentencePair& pair) -> std::string {
    const std::string reason = toy_hard_reason(pair.source);
    return reason.empty() ? "" : "hard reason in an ordinary split: " + reason;
  };
  const std::vector<SentencePair>& train = train_sample();
  check_each(std::vector<SentencePair>(train.begin(), train.begin() + 5000), has_reason);
  check_each(test_sample(), has_reason);
}

TEST_CASE("toy_hard_reason names the withheld combination") {
  CHECK(toy_hard_reason("the white horse sleeps .") == "withheld pair 'white horse'");
  CHECK(toy_hard_reason("The house is old.") == "withheld pair 'old house'");
  CHECK(toy_hard_reason("the horse sleeps and it is white .") == "withheld pair 'white horse'");
  CHECK(toy_hard_reason("the man sees the kind mother .") == "withheld pair 'kind mother'");
  CHECK(toy_hard_reason("the cat does not sleep and the dog does not eat .") ==
        "two negated clauses");
  CHECK(toy_hard_reason("the cat does not sleep and the dog eats .") == "");
  CHECK(toy_hard_reason("the black horse sleeps .") == "");
  CHECK(toy_hard_reason("the cat sleeps and it is white .") == "");
  CHECK(toy_hard_reason("colorless green ideas sleep furiously .") == "");
}

TEST_CASE("the same split, count and seed give the same pairs; more extends fewer") {
  for (Split split : {Split::kTrain, Split::kTest, Split::kHard}) {
    CAPTURE(split_name(split));
    const std::vector<SentencePair> few = toy_en_fr(split, 200, 9);
    const std::vector<SentencePair> more = toy_en_fr(split, 500, 9);
    REQUIRE(few.size() == 200);
    REQUIRE(more.size() == 500);
    CHECK(same_pairs(few, std::vector<SentencePair>(more.begin(), more.begin() + 200)));
    CHECK(same_pairs(few, toy_en_fr(split, 200, 9)));
    CHECK_FALSE(same_pairs(few, toy_en_fr(split, 200, 10)));
  }
  CHECK(toy_en_fr(Split::kTrain, 0, 1).empty());
  CHECK_THROWS_AS(toy_en_fr(Split::kTrain, -1, 1), InputError);
}

// ---------------------------------------------------------------------------------------
// Symbol tasks.

TEST_CASE("copy, reverse and sort: sequences, targets and alignments as documented") {
  for (const std::string name : {"copy", "reverse", "sort"}) {
    for (Split split : {Split::kTrain, Split::kTest, Split::kHard}) {
      CAPTURE(name);
      CAPTURE(split_name(split));
      const std::vector<SentencePair> pairs = symbol_task(name, split, 1000, 4);
      REQUIRE(pairs.size() == 1000);
      const size_t shortest = split == Split::kHard ? 13 : 2;
      const size_t longest = split == Split::kHard ? 16 : 12;
      check_each(pairs, [&](const SentencePair& pair) -> std::string {
        const std::vector<std::string> source = tokens(pair.source);
        const size_t n = source.size();
        if (join(source) != pair.source) return "source is not its tokens";
        if (n < shortest || n > longest) return "length out of range";
        for (const std::string& symbol : source)
          if (symbol.size() != 1 || symbol[0] < 'a' || symbol[0] > 'z') return "not a letter";
        if (split != Split::kHard && (fnv1a(pair.source) % 10 == 0) != (split == Split::kTest)) {
          return "in the wrong split";
        }
        // Where each source symbol goes: copy i, reverse n-1-i, sort the number of smaller
        // symbols plus the number of equal ones before it.
        std::vector<std::string> target(n);
        std::vector<std::pair<int, int>> alignment;
        for (size_t i = 0; i < n; ++i) {
          size_t j = i;
          if (name == "reverse") j = n - 1 - i;
          if (name == "sort") {
            j = 0;
            for (size_t k = 0; k < n; ++k)
              j += source[k] < source[i] || (source[k] == source[i] && k < i);
          }
          target[j] = source[i];
          alignment.emplace_back(static_cast<int>(i), static_cast<int>(j));
        }
        if (pair.target != join(target)) return "target should be '" + join(target) + "'";
        if (pair.alignment != alignment)
          return "alignment should be " + format_alignment(alignment);
        return "";
      });
    }
  }
  // Sorting keeps repeats, each linked from its own source position.
  bool repeats_seen = false;
  for (const SentencePair& pair : symbol_task("sort", Split::kTrain, 200, 4)) {
    std::vector<std::string> source = tokens(pair.source);
    std::sort(source.begin(), source.end());
    CHECK(join(source) == pair.target);
    repeats_seen = repeats_seen || std::adjacent_find(source.begin(), source.end()) != source.end();
  }
  CHECK(repeats_seen);
}

TEST_CASE("symbol tasks: deterministic, disjoint splits, errors") {
  const std::vector<SentencePair> few = symbol_task("reverse", Split::kTrain, 100, 3);
  const std::vector<SentencePair> more = symbol_task("reverse", Split::kTrain, 300, 3);
  CHECK(same_pairs(few, std::vector<SentencePair>(more.begin(), more.begin() + 100)));
  CHECK_FALSE(same_pairs(few, symbol_task("reverse", Split::kTrain, 100, 4)));

  std::set<std::string> train;
  for (const SentencePair& pair : symbol_task("copy", Split::kTrain, 5000, 1))
    train.insert(pair.source);
  for (const SentencePair& pair : symbol_task("copy", Split::kTest, 500, 1)) {
    CAPTURE(pair.source);
    CHECK(train.count(pair.source) == 0);
  }
  CHECK_THROWS_AS(symbol_task("shuffle", Split::kTrain, 10, 1), InputError);
  CHECK_THROWS_AS(symbol_task("copy", Split::kTrain, -1, 1), InputError);
}

// ---------------------------------------------------------------------------------------
// Alignment text.

TEST_CASE("format_alignment and parse_alignment") {
  const std::vector<std::pair<int, int>> links = {{0, 0}, {1, 2}, {2, 1}, {10, 123}};
  CHECK(format_alignment(links) == "0-0 1-2 2-1 10-123");
  CHECK(format_alignment({}) == "");
  CHECK(parse_alignment("0-0 1-2 2-1 10-123") == links);
  CHECK(parse_alignment("  0-0\t1-2\n2-1\r\n10-123 ") == links);
  CHECK(parse_alignment("2-1 0-0") == std::vector<std::pair<int, int>>{{2, 1}, {0, 0}});
  CHECK(parse_alignment("").empty());
  CHECK(parse_alignment(" \t\n").empty());
  check_each(train_sample(), [](const SentencePair& pair) -> std::string {
    return parse_alignment(format_alignment(pair.alignment)) == pair.alignment ? ""
                                                                               : "no round trip";
  });

  for (const std::string text : {"0-", "a-1", "1_2", "-1", "1-2-3", "0-0 1-x", "0--1", "1-+2"}) {
    CAPTURE(text);
    const std::string bad_link = text.substr(text.rfind(' ') + 1);
    std::string message = "(no error)";
    try {
      parse_alignment(text);
    } catch (const InputError& e) {
      message = e.what();
    }
    CHECK(message.find("'" + bad_link + "'") != std::string::npos);
  }
}

// ---------------------------------------------------------------------------------------
// A user's corpus.

TEST_CASE("read_pairs_file: byte order mark, CRLF, blank lines, surrounding spaces") {
  const std::string path = write_scratch(
      "good.tsv", "\xEF\xBB\xBFhello\tbonjour\r\n\r\n  the cat \t le chat\r\n \t \nlast\tdernier");
  const std::vector<SentencePair> pairs = read_pairs_file(path);
  REQUIRE(pairs.size() == 3);
  CHECK(pairs[0].source == "hello");
  CHECK(pairs[0].target == "bonjour");
  CHECK(pairs[1].source == "the cat");
  CHECK(pairs[1].target == "le chat");
  CHECK(pairs[2].source == "last");
  CHECK(pairs[2].target == "dernier");
  for (const SentencePair& pair : pairs)
    CHECK(pair.alignment.empty());
}

TEST_CASE("read_pairs_file names the file, and the line at fault") {
  struct Bad {
    const char* name;
    std::string bytes;
    const char* line;  // nullptr: the file as a whole is at fault
    const char* says;
  };
  const Bad kBad[] = {
      {"empty.tsv", "", nullptr, "empty"},
      {"bom_only.tsv", "\xEF\xBB\xBF", nullptr, "empty"},
      {"blank.tsv", "\n  \r\n\t\n", nullptr, "blank"},
      {"no_tab.tsv", "a\tb\nno tab here\n", "line 2", "no tab"},
      {"two_tabs.tsv", "a\tb\tc\n", "line 1", "2 tabs"},
      {"utf8.tsv", "a\tb\n\nc\xFF\td\n", "line 3", "UTF-8"},
      {"empty_source.tsv", "a\tb\n  \tb\n", "line 2", "empty source"},
      {"empty_target.tsv", "a\tb\r\nc\t \r\n", "line 2", "empty target"},
  };
  for (const Bad& bad : kBad) {
    CAPTURE(bad.name);
    const std::string path = write_scratch(bad.name, bad.bytes);
    const std::string message = read_error(path);
    CHECK(message.find(path) != std::string::npos);
    CHECK(message.find(bad.says) != std::string::npos);
    if (bad.line) CHECK(message.find(bad.line) != std::string::npos);
  }
  const std::string missing = scratch_dir() + "/missing.tsv";
  std::filesystem::remove(missing);
  CHECK(read_error(missing).find(missing) != std::string::npos);
}

TEST_CASE("parse_pairs reads a corpus's contents as read_pairs_file does") {
  const std::string contents = "\xEF\xBB\xBFthe cat\tle chat\r\n\n hello \t bonjour \n";
  const std::vector<SentencePair> parsed = parse_pairs(contents, "in/memory.tsv");
  CHECK(same_pairs(parsed, read_pairs_file(write_scratch("parse.tsv", contents))));
  REQUIRE(parsed.size() == 2);
  CHECK(parsed[1].source == "hello");
  CHECK(parsed[1].target == "bonjour");
  try {
    parse_pairs("a\tb\nc\n", "in/memory.tsv");
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("in/memory.tsv: line 2: no tab") != std::string::npos);
  }
}

// ---------------------------------------------------------------------------------------
// Task names and vocabularies.

TEST_CASE("task_pairs dispatches on the task name") {
  CHECK(same_pairs(task_pairs("toy-en-fr", Split::kTest, 40, 3), toy_en_fr(Split::kTest, 40, 3)));
  CHECK(same_pairs(task_pairs("toy-en-fr", Split::kHard, 40, 3), toy_en_fr(Split::kHard, 40, 3)));
  for (const std::string name : {"copy", "reverse", "sort"}) {
    CAPTURE(name);
    CHECK(same_pairs(task_pairs(name, Split::kTrain, 40, 3),
                     symbol_task(name, Split::kTrain, 40, 3)));
  }

  std::string corpus;
  for (int i = 0; i < 300; ++i)
    corpus += "sentence " + std::to_string(i) + "\tphrase " + std::to_string(i) + "\n";
  const std::string task = "pairs:" + write_scratch("corpus.tsv", corpus);
  const std::vector<SentencePair> train = task_pairs(task, Split::kTrain, 5, 1);
  const std::vector<SentencePair> test = task_pairs(task, Split::kTest, 5, 2);
  CHECK(train.size() + test.size() == 300);
  CHECK_FALSE(test.empty());
  CHECK(train.size() > test.size());
  std::set<std::string> seen;
  for (const SentencePair& pair : train) {
    CHECK(fnv1a(pair.source) % 10 != 0);
    seen.insert(pair.source);
  }
  for (const SentencePair& pair : test) {
    CAPTURE(pair.source);
    CHECK(fnv1a(pair.source) % 10 == 0);
    CHECK(seen.insert(pair.source).second);
  }
  CHECK(seen.size() == 300);

  CHECK_THROWS_AS(task_pairs(task, Split::kHard, 5, 1), InputError);
  CHECK_THROWS_AS(task_pairs("pairs:", Split::kTrain, 5, 1), InputError);
  CHECK_THROWS_AS(task_pairs("pairs:" + scratch_dir() + "/missing.tsv", Split::kTrain, 5, 1),
                  InputError);
  CHECK_THROWS_AS(task_pairs("toy", Split::kTrain, 5, 1), InputError);
  CHECK_THROWS_AS(task_pairs("Copy", Split::kTrain, 5, 1), InputError);
}

TEST_CASE("build_vocabulary: the four specials, then tokens by frequency, ties in byte order") {
  const std::vector<SentencePair> pairs = {
      {"b a b c", "x y", {}},
      {"C b, d", "y", {}},
  };
  CHECK(build_vocabulary(pairs, false) ==
        std::vector<std::string>{"<pad>", "<unk>", "<bos>", "<eos>", "b", "c", ",", "a", "d"});
  CHECK(build_vocabulary(pairs, true) ==
        std::vector<std::string>{"<pad>", "<unk>", "<bos>", "<eos>", "y", "x"});
  CHECK(build_vocabulary({}, true).size() == 4);
}

TEST_CASE("split names") {
  for (Split split : {Split::kTrain, Split::kTest, Split::kHard})
    CHECK(parse_split(split_name(split)) == split);
  CHECK(std::string(split_name(Split::kHard)) == "hard");
  CHECK_THROWS_AS(parse_split("dev"), InputError);
}
