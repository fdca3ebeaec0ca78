// The lexicon of the toy English->French language (tasks.h): the nouns with their semantic
// tags, adjectives, verbs, prepositions, pronouns, determiners, adverbs, conjunctions and fixed
// phrases, and lookups over them. The open word classes (nouns, adjectives, verbs, phrases)
// are tables in toy_lexicon.cpp; the closed ones are small enough to stand here.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace attnscope::toy {

// Tags say what a noun is; verbs, adjectives and prepositions say which tags
// they accept (any one of them suffices).

using Tags = uint64_t;
constexpr Tags kPerson = 1ull << 0;
constexpr Tags kAnimal = 1ull << 1;
constexpr Tags kFood = 1ull << 2;
constexpr Tags kDrink = 1ull << 3;
constexpr Tags kFruit = 1ull << 4;
constexpr Tags kObject = 1ull << 5;  // something one can hold
constexpr Tags kToy = 1ull << 6;
constexpr Tags kClothing = 1ull << 7;
constexpr Tags kReadable = 1ull << 8;
constexpr Tags kWritable = 1ull << 9;
constexpr Tags kHeard = 1ull << 10;  // music, songs, stories, the radio
constexpr Tags kSong = 1ull << 11;
constexpr Tags kShow = 1ull << 12;  // films, games
constexpr Tags kFurniture = 1ull << 13;
constexpr Tags kFixture = 1ull << 14;  // doors, windows, walls, roofs
constexpr Tags kVehicle = 1ull << 15;
constexpr Tags kBuilding = 1ull << 16;
constexpr Tags kRoom = 1ull << 17;
constexpr Tags kOutdoor = 1ull << 18;
constexpr Tags kSky = 1ull << 19;
constexpr Tags kPlant = 1ull << 20;
constexpr Tags kMoney = 1ull << 21;
constexpr Tags kWater = 1ull << 22;
constexpr Tags kFlies = 1ull << 23;
constexpr Tags kFragile = 1ull << 24;
constexpr Tags kOpenable = 1ull << 25;
constexpr Tags kContainer = 1ull << 26;
constexpr Tags kDrivable = 1ull << 27;
constexpr Tags kOrigin = 1ull << 28;  // can be French, English, Italian
constexpr Tags kLong = 1ull << 29;    // can be long or short
constexpr Tags kColor = 1ull << 30;   // takes colour adjectives
constexpr Tags kRound = 1ull << 31;
constexpr Tags kMale = 1ull << 32;    // English says "he"
constexpr Tags kFemale = 1ull << 33;  // English says "she"
constexpr Tags kMass = 1ull << 34;    // no plural, no "a"; "some" is the partitive du/de la
constexpr Tags kUnique = 1ull << 35;  // "the sun": only "the"
// The places a noun can be the object of: in, on, under, near/behind/in front of, at.
constexpr Tags kIn = 1ull << 40;
constexpr Tags kOn = 1ull << 41;
constexpr Tags kUnder = 1ull << 42;
constexpr Tags kBy = 1ull << 43;
constexpr Tags kAt = 1ull << 44;

constexpr Tags kLiving = kPerson | kAnimal;
constexpr Tags kThing = kObject | kToy | kClothing | kReadable | kFurniture | kVehicle;
constexpr Tags kPlace = kBuilding | kRoom | kOutdoor;
constexpr Tags kPortable = kObject | kToy | kClothing | kFood;
constexpr Tags kVisible = kLiving | kFood | kThing | kFixture | kPlace | kPlant | kSky;

struct Noun {
  const char* en;
  const char* en_plural;  // nullptr: no plural (mass and unique nouns)
  const char* fr;
  const char* fr_plural;
  char gender;  // 'm' or 'f', of the French noun
  Tags tags;
  Tags of_tags;  // what "NOUN of X" may take as X; 0: no such phrase is generated
};

// The nouns, grouped by kind (people, animals, food and drink, things, furniture, vehicles,
// buildings and rooms, outdoors and the sky).
constexpr int kNounCount = 195;
extern const Noun kNouns[];  // kNounCount entries, checked where defined

