// The tables of the toy language's lexicon (toy_lexicon.h) and the lookups built over them.
#include "toy_lexicon.h"

#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "attnscope/tasks.h"
#include "task_common.h"

namespace attnscope::toy {
namespace {

constexpr Tags kA = kAnimal | kColor | kBy;
constexpr Tags kB = kBuilding | kIn | kBy;
constexpr Tags kV = kVehicle | kColor | kBy;

}  // namespace

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
static_assert(std::size(kNouns) == kNounCount);

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
static_assert(std::size(kAdjectives) == kAdjectiveCount);

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
static_assert(std::size(kVerbs) == kVerbCount);

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
static_assert(std::size(kFixedPhrases) == kFixedCount);

const PrepInfo& prep_info(Prep p) {
  for (const PrepInfo& info : kPreps)
    if (info.prep == p) return info;
  return kPreps[0];
}

const PronounInfo& pronoun_info(Pronoun p) {
  for (const PronounInfo& info : kPronouns)
    if (info.pronoun == p) return info;
  return kPronouns[0];
}

const DetInfo& det_info(Det d) {
  for (const DetInfo& info : kDets)
    if (info.det == d) return info;
  return kDets[0];
}

const AdverbInfo& adverb_info(Adverb a) {
  for (const AdverbInfo& info : kAdverbs)
    if (info.adverb == a) return info;
  return kAdverbs[0];
}

namespace {

// The noun-adjective combinations only kHard contains. Each noun and adjective is common in
// training on its own; together they cover both genders, both adjective positions and
// irregular forms (vieille, bel, nouvel, longue, heureuse, gentille).
const std::pair<const char*, const char*> kWithheld[] = {
    {"horse", "white"}, {"house", "old"},   {"tree", "beautiful"}, {"car", "green"},
    {"girl", "happy"},  {"bird", "little"}, {"table", "long"},     {"friend", "new"},
    {"shirt", "blue"},  {"bread", "fresh"}, {"mother", "kind"},    {"school", "big"},
};

}  // namespace

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
      lex.fixed.push_back(detail::split_spaces(phrase.en));
    return lex;
  }();
  return instance;
}

bool describes(const Adjective& adjective, Tags tags) {
  if (!(adjective.applies & tags)) return false;
  return adjective.rank != kSize || !(tags & kMass) || (tags & kAnimal);
}

bool withheld(int noun, int adjective) {
  for (const auto& pair : lexicon().withheld)
    if (pair.first == noun && pair.second == adjective) return true;
  return false;
}

}  // namespace attnscope::toy

namespace attnscope {

std::vector<std::pair<std::string, std::string>> toy_withheld_pairs() {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [noun, adjective] : toy::kWithheld)
    pairs.emplace_back(noun, adjective);
  return pairs;
}

}  // namespace attnscope
