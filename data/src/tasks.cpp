// The toy English->French language, the symbol tasks and the corpus helpers of tasks.h.
//
// A toy sentence exists in three forms: a Sentence (which words in which grammatical
// slots), its English tokens and its French tokens with their alignment. The Generator
// samples Sentences, the Parser recovers the Sentence behind an English text, and one
// Realizer turns a Sentence into both languages at once, so that sampling and parsing can
// never disagree about a translation: every French rule lives in the Realizer alone.
#include "attnscope/tasks.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "attnscope/error.h"
#include "attnscope/io.h"
#include "attnscope/tokenizer.h"

namespace attnscope {
namespace {

// ---------------------------------------------------------------------------------------
// Random numbers and hashes. Fixed algorithms (mt19937_64 and a plain modulo rather than
// std::uniform_int_distribution, whose output differs between standard libraries) so that
// a seed gives the same data on every machine.

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  int below(size_t n) { return static_cast<int>(engine_() % n); }
  bool chance(double p) { return static_cast<double>(engine_() >> 11) * 0x1.0p-53 < p; }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }

 private:
  std::mt19937_64 engine_;
};

uint64_t fnv1a(const std::string& text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

// SplitMix64's finalizer: nearby seeds give unrelated streams.
uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

bool in_test_split(const std::string& source) {
  return fnv1a(source) % 10 == 0;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i) out += ' ';
    out += words[i];
  }
  return out;
}

std::vector<std::string> split_spaces(const std::string& text) {
  std::vector<std::string> words;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) words.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return words;
}

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

// ---------------------------------------------------------------------------------------
// The lexicon. Tags say what a noun is; verbs, adjectives and prepositions say which tags
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

constexpr Tags kA = kAnimal | kColor | kBy;
constexpr Tags kB = kBuilding | kIn | kBy;
constexpr Tags kV = kVehicle | kColor | kBy;