// English orders adjectives opinion < size < age < condition < colour < origin; two
// adjectives of one noun always have different ranks.
enum Rank { kOpinion = 1, kSize, kAge, kCondition, kColour, kNationality };

struct Adjective {
  const char* en;
  std::array<const char*, 4> fr;  // masculine, feminine, masculine plural, feminine plural
  const char* before_vowel;       // masculine singular before a vowel sound: "bel"
  bool before_noun;               // in French
  Rank rank;
  Tags applies;  // nouns it describes
};

// The adjectives that French puts before the noun come first.
constexpr int kAdjectiveCount = 67;
extern const Adjective kAdjectives[];  // kAdjectiveCount entries, checked where defined

// Prepositions, in the order the parser tries them ("in front of" before "in").
enum class Prep {
  kNone,
  kInFrontOf,
  kIn,
  kOn,
  kUnder,
  kNear,
  kBehind,
  kAt,
  kWith,
  kWithout,
  kFor,
  kTo,
  kFrom
};
constexpr unsigned bit(Prep p) {
  return 1u << static_cast<unsigned>(p);
}
constexpr unsigned kModLoc = bit(Prep::kIn) | bit(Prep::kOn) | bit(Prep::kUnder) |
                             bit(Prep::kNear) | bit(Prep::kBehind) | bit(Prep::kInFrontOf) |
                             bit(Prep::kAt);
constexpr unsigned kModWith = bit(Prep::kWith) | bit(Prep::kWithout);
constexpr unsigned kModFor = bit(Prep::kFor);
constexpr unsigned kModTo = bit(Prep::kTo);
constexpr unsigned kModFrom = bit(Prep::kFrom);

struct PrepInfo {
  Prep prep;
  const char* en;
  const char* fr;  // nullptr for "to", whose French the verb decides
  Tags place;      // the noun tag a location must have; 0 for the others
};
inline constexpr PrepInfo kPreps[] = {
    {Prep::kInFrontOf, "in front of", "devant", kBy},
    {Prep::kIn, "in", "dans", kIn},
    {Prep::kOn, "on", "sur", kOn},
    {Prep::kUnder, "under", "sous", kUnder},
    {Prep::kNear, "near", "près de", kBy},
    {Prep::kBehind, "behind", "derrière", kBy},
    {Prep::kAt, "at", "à", kAt},
    {Prep::kWith, "with", "avec", 0},
    {Prep::kWithout, "without", "sans", 0},
    {Prep::kFor, "for", "pour", 0},
    {Prep::kTo, "to", nullptr, kAt},
    {Prep::kFrom, "from", "de", kAt},
};
const PrepInfo& prep_info(Prep p);

enum VerbFlags : unsigned {
  kOptionalObject = 1,     // "the cat eats ."
  kPreference = 2,         // like/love/hate: generic objects, never "a"/"some"/"any"
  kRecipient = 4,          // "gives the apple to the teacher"
  kNeedsPlace = 8,         // "lives in the city"
  kNeedsDestination = 16,  // "goes to the station"
  kWithToys = 32,          // "plays with the ball"
};

struct Verb {
  const char* en;
  const char* en_third;           // he/she/it form
  const char* particle;           // "look at": one French verb for two English words
  std::array<const char*, 5> fr;  // je, il/elle, nous, vous, ils/elles
  Tags subject;
  Tags object;  // 0: intransitive
  unsigned flags;
  unsigned modifiers;       // the prepositions a modifier may use (bit(Prep))
  const char* destination;  // French for "to": "à" or "jusqu'à"
  Tags places = 0;          // restricts location nouns (swim: water); 0: any place
};

// The verb senses, transitive then intransitive; "look at" and "look for", "wait for" and
// "wait" are senses of their own.
constexpr int kVerbCount = 76;
extern const Verb kVerbs[];  // kVerbCount entries, checked where defined