// clang-format off
const Noun kNouns[] = {
    // People. Only kMale/kFemale nouns are referred back to by "he"/"she".
    {"man", "men", "homme", "hommes", 'm', kPerson | kMale | kBy, 0},
    {"woman", "women", "femme", "femmes", 'f', kPerson | kFemale | kBy, 0},
    {"boy", "boys", "garçon", "garçons", 'm', kPerson | kMale | kBy, 0},
    {"girl", "girls", "fille", "filles", 'f', kPerson | kFemale | kBy, 0},
    {"child", "children", "enfant", "enfants", 'm', kPerson | kBy, 0},
    {"baby", "babies", "bébé", "bébés", 'm', kPerson | kBy, 0},
    {"father", "fathers", "père", "pères", 'm', kPerson | kMale | kBy, kPerson},
    {"mother", "mothers", "mère", "mères", 'f', kPerson | kFemale | kBy, kPerson},
    {"brother", "brothers", "frère", "frères", 'm', kPerson | kMale | kBy, kPerson},
    {"sister", "sisters", "sœur", "sœurs", 'f', kPerson | kFemale | kBy, kPerson},
    {"son", "sons", "fils", "fils", 'm', kPerson | kMale | kBy, kPerson},
    {"uncle", "uncles", "oncle", "oncles", 'm', kPerson | kMale | kBy, kPerson},
    {"aunt", "aunts", "tante", "tantes", 'f', kPerson | kFemale | kBy, kPerson},
    {"grandfather", "grandfathers", "grand-père", "grands-pères", 'm', kPerson | kMale | kBy,
     kPerson},
    {"grandmother", "grandmothers", "grand-mère", "grands-mères", 'f', kPerson | kFemale | kBy,
     kPerson},
    {"king", "kings", "roi", "rois", 'm', kPerson | kMale | kBy, 0},
    {"queen", "queens", "reine", "reines", 'f', kPerson | kFemale | kBy, 0},
    {"prince", "princes", "prince", "princes", 'm', kPerson | kMale | kBy, 0},
    {"princess", "princesses", "princesse", "princesses", 'f', kPerson | kFemale | kBy, 0},
    {"actor", "actors", "acteur", "acteurs", 'm', kPerson | kMale | kBy, 0},
    {"actress", "actresses", "actrice", "actrices", 'f', kPerson | kFemale | kBy, 0},
    {"waiter", "waiters", "serveur", "serveurs", 'm', kPerson | kMale | kBy, 0},
    {"waitress", "waitresses", "serveuse", "serveuses", 'f', kPerson | kFemale | kBy, 0},
    {"teacher", "teachers", "professeur", "professeurs", 'm', kPerson | kBy, kPerson},
    {"doctor", "doctors", "médecin", "médecins", 'm', kPerson | kBy, kPerson},
    {"student", "students", "étudiant", "étudiants", 'm', kPerson | kBy, 0},
    {"pupil", "pupils", "élève", "élèves", 'm', kPerson | kBy, 0},
    {"friend", "friends", "ami", "amis", 'm', kPerson | kBy, kPerson},
    {"neighbor", "neighbors", "voisin", "voisins", 'm', kPerson | kBy, kPerson},
    {"farmer", "farmers", "fermier", "fermiers", 'm', kPerson | kBy, 0},
    {"baker", "bakers", "boulanger", "boulangers", 'm', kPerson | kBy, 0},
    {"soldier", "soldiers", "soldat", "soldats", 'm', kPerson | kBy, 0},
    {"artist", "artists", "artiste", "artistes", 'm', kPerson | kBy, 0},
    {"singer", "singers", "chanteur", "chanteurs", 'm', kPerson | kBy, 0},
    {"writer", "writers", "écrivain", "écrivains", 'm', kPerson | kBy, 0},
    {"driver", "drivers", "chauffeur", "chauffeurs", 'm', kPerson | kBy, 0},
    {"lawyer", "lawyers", "avocat", "avocats", 'm', kPerson | kBy, 0},
    {"engineer", "engineers", "ingénieur", "ingénieurs", 'm', kPerson | kBy, 0},
    // Animals.
    {"cat", "cats", "chat", "chats", 'm', kA, kPerson},
    {"dog", "dogs", "chien", "chiens", 'm', kA, kPerson},
    {"bird", "birds", "oiseau", "oiseaux", 'm', kA | kFlies, 0},
    {"horse", "horses", "cheval", "chevaux", 'm', kA, kPerson},
    {"cow", "cows", "vache", "vaches", 'f', kA, 0},
    {"mouse", "mice", "souris", "souris", 'f', kA, 0},
    {"rabbit", "rabbits", "lapin", "lapins", 'm', kA, 0},
    {"duck", "ducks", "canard", "canards", 'm', kA | kFlies, 0},
    {"pig", "pigs", "cochon", "cochons", 'm', kA, 0},
    {"hen", "hens", "poule", "poules", 'f', kA, 0},
    {"lion", "lions", "lion", "lions", 'm', kA, 0},
    {"tiger", "tigers", "tigre", "tigres", 'm', kA, 0},
    {"elephant", "elephants", "éléphant", "éléphants", 'm', kA, 0},
    {"monkey", "monkeys", "singe", "singes", 'm', kA, 0},
    {"bear", "bears", "ours", "ours", 'm', kA, 0},
    {"wolf", "wolves", "loup", "loups", 'm', kA, 0},
    {"fox", "foxes", "renard", "renards", 'm', kA, 0},
    {"frog", "frogs", "grenouille", "grenouilles", 'f', kA, 0},
    {"snake", "snakes", "serpent", "serpents", 'm', kA | kLong, 0},
    {"spider", "spiders", "araignée", "araignées", 'f', kA, 0},
    {"bee", "bees", "abeille", "abeilles", 'f', kA | kFlies, 0},
    {"butterfly", "butterflies", "papillon", "papillons", 'm', kA | kFlies, 0},
    {"goat", "goats", "chèvre", "chèvres", 'f', kA, 0},
    {"owl", "owls", "hibou", "hiboux", 'm', kA | kFlies, 0},  // aspirated h: "le hibou"
    {"ant", "ants", "fourmi", "fourmis", 'f', kA, 0},
    {"fish", nullptr, "poisson", nullptr, 'm', kAnimal | kFood | kMass | kBy, 0},
    // Food and drink.
    {"apple", "apples", "pomme", "pommes", 'f', kFood | kFruit | kRound, 0},
    {"orange", "oranges", "orange", "oranges", 'f', kFood | kFruit | kRound, 0},
    {"banana", "bananas", "banane", "bananes", 'f', kFood | kFruit, 0},
    {"pear", "pears", "poire", "poires", 'f', kFood | kFruit, 0},
    {"lemon", "lemons", "citron", "citrons", 'm', kFood | kFruit, 0},
    {"strawberry", "strawberries", "fraise", "fraises", 'f', kFood | kFruit, 0},
    {"tomato", "tomatoes", "tomate", "tomates", 'f', kFood | kFruit | kRound, 0},
    {"carrot", "carrots", "carotte", "carottes", 'f', kFood | kLong, 0},
    {"egg", "eggs", "œuf", "œufs", 'm', kFood, 0},
    {"cake", "cakes", "gâteau", "gâteaux", 'm', kFood | kRound, 0},
    {"pie", "pies", "tarte", "tartes", 'f', kFood | kRound, 0},
    {"cookie", "cookies", "biscuit", "biscuits", 'm', kFood, 0},
    {"sandwich", "sandwiches", "sandwich", "sandwichs", 'm', kFood, 0},
    {"salad", "salads", "salade", "salades", 'f', kFood, 0},
    {"pizza", "pizzas", "pizza", "pizzas", 'f', kFood | kRound | kOrigin, 0},
    {"bread", nullptr, "pain", nullptr, 'm', kFood | kMass | kOrigin, 0},
    {"cheese", nullptr, "fromage", nullptr, 'm', kFood | kMass | kOrigin, 0},
    {"soup", nullptr, "soupe", nullptr, 'f', kFood | kMass, 0},
    {"meat", nullptr, "viande", nullptr, 'f', kFood | kMass, 0},
    {"rice", nullptr, "riz", nullptr, 'm', kFood | kMass, 0},
    {"butter", nullptr, "beurre", nullptr, 'm', kFood | kMass, 0},
    {"chocolate", nullptr, "chocolat", nullptr, 'm', kFood | kMass, 0},
    {"sugar", nullptr, "sucre", nullptr, 'm', kFood | kMass, 0},
    {"water", nullptr, "eau", nullptr, 'f', kDrink | kMass, 0},
    {"milk", nullptr, "lait", nullptr, 'm', kDrink | kMass, 0},
    {"coffee", nullptr, "café", nullptr, 'm', kDrink | kMass, 0},
    {"tea", nullptr, "thé", nullptr, 'm', kDrink | kMass, 0},
    {"juice", nullptr, "jus", nullptr, 'm', kDrink | kMass, 0},
    {"wine", nullptr, "vin", nullptr, 'm', kDrink | kMass | kOrigin, 0},
    {"lemonade", nullptr, "limonade", nullptr, 'f', kDrink | kMass, 0},
    // Things to hold, read, wear, play with.
    {"book", "books", "livre", "livres", 'm', kObject | kReadable | kOpenable | kColor | kOrigin,
     kPerson},
    {"letter", "letters", "lettre", "lettres", 'f',
     kObject | kReadable | kWritable | kOpenable | kLong, 0},
    {"newspaper", "newspapers", "journal", "journaux", 'm', kObject | kReadable | kOrigin, 0},
    {"card", "cards", "carte", "cartes", 'f', kObject | kReadable | kWritable | kColor, 0},
    {"story", "stories", "histoire", "histoires", 'f', kReadable | kWritable | kHeard | kLong, 0},
    {"word", "words", "mot", "mots", 'm', kWritable | kLong, 0},
    {"question", "questions", "question", "questions", 'f', kWritable, 0},
    {"song", "songs", "chanson", "chansons", 'f', kHeard | kSong | kWritable | kLong | kOrigin, 0},
    {"music", nullptr, "musique", nullptr, 'f', kHeard | kMass | kOrigin, 0},
    {"radio", "radios", "radio", "radios", 'f', kObject | kHeard | kFragile, 0},
    {"film", "films", "film", "films", 'm', kShow | kLong | kOrigin, 0},
    {"game", "games", "jeu", "jeux", 'm', kToy | kShow, 0},
    {"pen", "pens", "stylo", "stylos", 'm', kObject | kColor, 0},
    {"pencil", "pencils", "crayon", "crayons", 'm', kObject | kColor | kLong, 0},
    {"key", "keys", "clé", "clés", 'f', kObject, kBuilding | kVehicle | kRoom},
    {"bag", "bags", "sac", "sacs", 'm', kObject | kColor | kContainer | kOpenable | kIn, kPerson},
    {"box", "boxes", "boîte", "boîtes", 'f', kObject | kColor | kContainer | kOpenable | kIn | kBy,
     0},
    {"ball", "balls", "ballon", "ballons", 'm', kToy | kColor | kRound, kPerson},
    {"toy", "toys", "jouet", "jouets", 'm', kToy | kColor, kPerson},
    {"doll", "dolls", "poupée", "poupées", 'f', kToy | kColor, 0},
    {"hat", "hats", "chapeau", "chapeaux", 'm', kClothing | kObject | kColor, kPerson},
    {"shirt", "shirts", "chemise", "chemises", 'f', kClothing | kObject | kColor, 0},
    {"dress", "dresses", "robe", "robes", 'f', kClothing | kObject | kColor | kLong, 0},
    {"shoe", "shoes", "chaussure", "chaussures", 'f', kClothing | kObject | kColor, 0},
    {"coat", "coats", "manteau", "manteaux", 'm', kClothing | kObject | kColor | kLong, 0},
    {"umbrella", "umbrellas", "parapluie", "parapluies", 'm', kObject | kColor | kUnder, 0},
    {"phone", "phones", "téléphone", "téléphones", 'm', kObject | kFragile | kColor, kPerson},
    {"computer", "computers", "ordinateur", "ordinateurs", 'm', kObject | kFragile, 0},
    {"photo", "photos", "photo", "photos", 'f', kObject, 0},
    {"glass", "glasses", "verre", "verres", 'm', kObject | kFragile | kContainer, 0},
    {"cup", "cups", "tasse", "tasses", 'f', kObject | kFragile | kContainer | kColor, 0},
    {"plate", "plates", "assiette", "assiettes", 'f', kObject | kFragile | kRound, 0},
    {"bottle", "bottles", "bouteille", "bouteilles", 'f',
     kObject | kFragile | kContainer | kOpenable, 0},
    {"knife", "knives", "couteau", "couteaux", 'm', kObject | kLong, 0},
    {"spoon", "spoons", "cuillère", "cuillères", 'f', kObject, 0},
    {"fork", "forks", "fourchette", "fourchettes", 'f', kObject, 0},
    {"clock", "clocks", "horloge", "horloges", 'f', kObject | kFragile | kRound, 0},  // mute h
    {"lamp", "lamps", "lampe", "lampes", 'f', kObject | kFragile | kColor, 0},
    {"gift", "gifts", "cadeau", "cadeaux", 'm', kObject, 0},
    {"stone", "stones", "pierre", "pierres", 'f', kObject, 0},
    {"flower", "flowers", "fleur", "fleurs", 'f', kPlant | kObject | kColor, 0},
    {"money", nullptr, "argent", nullptr, 'm', kMoney | kMass, 0},
    // Furniture and the parts of a building.
    {"table", "tables", "table", "tables", 'f',
     kFurniture | kColor | kRound | kLong | kOn | kUnder | kBy, 0},
    {"chair", "chairs", "chaise", "chaises", 'f', kFurniture | kColor | kOn | kUnder | kBy, 0},
    {"bed", "beds", "lit", "lits", 'm', kFurniture | kColor | kIn | kOn | kUnder | kBy, 0},
    {"sofa", "sofas", "canapé", "canapés", 'm', kFurniture | kColor | kOn | kBy, 0},
    {"shelf", "shelves", "étagère", "étagères", 'f', kFurniture | kOn, 0},
    {"fridge", "fridges", "réfrigérateur", "réfrigérateurs", 'm',
     kFurniture | kContainer | kOpenable | kIn | kBy, 0},
    {"door", "doors", "porte", "portes", 'f', kFixture | kColor | kOpenable | kBy,
     kBuilding | kVehicle | kRoom},
    {"window", "windows", "fenêtre", "fenêtres", 'f', kFixture | kOpenable | kFragile | kBy,
     kBuilding | kVehicle | kRoom},
    {"wall", "walls", "mur", "murs", 'm', kFixture | kColor | kLong | kOn | kBy,
     kBuilding | kRoom},
    {"roof", "roofs", "toit", "toits", 'm', kFixture | kColor | kOn, kBuilding | kVehicle},
    // Vehicles.
    {"car", "cars", "voiture", "voitures", 'f', kV | kDrivable | kOrigin | kIn, kPerson},
    {"bus", "buses", "bus", "bus", 'm', kV | kDrivable | kLong | kIn, 0},
    {"truck", "trucks", "camion", "camions", 'm', kV | kDrivable | kIn, 0},
    {"train", "trains", "train", "trains", 'm', kV | kLong | kIn, 0},
    {"boat", "boats", "bateau", "bateaux", 'm', kV | kIn | kOn, 0},
    {"plane", "planes", "avion", "avions", 'm', kV | kFlies | kIn, 0},
    {"bicycle", "bicycles", "vélo", "vélos", 'm', kV | kOn, kPerson},
    // Buildings and rooms.
    {"house", "houses", "maison", "maisons", 'f', kB | kColor | kContainer, kPerson},
    {"school", "schools", "école", "écoles", 'f', kB | kAt, 0},
    {"church", "churches", "église", "églises", 'f', kB | kAt, 0},
    {"hospital", "hospitals", "hôpital", "hôpitaux", 'm', kB | kAt, 0},
    {"hotel", "hotels", "hôtel", "hôtels", 'm', kB | kAt, 0},
    {"station", "stations", "gare", "gares", 'f', kB | kAt, 0},
    {"shop", "shops", "magasin", "magasins", 'm', kB | kAt | kOpenable, 0},
    {"market", "markets", "marché", "marchés", 'm', kBuilding | kBy | kAt, 0},
    {"bank", "banks", "banque", "banques", 'f', kB | kAt | kOpenable, 0},
    {"library", "libraries", "bibliothèque", "bibliothèques", 'f', kB | kAt, 0},
    {"museum", "museums", "musée", "musées", 'm', kB | kAt | kOpenable, 0},
    {"restaurant", "restaurants", "restaurant", "restaurants", 'm', kB | kAt | kOpenable, 0},
    {"bakery", "bakeries", "boulangerie", "boulangeries", 'f', kB | kAt | kOpenable, 0},
    {"cinema", "cinemas", "cinéma", "cinémas", 'm', kB | kAt, 0},
    {"office", "offices", "bureau", "bureaux", 'm', kB | kAt, 0},
    {"castle", "castles", "château", "châteaux", 'm', kB, 0},
    {"airport", "airports", "aéroport", "aéroports", 'm', kBuilding | kBy | kAt, 0},
    {"farm", "farms", "ferme", "fermes", 'f', kBuilding | kBy | kAt, 0},
    {"kitchen", "kitchens", "cuisine", "cuisines", 'f', kRoom | kContainer | kIn, 0},
    {"bedroom", "bedrooms", "chambre", "chambres", 'f', kRoom | kContainer | kIn, 0},
    {"classroom", "classrooms", "classe", "classes", 'f', kRoom | kContainer | kIn, 0},
    {"garage", "garages", "garage", "garages", 'm', kRoom | kContainer | kIn | kBy, 0},
    // Outdoors and the sky.
    {"garden", "gardens", "jardin", "jardins", 'm', kOutdoor | kIn | kBy, kPerson | kBuilding},
    {"park", "parks", "parc", "parcs", 'm', kOutdoor | kIn | kBy | kAt, 0},
    {"forest", "forests", "forêt", "forêts", 'f', kOutdoor | kIn | kBy, 0},
    {"field", "fields", "champ", "champs", 'm', kOutdoor | kIn | kBy, 0},
    {"beach", "beaches", "plage", "plages", 'f', kOutdoor | kOn | kAt, 0},
    {"river", "rivers", "rivière", "rivières", 'f', kOutdoor | kWater | kLong | kIn | kBy, 0},
    {"lake", "lakes", "lac", "lacs", 'm', kOutdoor | kWater | kIn | kBy, 0},
    {"sea", nullptr, "mer", nullptr, 'f', kOutdoor | kWater | kUnique | kIn | kBy, 0},
    {"mountain", "mountains", "montagne", "montagnes", 'f', kOutdoor | kOn | kBy, 0},
    {"island", "islands", "île", "îles", 'f', kOutdoor | kOn, 0},
    {"road", "roads", "route", "routes", 'f', kOutdoor | kLong | kOn, 0},
    {"street", "streets", "rue", "rues", 'f', kOutdoor | kLong | kIn, 0},
    {"bridge", "bridges", "pont", "ponts", 'm', kOutdoor | kLong | kOn | kUnder | kBy, 0},
    {"city", "cities", "ville", "villes", 'f', kOutdoor | kIn, 0},
    {"village", "villages", "village", "villages", 'm', kOutdoor | kIn | kBy, 0},
    {"tree", "trees", "arbre", "arbres", 'm', kPlant | kIn | kUnder | kBy, 0},
    {"sky", nullptr, "ciel", nullptr, 'm', kSky | kUnique | kIn, 0},
    {"sun", nullptr, "soleil", nullptr, 'm', kSky | kUnique, 0},
    {"moon", nullptr, "lune", nullptr, 'f', kSky | kUnique, 0},
    {"star", "stars", "étoile", "étoiles", 'f', kSky, 0},
};
// clang-format on
constexpr int kNounCount = static_cast<int>(sizeof(kNouns) / sizeof(kNouns[0]));

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

// clang-format off
const Adjective kAdjectives[] = {
    // Before the noun in French.
    {"little", {"petit", "petite", "petits", "petites"}, nullptr, true, kSize,
     kLiving | kThing | kFood | kPlace | kPlant},
    {"small", {"petit", "petite", "petits", "petites"}, nullptr, true, kSize,
     kLiving | kThing | kFood | kPlace | kPlant},
    {"big", {"grand", "grande", "grands", "grandes"}, nullptr, true, kSize,
     kLiving | kThing | kFood | kPlace | kPlant},
    {"tall", {"grand", "grande", "grands", "grandes"}, nullptr, true, kSize,
     kPerson | kBuilding | kPlant},
    {"beautiful", {"beau", "belle", "beaux", "belles"}, "bel", true, kOpinion,
     kLiving | kThing | kPlace | kPlant | kSky},
    {"pretty", {"joli", "jolie", "jolis", "jolies"}, nullptr, true, kOpinion,
     kLiving | kThing | kPlace | kPlant},
    {"good", {"bon", "bonne", "bons", "bonnes"}, nullptr, true, kOpinion,
     kLiving | kFood | kDrink | kReadable | kHeard | kShow | kToy},
    {"bad", {"mauvais", "mauvaise", "mauvais", "mauvaises"}, nullptr, true, kOpinion,
     kLiving | kFood | kDrink | kReadable | kHeard | kShow | kToy},
    {"young", {"jeune", "jeune", "jeunes", "jeunes"}, nullptr, true, kAge, kLiving | kPlant},
    {"old", {"vieux", "vieille", "vieux", "vieilles"}, "vieil", true, kAge,
     kLiving | kThing | kPlace | kPlant},
    {"new", {"nouveau", "nouvelle", "nouveaux", "nouvelles"}, "nouvel", true, kAge,
     kPerson | kThing | kBuilding | kHeard | kShow},
    {"long", {"long", "longue", "longs", "longues"}, nullptr, true, kSize, kLong},
    {"fat", {"gros", "grosse", "gros", "grosses"}, nullptr, true, kSize, kAnimal},
    // After the noun.
    {"black", {"noir", "noire", "noirs", "noires"}, nullptr, false, kColour, kColor},
    {"white", {"blanc", "blanche", "blancs", "blanches"}, nullptr, false, kColour, kColor},
    {"red", {"rouge", "rouge", "rouges", "rouges"}, nullptr, false, kColour, kColor | kFruit},
    {"blue", {"bleu", "bleue", "bleus", "bleues"}, nullptr, false, kColour, kColor | kSky},
    {"green", {"vert", "verte", "verts", "vertes"}, nullptr, false, kColour, kColor | kFruit},
    {"yellow", {"jaune", "jaune", "jaunes", "jaunes"}, nullptr, false, kColour, kColor | kFruit},
    {"grey", {"gris", "grise", "gris", "grises"}, nullptr, false, kColour, kColor | kSky},
    {"pink", {"rose", "rose", "roses", "roses"}, nullptr, false, kColour, kColor},
    {"brown", {"brun", "brune", "bruns", "brunes"}, nullptr, false, kColour, kAnimal},
    {"happy", {"heureux", "heureuse", "heureux", "heureuses"}, nullptr, false, kOpinion, kLiving},
    {"sad", {"triste", "triste", "tristes", "tristes"}, nullptr, false, kOpinion, kLiving},
    {"tired", {"fatigué", "fatiguée", "fatigués", "fatiguées"}, nullptr, false, kOpinion,
     kLiving},
    {"kind", {"gentil", "gentille", "gentils", "gentilles"}, nullptr, false, kOpinion, kLiving},
    {"intelligent", {"intelligent", "intelligente", "intelligents", "intelligentes"}, nullptr,
     false, kOpinion, kLiving},
    {"funny", {"drôle", "drôle", "drôles", "drôles"}, nullptr, false, kOpinion,
     kLiving | kReadable | kShow | kHeard},
    {"strange", {"étrange", "étrange", "étranges", "étranges"}, nullptr, false, kOpinion,
     kLiving | kThing | kPlace | kFood | kHeard | kShow},
    {"lazy", {"paresseux", "paresseuse", "paresseux", "paresseuses"}, nullptr, false, kOpinion,
     kLiving},
    {"brave", {"courageux", "courageuse", "courageux", "courageuses"}, nullptr, false, kOpinion,
     kLiving},
    {"rich", {"riche", "riche", "riches", "riches"}, nullptr, false, kOpinion, kPerson},
    {"poor", {"pauvre", "pauvre", "pauvres", "pauvres"}, nullptr, false, kOpinion, kPerson},
    {"famous", {"célèbre", "célèbre", "célèbres", "célèbres"}, nullptr, false, kOpinion,
     kPerson | kBuilding | kReadable | kShow | kHeard},
    {"sick", {"malade", "malade", "malades", "malades"}, nullptr, false, kOpinion, kLiving},
    {"proud", {"fier", "fière", "fiers", "fières"}, nullptr, false, kOpinion, kLiving},
    {"quiet", {"calme", "calme", "calmes", "calmes"}, nullptr, false, kOpinion, kLiving | kPlace},
    {"noisy", {"bruyant", "bruyante", "bruyants", "bruyantes"}, nullptr, false, kOpinion,
     kLiving | kPlace | kVehicle},
    {"polite", {"poli", "polie", "polis", "polies"}, nullptr, false, kOpinion, kPerson},
    {"dangerous", {"dangereux", "dangereuse", "dangereux", "dangereuses"}, nullptr, false,
     kOpinion, kAnimal | kOutdoor | kVehicle},
    {"delicious", {"délicieux", "délicieuse", "délicieux", "délicieuses"}, nullptr, false,
     kOpinion, kFood | kDrink},
    {"expensive", {"cher", "chère", "chers", "chères"}, nullptr, false, kOpinion,
     kThing | kBuilding | kFood | kDrink},
    {"clean", {"propre", "propre", "propres", "propres"}, nullptr, false, kOpinion,
     kThing | kPlace},
    {"dirty", {"sale", "sale", "sales", "sales"}, nullptr, false, kOpinion,
     kThing | kPlace | kAnimal},
    {"heavy", {"lourd", "lourde", "lourds", "lourdes"}, nullptr, false, kSize,
     kObject | kFurniture | kToy | kReadable},
    {"light", {"léger", "légère", "légers", "légères"}, nullptr, false, kSize,
     kObject | kClothing | kToy | kReadable},
    {"short", {"court", "courte", "courts", "courtes"}, nullptr, false, kSize, kLong},
    {"hot", {"chaud", "chaude", "chauds", "chaudes"}, nullptr, false, kCondition,
     kFood | kDrink | kRoom},
    {"cold", {"froid", "froide", "froids", "froides"}, nullptr, false, kCondition,
     kFood | kDrink | kRoom | kWater},
    {"fresh", {"frais", "fraîche", "frais", "fraîches"}, nullptr, false, kCondition,
     kFood | kDrink},
    {"sweet", {"sucré", "sucrée", "sucrés", "sucrées"}, nullptr, false, kCondition,
     kFood | kDrink},
    {"empty", {"vide", "vide", "vides", "vides"}, nullptr, false, kCondition, kContainer},
    {"full", {"plein", "pleine", "pleins", "pleines"}, nullptr, false, kCondition, kContainer},
    {"open", {"ouvert", "ouverte", "ouverts", "ouvertes"}, nullptr, false, kCondition,
     kOpenable},
    {"closed", {"fermé", "fermée", "fermés", "fermées"}, nullptr, false, kCondition, kOpenable},
    {"broken", {"cassé", "cassée", "cassés", "cassées"}, nullptr, false, kCondition,
     kFragile | kToy | kVehicle | kFurniture},
    {"fast", {"rapide", "rapide", "rapides", "rapides"}, nullptr, false, kCondition,
     kAnimal | kVehicle},
    {"slow", {"lent", "lente", "lents", "lentes"}, nullptr, false, kCondition, kAnimal | kVehicle},
    {"soft", {"doux", "douce", "doux", "douces"}, nullptr, false, kCondition,
     kFood | kFurniture | kClothing | kToy | kAnimal},
    {"dry", {"sec", "sèche", "secs", "sèches"}, nullptr, false, kCondition,
     kClothing | kFood | kOutdoor},
    {"wet", {"mouillé", "mouillée", "mouillés", "mouillées"}, nullptr, false, kCondition,
     kLiving | kClothing | kOutdoor},
    {"round", {"rond", "ronde", "ronds", "rondes"}, nullptr, false, kCondition, kRound},
    {"wild", {"sauvage", "sauvage", "sauvages", "sauvages"}, nullptr, false, kCondition,
     kAnimal | kPlant},
    {"strong", {"fort", "forte", "forts", "fortes"}, nullptr, false, kCondition,
     kLiving | kDrink},
    {"french", {"français", "française", "français", "françaises"}, nullptr, false, kNationality,
     kOrigin},
    {"english", {"anglais", "anglaise", "anglais", "anglaises"}, nullptr, false, kNationality,
     kOrigin},
    {"italian", {"italien", "italienne", "italiens", "italiennes"}, nullptr, false, kNationality,
     kOrigin},
};
// clang-format on
constexpr int kAdjectiveCount = static_cast<int>(sizeof(kAdjectives) / sizeof(kAdjectives[0]));

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
const PrepInfo kPreps[] = {
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
const PrepInfo& prep_info(Prep p) {
  for (const PrepInfo& info : kPreps)
    if (info.prep == p) return info;
  return kPreps[0];
}

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

// clang-format off
const Verb kVerbs[] = {
    {"eat", "eats", nullptr, {"mange", "mange", "mangeons", "mangez", "mangent"}, kLiving, kFood,
     kOptionalObject, kModLoc | kModWith, nullptr},
    {"drink", "drinks", nullptr, {"bois", "boit", "buvons", "buvez", "boivent"}, kLiving, kDrink,
     kOptionalObject, kModLoc | kModWith, nullptr},
    {"see", "sees", nullptr, {"vois", "voit", "voyons", "voyez", "voient"}, kLiving,
     kVisible | kShow, 0, kModLoc, nullptr},
    {"watch", "watches", nullptr, {"regarde", "regarde", "regardons", "regardez", "regardent"},
     kLiving, kLiving | kVehicle | kShow | kSky, 0, kModLoc | kModWith, nullptr},
    {"look", "looks", "at", {"regarde", "regarde", "regardons", "regardez", "regardent"}, kLiving,
     kVisible, 0, kModLoc, nullptr},
    {"look", "looks", "for", {"cherche", "cherche", "cherchons", "cherchez", "cherchent"},
     kLiving, kLiving | kPortable | kBuilding | kMoney, 0, kModLoc, nullptr},
    {"like", "likes", nullptr, {"aime", "aime", "aimons", "aimez", "aiment"}, kPerson,
     kVisible | kDrink | kHeard | kShow, kPreference, 0, nullptr},
    {"love", "loves", nullptr, {"adore", "adore", "adorons", "adorez", "adorent"}, kPerson,
     kVisible | kDrink | kHeard | kShow, kPreference, 0, nullptr},
    {"hate", "hates", nullptr, {"déteste", "déteste", "détestons", "détestez", "détestent"},
     kPerson, kVisible | kDrink | kHeard | kShow, kPreference, 0, nullptr},
    {"want", "wants", nullptr, {"veux", "veut", "voulons", "voulez", "veulent"}, kLiving,
     kFood | kDrink | kObject | kToy | kClothing | kVehicle | kBuilding | kMoney, 0, 0, nullptr},
    {"have", "has", nullptr, {"ai", "a", "avons", "avez", "ont"}, kLiving,
     kLiving | kObject | kToy | kClothing | kVehicle | kBuilding | kMoney, 0, kModLoc, nullptr},
    {"buy", "buys", nullptr, {"achète", "achète", "achetons", "achetez", "achètent"}, kPerson,
     kFood | kDrink | kObject | kToy | kClothing | kVehicle | kBuilding, 0, kModLoc | kModFor,
     nullptr},
    {"sell", "sells", nullptr, {"vends", "vend", "vendons", "vendez", "vendent"}, kPerson,
     kFood | kDrink | kObject | kToy | kClothing | kVehicle | kBuilding, kRecipient, kModLoc,
     nullptr},
    {"read", "reads", nullptr, {"lis", "lit", "lisons", "lisez", "lisent"}, kPerson, kReadable,
     kOptionalObject | kRecipient, kModLoc | kModWith | kModFor, nullptr},
    {"write", "writes", nullptr, {"écris", "écrit", "écrivons", "écrivez", "écrivent"}, kPerson,
     kWritable, kOptionalObject | kRecipient, kModLoc | kModFor, nullptr},
    {"open", "opens", nullptr, {"ouvre", "ouvre", "ouvrons", "ouvrez", "ouvrent"}, kPerson,
     kOpenable, 0, 0, nullptr},
    {"close", "closes", nullptr, {"ferme", "ferme", "fermons", "fermez", "ferment"}, kPerson,
     kOpenable, 0, 0, nullptr},
    {"take", "takes", nullptr, {"prends", "prend", "prenons", "prenez", "prennent"}, kPerson,
     kPortable | kVehicle | kMoney, 0, 0, nullptr},
    {"carry", "carries", nullptr, {"porte", "porte", "portons", "portez", "portent"}, kLiving,
     kPortable | kAnimal, 0, kModLoc, nullptr},
    {"find", "finds", nullptr, {"trouve", "trouve", "trouvons", "trouvez", "trouvent"}, kLiving,
     kPortable | kLiving | kMoney, 0, kModLoc, nullptr},
    {"lose", "loses", nullptr, {"perds", "perd", "perdons", "perdez", "perdent"}, kPerson,
     kObject | kToy | kClothing | kMoney | kAnimal, 0, kModLoc, nullptr},
    {"wait", "waits", "for", {"attends", "attend", "attendons", "attendez", "attendent"},
     kLiving, kLiving | kVehicle, 0, kModLoc, nullptr},
    {"listen", "listens", "to", {"écoute", "écoute", "écoutons", "écoutez", "écoutent"}, kLiving,
     kLiving | kHeard, 0, kModLoc | kModWith, nullptr},
    {"wash", "washes", nullptr, {"lave", "lave", "lavons", "lavez", "lavent"}, kPerson,
     kObject | kClothing | kVehicle | kAnimal | kFruit | kFurniture | kToy, 0, kModLoc, nullptr},
    {"clean", "cleans", nullptr, {"nettoie", "nettoie", "nettoyons", "nettoyez", "nettoient"},
     kPerson, kRoom | kBuilding | kFurniture | kFixture | kVehicle | kObject, 0, 0, nullptr},
    {"prepare", "prepares", nullptr, {"prépare", "prépare", "préparons", "préparez", "préparent"},
     kPerson, kFood | kDrink, 0, kModLoc | kModFor, nullptr},
    {"draw", "draws", nullptr, {"dessine", "dessine", "dessinons", "dessinez", "dessinent"},
     kPerson, kVisible, kOptionalObject, kModLoc | kModWith | kModFor, nullptr},
    {"paint", "paints", nullptr, {"peins", "peint", "peignons", "peignez", "peignent"}, kPerson,
     kVisible, kOptionalObject, kModLoc | kModWith, nullptr},
    {"know", "knows", nullptr,
     {"connais", "connaît", "connaissons", "connaissez", "connaissent"}, kPerson,
     kPerson | kBuilding | kOutdoor | kHeard | kShow, 0, 0, nullptr},
    {"meet", "meets", nullptr,
     {"rencontre", "rencontre", "rencontrons", "rencontrez", "rencontrent"}, kPerson, kPerson, 0,
     kModLoc, nullptr},
    {"help", "helps", nullptr, {"aide", "aide", "aidons", "aidez", "aident"}, kLiving, kLiving, 0,
     kModLoc, nullptr},
    {"call", "calls", nullptr, {"appelle", "appelle", "appelons", "appelez", "appellent"},
     kPerson, kLiving, 0, 0, nullptr},
    {"visit", "visits", nullptr, {"visite", "visite", "visitons", "visitez", "visitent"}, kPerson,
     kBuilding | kOutdoor, 0, kModWith, nullptr},
    {"follow", "follows", nullptr, {"suis", "suit", "suivons", "suivez", "suivent"}, kLiving,
     kLiving | kVehicle, 0, kModLoc, nullptr},
    {"catch", "catches", nullptr, {"attrape", "attrape", "attrapons", "attrapez", "attrapent"},
     kLiving, kAnimal | kToy, 0, kModLoc, nullptr},
    {"chase", "chases", nullptr, {"chasse", "chasse", "chassons", "chassez", "chassent"}, kLiving,
     kAnimal, 0, kModLoc, nullptr},
    {"bite", "bites", nullptr, {"mords", "mord", "mordons", "mordez", "mordent"}, kAnimal,
     kLiving | kFood | kToy, 0, 0, nullptr},
    {"kiss", "kisses", nullptr,
     {"embrasse", "embrasse", "embrassons", "embrassez", "embrassent"}, kPerson, kLiving, 0, 0,
     nullptr},
    {"hold", "holds", nullptr, {"tiens", "tient", "tenons", "tenez", "tiennent"}, kPerson,
     kPortable | kAnimal, 0, 0, nullptr},
    {"break", "breaks", nullptr, {"casse", "casse", "cassons", "cassez", "cassent"}, kLiving,
     kFragile | kToy, 0, 0, nullptr},
    {"fix", "fixes", nullptr, {"répare", "répare", "réparons", "réparez", "réparent"}, kPerson,
     kFragile | kToy | kVehicle | kFurniture | kFixture, 0, kModFor, nullptr},
    {"build", "builds", nullptr,
     {"construis", "construit", "construisons", "construisez", "construisent"}, kPerson,
     kBuilding | kFurniture | kToy, 0, kModLoc | kModFor, nullptr},
    {"bring", "brings", nullptr, {"apporte", "apporte", "apportons", "apportez", "apportent"},
     kLiving, kPortable | kDrink, kRecipient, 0, nullptr},
    {"use", "uses", nullptr, {"utilise", "utilise", "utilisons", "utilisez", "utilisent"},
     kPerson, kObject | kVehicle, 0, 0, nullptr},
    {"choose", "chooses", nullptr,
     {"choisis", "choisit", "choisissons", "choisissez", "choisissent"}, kPerson, kVisible, 0, 0,
     nullptr},
    {"finish", "finishes", nullptr, {"finis", "finit", "finissons", "finissez", "finissent"},
     kPerson, kFood | kDrink | kReadable, 0, 0, nullptr},
    {"hear", "hears", nullptr, {"entends", "entend", "entendons", "entendez", "entendent"},
     kLiving, kLiving | kHeard | kVehicle, 0, kModLoc, nullptr},
    {"feed", "feeds", nullptr, {"nourris", "nourrit", "nourrissons", "nourrissez", "nourrissent"},
     kPerson, kAnimal, 0, kModLoc, nullptr},
    {"drive", "drives", nullptr, {"conduis", "conduit", "conduisons", "conduisez", "conduisent"},
     kPerson, kDrivable, kOptionalObject, kModLoc | kModWith, nullptr},
    {"push", "pushes", nullptr, {"pousse", "pousse", "poussons", "poussez", "poussent"}, kLiving,
     kObject | kToy | kFurniture | kVehicle, 0, kModLoc, nullptr},
    {"pull", "pulls", nullptr, {"tire", "tire", "tirons", "tirez", "tirent"}, kLiving,
     kObject | kToy | kFurniture | kVehicle, 0, kModLoc, nullptr},
    {"throw", "throws", nullptr, {"lance", "lance", "lançons", "lancez", "lancent"}, kPerson,
     kToy | kObject, kRecipient, kModLoc, nullptr},
    {"give", "gives", nullptr, {"donne", "donne", "donnons", "donnez", "donnent"}, kPerson,
     kPortable | kDrink | kMoney, kRecipient, 0, nullptr},
    {"show", "shows", nullptr, {"montre", "montre", "montrons", "montrez", "montrent"}, kPerson,
     kPortable | kAnimal, kRecipient, 0, nullptr},
    {"send", "sends", nullptr, {"envoie", "envoie", "envoyons", "envoyez", "envoient"}, kPerson,
     kReadable | kObject | kMoney, kRecipient, 0, nullptr},
    {"sing", "sings", nullptr, {"chante", "chante", "chantons", "chantez", "chantent"}, kPerson,
     kSong, kOptionalObject, kModLoc | kModWith | kModFor, nullptr},
    // Intransitive.
    {"speak", "speaks", nullptr, {"parle", "parle", "parlons", "parlez", "parlent"}, kPerson, 0,
     0, kModLoc | kModWith, nullptr},
    {"study", "studies", nullptr, {"étudie", "étudie", "étudions", "étudiez", "étudient"},
     kPerson, 0, 0, kModLoc | kModWith, nullptr},
    {"sleep", "sleeps", nullptr, {"dors", "dort", "dormons", "dormez", "dorment"}, kLiving, 0, 0,
     kModLoc | kModWith, nullptr},
    {"run", "runs", nullptr, {"cours", "court", "courons", "courez", "courent"}, kLiving, 0, 0,
     kModLoc | kModWith | kModTo, "jusqu'à"},
    {"walk", "walks", nullptr, {"marche", "marche", "marchons", "marchez", "marchent"}, kLiving,
     0, 0, kModLoc | kModWith | kModTo, "jusqu'à"},
    {"swim", "swims", nullptr, {"nage", "nage", "nageons", "nagez", "nagent"}, kLiving, 0, 0,
     kModLoc | kModWith, nullptr, kWater},
    {"dance", "dances", nullptr, {"danse", "danse", "dansons", "dansez", "dansent"}, kPerson, 0,
     0, kModLoc | kModWith, nullptr},
    {"laugh", "laughs", nullptr, {"ris", "rit", "rions", "riez", "rient"}, kPerson, 0, 0,
     kModLoc | kModWith, nullptr},
    {"cry", "cries", nullptr, {"pleure", "pleure", "pleurons", "pleurez", "pleurent"}, kPerson, 0,
     0, kModLoc, nullptr},
    {"smile", "smiles", nullptr, {"souris", "sourit", "sourions", "souriez", "sourient"}, kPerson,
     0, 0, 0, nullptr},
    {"work", "works", nullptr,
     {"travaille", "travaille", "travaillons", "travaillez", "travaillent"}, kPerson, 0, 0,
     kModLoc | kModWith | kModFor, nullptr},
    {"play", "plays", nullptr, {"joue", "joue", "jouons", "jouez", "jouent"}, kLiving, 0,
     kWithToys, kModLoc | kModWith, nullptr},
    {"arrive", "arrives", nullptr, {"arrive", "arrive", "arrivons", "arrivez", "arrivent"},
     kLiving | kVehicle, 0, 0, kModLoc, nullptr},
    {"wait", "waits", nullptr, {"attends", "attend", "attendons", "attendez", "attendent"},
     kLiving, 0, 0, kModLoc, nullptr},
    {"jump", "jumps", nullptr, {"saute", "saute", "sautons", "sautez", "sautent"}, kLiving, 0, 0,
     kModLoc, nullptr},
    {"fly", "flies", nullptr, {"vole", "vole", "volons", "volez", "volent"}, kFlies, 0, 0, kModLoc,
     nullptr, kSky | kOutdoor},
    {"live", "lives", nullptr, {"habite", "habite", "habitons", "habitez", "habitent"}, kLiving, 0,
     kNeedsPlace, kModLoc, nullptr, kBuilding | kOutdoor},
    {"go", "goes", nullptr, {"vais", "va", "allons", "allez", "vont"}, kLiving | kVehicle, 0,
     kNeedsDestination, kModTo, "à"},
    {"come", "comes", nullptr, {"viens", "vient", "venons", "venez", "viennent"}, kLiving, 0, 0,
     kModFrom | kModWith, nullptr},
    {"return", "returns", nullptr,
     {"retourne", "retourne", "retournons", "retournez", "retournent"}, kLiving, 0, 0,
     kModTo | kModWith, "à"},
};
// clang-format on
constexpr int kVerbCount = static_cast<int>(sizeof(kVerbs) / sizeof(kVerbs[0]));

enum class Pronoun { kNone, kI, kYou, kHe, kShe, kIt, kWe, kThey };
struct PronounInfo {
  Pronoun pronoun;
  const char* en;
  const char* fr;  // without an antecedent
  int person;      // index into Verb::fr
  Tags tags;       // what it may stand for when sampling
};
const PronounInfo kPronouns[] = {
    {Pronoun::kI, "i", "je", 0, kPerson},
    {Pronoun::kYou, "you", "vous", 3, kPerson},
    {Pronoun::kHe, "he", "il", 1, kPerson},
    {Pronoun::kShe, "she", "elle", 1, kPerson},
    {Pronoun::kIt, "it", "il", 1, kAnimal | kVehicle | kFlies},
    {Pronoun::kWe, "we", "nous", 2, kPerson},
    {Pronoun::kThey, "they", "ils", 4, kLiving},
};
const PronounInfo& pronoun_info(Pronoun p) {
  for (const PronounInfo& info : kPronouns)
    if (info.pronoun == p) return info;
  return kPronouns[0];
}

enum class Det { kThe, kA, kSome, kAny, kThis, kMy, kYour, kHis, kHer, kOur, kTheir, kBare };
struct DetInfo {
  Det det;
  const char* en;         // singular
  const char* en_plural;  // "these"
  int weight;             // how often the generator picks it where allowed
};
const DetInfo kDets[] = {
    {Det::kThe, "the", "the", 40},      {Det::kA, "a", "a", 15},
    {Det::kSome, "some", "some", 8},    {Det::kAny, "any", "any", 10},
    {Det::kThis, "this", "these", 7},   {Det::kMy, "my", "my", 8},
    {Det::kYour, "your", "your", 5},    {Det::kHis, "his", "his", 5},
    {Det::kHer, "her", "her", 5},       {Det::kOur, "our", "our", 4},
    {Det::kTheir, "their", "their", 3}, {Det::kBare, "", "", 15},
};

enum class Adverb { kNone, kOften, kAlways, kSometimes, kToday, kNow, kTomorrow, kEveryDay };
struct AdverbInfo {
  Adverb adverb;
  const char* en;
  const char* fr;
  bool before_verb;  // in English; French puts these right after the verb
};
const AdverbInfo kAdverbs[] = {
    {Adverb::kOften, "often", "souvent", true},
    {Adverb::kAlways, "always", "toujours", true},
    {Adverb::kSometimes, "sometimes", "parfois", true},
    {Adverb::kToday, "today", "aujourd'hui", false},
    {Adverb::kNow, "now", "maintenant", false},
    {Adverb::kTomorrow, "tomorrow", "demain", false},
    {Adverb::kEveryDay, "every day", "tous les jours", false},
};
const AdverbInfo& adverb_info(Adverb a) {
  for (const AdverbInfo& info : kAdverbs)
    if (info.adverb == a) return info;
  return kAdverbs[0];
}

enum class Conj { kAnd, kBut, kOr };
const char* const kConjEn[] = {"and", "but", "or"};
const char* const kConjFr[] = {"et", "mais", "ou"};

struct FixedPhrase {
  const char* en;
  const char* fr;
  const char* alignment;
};
const FixedPhrase kFixedPhrases[] = {
    {"hello , how are you ?", "bonjour , comment allez-vous ?", "0-0 1-1 2-2 3-3 4-3 5-4"},
    {"how are you ?", "comment allez-vous ?", "0-0 1-1 2-1 3-2"},
    {"where are you ?", "où êtes-vous ?", "0-0 1-1 2-1 3-2"},
    {"what is your name ?", "comment vous appelez-vous ?", "0-0 1-2 2-1 3-2 4-3"},
    {"good morning .", "bonjour .", "0-0 1-0 2-1"},
    {"good afternoon .", "bon après-midi .", "0-0 1-1 2-2"},
    {"good evening .", "bonsoir .", "0-0 1-0 2-1"},
    {"good night .", "bonne nuit .", "0-0 1-1 2-2"},
    {"goodbye .", "au revoir .", "0-0 0-1 1-2"},
    {"thank you .", "merci .", "0-0 1-0 2-1"},
    {"thank you very much .", "merci beaucoup .", "0-0 1-0 2-1 3-1 4-2"},
    {"no , thank you .", "non , merci .", "0-0 1-1 2-2 3-2 4-3"},
    {"please .", "s'il vous plaît .", "0-0 0-1 0-2 1-3"},
    {"yes , please .", "oui , s'il vous plaît .", "0-0 1-1 2-2 2-3 2-4 3-5"},
    {"see you tomorrow .", "à demain .", "0-0 1-0 2-1 3-2"},
    {"see you soon .", "à bientôt .", "0-0 1-0 2-1 3-2"},
    {"see you later .", "à plus tard .", "0-0 1-0 2-1 2-2 3-3"},
    {"excuse me .", "excusez-moi .", "0-0 1-0 2-1"},
    {"i am fine , thank you .", "je vais bien , merci .", "0-0 1-1 2-2 3-3 4-4 5-4 6-5"},
    {"you are welcome .", "de rien .", "0-0 0-1 1-0 1-1 2-0 2-1 3-2"},
    {"welcome .", "bienvenue .", "0-0 1-1"},
    {"happy birthday !", "joyeux anniversaire !", "0-0 1-1 2-2"},
    {"good luck !", "bonne chance !", "0-0 1-1 2-2"},
    {"have a nice day !", "bonne journée !", "0-0 1-0 2-0 3-1 4-2"},
    {"enjoy your meal !", "bon appétit !", "0-0 1-0 2-1 3-2"},
    {"nice to meet you .", "enchanté .", "0-0 1-0 2-0 3-0 4-1"},
    {"i am sorry .", "je suis désolé .", "0-0 1-1 2-2 3-3"},
    {"i do not understand .", "je ne comprends pas .", "0-0 1-2 2-1 2-3 3-2 4-4"},
    {"i love you .", "je t'aime .", "0-0 1-1 2-1 3-2"},
    {"what time is it ?", "quelle heure est-il ?", "0-0 1-1 2-2 3-2 4-3"},
    {"how old are you ?", "quel âge avez-vous ?", "0-0 1-1 2-2 3-2 4-3"},
};
constexpr int kFixedCount = static_cast<int>(sizeof(kFixedPhrases) / sizeof(kFixedPhrases[0]));

// The noun-adjective combinations only kHard contains. Each noun and adjective is common in
// training on its own; together they cover both genders, both adjective positions and
// irregular forms (vieille, bel, nouvel, longue, heureuse, gentille).
const std::pair<const char*, const char*> kWithheld[] = {
    {"horse", "white"}, {"house", "old"},   {"tree", "beautiful"}, {"car", "green"},
    {"girl", "happy"},  {"bird", "little"}, {"table", "long"},     {"friend", "new"},
    {"shirt", "blue"},  {"bread", "fresh"}, {"mother", "kind"},    {"school", "big"},
};

// Lookup tables over the lexicon, built once.
struct Lexicon {
  std::unordered_map<std::string, std::vector<std::pair<int, bool>>> nouns;  // -> (noun, plural)
  std::unordered_map<std::string, int> adjectives;
  std::unordered_map<std::string, std::vector<int>> verbs;  // base or third-person form
  std::vector<std::pair<int, int>> withheld;                // (noun, adjective)
  std::vector<std::vector<std::string>> fixed;              // English tokens of each phrase
};

const Lexicon& lexicon() {
  static const Lexicon instance = [] {
    Lexicon lex;
    for (int n = 0; n < kNounCount; ++n) {
      lex.nouns[kNouns[n].en].push_back({n, false});
      if (kNouns[n].en_plural) lex.nouns[kNouns[n].en_plural].push_back({n, true});
    }
    for (int a = 0; a < kAdjectiveCount; ++a)
      lex.adjectives[kAdjectives[a].en] = a;
    for (int v = 0; v < kVerbCount; ++v) {
      lex.verbs[kVerbs[v].en].push_back(v);
      lex.verbs[kVerbs[v].en_third].push_back(v);
    }
    for (const auto& [noun, adjective] : kWithheld) {
      const int n = lex.nouns.at(noun).front().first;
      lex.withheld.push_back({n, lex.adjectives.at(adjective)});
    }
    for (const FixedPhrase& phrase : kFixedPhrases)
      lex.fixed.push_back(split_spaces(phrase.en));
    return lex;
  }();
  return instance;
}

// Whether an adjective can describe a noun with these tags. Sizes do not measure a mass
// ("small rice"), unless it is an animal ("the big fish").
bool describes(const Adjective& adjective, Tags tags) {
  if (!(adjective.applies & tags)) return false;
  return adjective.rank != kSize || !(tags & kMass) || (tags & kAnimal);
}

bool withheld(int noun, int adjective) {
  for (const auto& pair : lexicon().withheld)
    if (pair.first == noun && pair.second == adjective) return true;
  return false;
}

// ---------------------------------------------------------------------------------------
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

const DetInfo& det_info(Det d) {
  for (const DetInfo& info : kDets)
    if (info.det == d) return info;
  return kDets[0];
}

// How English refers back to a clause's subject, for "it"/"they" in the next clause.
struct Antecedent {
  Pronoun pronoun = Pronoun::kNone;  // kNone: no pronoun refers back to it
  bool feminine = false;             // of the French noun(s)
  std::vector<int> nouns;            // what the pronoun stands for
};

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

// The nouns a clause's subject stands for: its own, or the previous clause's subject's when
// it is the pronoun referring back to them ("the horse runs and it is white").
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

// ---------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------
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

std::string alignment_error(const std::string& link, size_t number) {
  return "alignment link " + std::to_string(number) + " '" + link +
         "': expected i-j with i and j non-negative integers, as in \"0-0 1-2 2-1\"";
}

}  // namespace