enum class Pronoun { kNone, kI, kYou, kHe, kShe, kIt, kWe, kThey };
struct PronounInfo {
  Pronoun pronoun;
  const char* en;
  const char* fr;  // without an antecedent
  int person;      // index into Verb::fr
  Tags tags;       // what it may stand for when sampling
};
inline constexpr PronounInfo kPronouns[] = {
    {Pronoun::kI, "i", "je", 0, kPerson},
    {Pronoun::kYou, "you", "vous", 3, kPerson},
    {Pronoun::kHe, "he", "il", 1, kPerson},
    {Pronoun::kShe, "she", "elle", 1, kPerson},
    {Pronoun::kIt, "it", "il", 1, kAnimal | kVehicle | kFlies},
    {Pronoun::kWe, "we", "nous", 2, kPerson},
    {Pronoun::kThey, "they", "ils", 4, kLiving},
};
const PronounInfo& pronoun_info(Pronoun p);

enum class Det { kThe, kA, kSome, kAny, kThis, kMy, kYour, kHis, kHer, kOur, kTheir, kBare };
struct DetInfo {
  Det det;
  const char* en;         // singular
  const char* en_plural;  // "these"
  int weight;             // how often the generator picks it where allowed
};
inline constexpr DetInfo kDets[] = {
    {Det::kThe, "the", "the", 40},      {Det::kA, "a", "a", 15},
    {Det::kSome, "some", "some", 8},    {Det::kAny, "any", "any", 10},
    {Det::kThis, "this", "these", 7},   {Det::kMy, "my", "my", 8},
    {Det::kYour, "your", "your", 5},    {Det::kHis, "his", "his", 5},
    {Det::kHer, "her", "her", 5},       {Det::kOur, "our", "our", 4},
    {Det::kTheir, "their", "their", 3}, {Det::kBare, "", "", 15},
};
const DetInfo& det_info(Det d);

enum class Adverb { kNone, kOften, kAlways, kSometimes, kToday, kNow, kTomorrow, kEveryDay };
struct AdverbInfo {
  Adverb adverb;
  const char* en;
  const char* fr;
  bool before_verb;  // in English; French puts these right after the verb
};
inline constexpr AdverbInfo kAdverbs[] = {
    {Adverb::kOften, "often", "souvent", true},
    {Adverb::kAlways, "always", "toujours", true},
    {Adverb::kSometimes, "sometimes", "parfois", true},
    {Adverb::kToday, "today", "aujourd'hui", false},
    {Adverb::kNow, "now", "maintenant", false},
    {Adverb::kTomorrow, "tomorrow", "demain", false},
    {Adverb::kEveryDay, "every day", "tous les jours", false},
};
const AdverbInfo& adverb_info(Adverb a);

enum class Conj { kAnd, kBut, kOr };
inline constexpr const char* kConjEn[] = {"and", "but", "or"};
inline constexpr const char* kConjFr[] = {"et", "mais", "ou"};

struct FixedPhrase {
  const char* en;
  const char* fr;
  const char* alignment;
};
// Greetings and set phrases, each with its alignment in format_alignment's notation.
constexpr int kFixedCount = 31;
extern const FixedPhrase kFixedPhrases[];  // kFixedCount entries, checked where defined

// Lookup tables over the lexicon, built once.
struct Lexicon {
  std::unordered_map<std::string, std::vector<std::pair<int, bool>>> nouns;  // -> (noun, plural)
  std::unordered_map<std::string, int> adjectives;
  std::unordered_map<std::string, std::vector<int>> verbs;  // base or third-person form
  std::vector<std::pair<int, int>> withheld;                // (noun, adjective)
  std::vector<std::vector<std::string>> fixed;              // English tokens of each phrase
};
const Lexicon& lexicon();

// Whether an adjective can describe a noun with these tags. Sizes do not measure a mass
// ("small rice"), unless it is an animal ("the big fish").
bool describes(const Adjective& adjective, Tags tags);

// Whether the pair is one of the withheld combinations only kHard contains.
bool withheld(int noun, int adjective);

}  // namespace attnscope::toy