// ---------------------------------------------------------------------------------------

std::vector<SentencePair> toy_en_fr(Split split, int count, uint64_t seed) {
  if (count < 0) {
    throw InputError("toy_en_fr: count " + std::to_string(count) + ", expected 0 or more");
  }
  Generator generator(mix(seed ^ mix(static_cast<uint64_t>(split) + 1)), split == Split::kHard);
  std::vector<SentencePair> pairs;
  pairs.reserve(static_cast<size_t>(count));
  while (pairs.size() < static_cast<size_t>(count)) {
    Sentence sentence;
    SentencePair pair = generator.next(&sentence);
    if (split != Split::kHard) {
      // Fixed phrases can only be learned by heart: they all stay in training.
      const bool test = sentence.shape != Shape::kFixed && in_test_split(pair.source);
      if (test != (split == Split::kTest)) continue;
    }
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

std::optional<SentencePair> toy_translate(const std::string& english) {
  Parser parser(Tokenizer::split(english, true));
  if (!parser.run()) return std::nullopt;
  return parser.pair();
}

std::vector<std::pair<std::string, std::string>> toy_withheld_pairs() {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [noun, adjective] : kWithheld)
    pairs.emplace_back(noun, adjective);
  return pairs;
}

std::string toy_hard_reason(const std::string& english) {
  Parser parser(Tokenizer::split(english, true));
  if (!parser.run()) return "";
  return hard_reason(parser.sentence());
}

std::vector<SentencePair> symbol_task(const std::string& name, Split split, int count,
                                      uint64_t seed) {
  if (name != "copy" && name != "reverse" && name != "sort") {
    throw InputError("unknown symbol task '" + name + "': expected copy, reverse or sort");
  }
  if (count < 0) {
    throw InputError("symbol_task: count " + std::to_string(count) + ", expected 0 or more");
  }
  Rng rng(mix(seed ^ mix(fnv1a(name) + static_cast<uint64_t>(split))));
  std::vector<SentencePair> pairs;
  pairs.reserve(static_cast<size_t>(count));
  while (pairs.size() < static_cast<size_t>(count)) {
    const int length = split == Split::kHard ? 13 + rng.below(4) : 2 + rng.below(11);
    std::vector<std::string> symbols;
    for (int i = 0; i < length; ++i)
      symbols.push_back(std::string(1, static_cast<char>('a' + rng.below(26))));
    SentencePair pair;
    pair.source = join(symbols);
    if (split != Split::kHard && in_test_split(pair.source) != (split == Split::kTest)) continue;

    std::vector<int> order(length);  // order[k]: the source position of output position k
    for (int i = 0; i < length; ++i)
      order[i] = i;
    if (name == "reverse") {
      std::reverse(order.begin(), order.end());
    } else if (name == "sort") {
      std::stable_sort(order.begin(), order.end(),
                       [&](int a, int b) { return symbols[a] < symbols[b]; });
    }
    std::vector<std::string> output;
    for (int k = 0; k < length; ++k) {
      output.push_back(symbols[order[k]]);
      pair.alignment.emplace_back(order[k], k);
    }
    std::sort(pair.alignment.begin(), pair.alignment.end());
    pair.target = join(output);
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

std::string format_alignment(const std::vector<std::pair<int, int>>& alignment) {
  std::string text;
  for (const auto& [source, target] : alignment) {
    if (!text.empty()) text += ' ';
    text += std::to_string(source) + "-" + std::to_string(target);
  }
  return text;
}

std::vector<std::pair<int, int>> parse_alignment(const std::string& text) {
  std::vector<std::pair<int, int>> alignment;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  size_t pos = 0;
  while (pos < text.size()) {
    if (space(text[pos])) {
      ++pos;
      continue;
    }
    size_t end = pos;
    while (end < text.size() && !space(text[end]))
      ++end;
    const std::string link = text.substr(pos, end - pos);
    pos = end;
    // Digits, a dash, digits; at most 9 digits each so that the value fits an int.
    const size_t dash = link.find('-');
    auto number = [](const std::string& digits, int* value) {
      if (digits.empty() || digits.size() > 9) return false;
      for (char c : digits)
        if (c < '0' || c > '9') return false;
      *value = std::stoi(digits);
      return true;
    };
    int source = 0, target = 0;
    if (dash == std::string::npos || !number(link.substr(0, dash), &source) ||
        !number(link.substr(dash + 1), &target)) {
      throw InputError(alignment_error(link, alignment.size() + 1));
    }
    alignment.emplace_back(source, target);
  }
  return alignment;
}

std::vector<SentencePair> read_pairs_file(const std::string& path) {
  std::string data;
  try {
    data = read_file(path);
  } catch (const InputError&) {
    throw;
  } catch (const Error& e) {
    throw InputError(e.what());
  }
  return parse_pairs(data, path);
}

std::vector<SentencePair> parse_pairs(const std::string& contents, const std::string& path) {
  const std::vector<std::string> lines = split_lines(contents);
  if (lines.empty()) {
    throw InputError(path + ": empty file, expected one sentence pair a line: source<TAB>target");
  }
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  auto trim = [&](const std::string& s) {
    size_t b = 0, e = s.size();
    while (b < e && blank(s[b]))
      ++b;
    while (e > b && blank(s[e - 1]))
      --e;
    return s.substr(b, e - b);
  };
  std::vector<SentencePair> pairs;
  int line = 0;
  for (const std::string& text : lines) {
    ++line;
    if (trim(text).empty()) continue;
    const std::string where = path + ": line " + std::to_string(line) + ": ";
    if (!is_valid_utf8(text)) {
      throw InputError(where + "invalid UTF-8 in '" + sanitize_utf8(text) + "'");
    }
    const size_t tabs = static_cast<size_t>(std::count(text.begin(), text.end(), '\t'));
    if (tabs == 0) throw InputError(where + "no tab, expected source<TAB>target");
    if (tabs > 1) {
      throw InputError(where + std::to_string(tabs) +
                       " tabs, expected one, between source and target");
    }
    const size_t tab = text.find('\t');
    SentencePair pair;
    pair.source = trim(text.substr(0, tab));
    pair.target = trim(text.substr(tab + 1));
    if (Tokenizer::split(pair.source, false).empty()) {
      throw InputError(where + "empty source side, before the tab");
    }
    if (Tokenizer::split(pair.target, false).empty()) {
      throw InputError(where + "empty target side, after the tab");
    }
    pairs.push_back(std::move(pair));
  }
  if (pairs.empty()) {
    throw InputError(path +
                     ": only blank lines, expected one sentence pair a line: source<TAB>target");
  }
  return pairs;
}

std::vector<std::string> build_vocabulary(const std::vector<SentencePair>& pairs,
                                          bool target_side) {
  std::unordered_map<std::string, int64_t> counts;
  for (const SentencePair& pair : pairs)
    for (const std::string& token : Tokenizer::split(target_side ? pair.target : pair.source, true))
      ++counts[token];
  std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  // No token can be a special one: the tokenizer splits '<' and '>' off.
  std::vector<std::string> vocabulary = {"<pad>", "<unk>", "<bos>", "<eos>"};
  for (const auto& entry : sorted)
    vocabulary.push_back(entry.first);
  return vocabulary;
}

std::vector<SentencePair> task_pairs(const std::string& task, Split split, int count,
                                     uint64_t seed) {
  if (task == "toy-en-fr") return toy_en_fr(split, count, seed);
  if (task == "copy" || task == "reverse" || task == "sort") {
    return symbol_task(task, split, count, seed);
  }
  if (task.rfind("pairs:", 0) == 0) {
    const std::string path = task.substr(6);
    if (path.empty()) throw InputError("task 'pairs:': expected a file after 'pairs:'");
    if (split == Split::kHard) {
      throw InputError("task '" + task + "' has no hard split: use train or test");
    }
    std::vector<SentencePair> lines = read_pairs_file(path);
    std::vector<SentencePair> pairs;
    for (SentencePair& pair : lines) {
      if (in_test_split(pair.source) == (split == Split::kTest)) pairs.push_back(std::move(pair));
    }
    return pairs;
  }
  throw InputError("unknown task '" + task +
                   "': expected toy-en-fr, copy, reverse, sort or pairs:FILE");
}

const char* split_name(Split split) {
  switch (split) {
    case Split::kTrain:
      return "train";
    case Split::kTest:
      return "test";
    case Split::kHard:
      return "hard";
  }
  return "?";
}

Split parse_split(const std::string& name) {
  if (name == "train") return Split::kTrain;
  if (name == "test") return Split::kTest;
  if (name == "hard") return Split::kHard;
  throw InputError("unknown split '" + name + "': expected train, test or hard");
}

}  // namespace attnscope
