// Data to train and study models on: a toy English->French language whose every sentence
// comes with its true word alignment, the textbook symbol tasks (copy, reverse, sort), and
// the plumbing for a user's own corpus (tab-separated pairs, Pharaoh alignments,
// vocabularies). The true alignment is what a model's attention is compared against, so
// it is defined here once, precisely.
//
// ## The toy language
//
// Both sides are lowercase, tokens separated by single spaces, punctuation split off, so
// that Tokenizer::split(side, true) gives back exactly the tokens the alignment indexes.
// Elided and hyphenated French words are one token each, as the tokenizer keeps them:
// "l'homme", "n'aime", "d'un", "j'ai", "jusqu'à", "aujourd'hui", "allez-vous", "grand-père".
// Every side has 2 to 16 tokens, punctuation included. The lexicon has 195 nouns, 67
// adjectives and 74 English verbs (76 verb senses); nouns carry semantic tags that verbs,
// adjectives and prepositions select, so that generated sentences make sense ("the cat eats
// the fish", never "the fish eats the table"). toy_translate() parses any sentence of the
// grammar, sensible or not.
//
// Grammar (English side; the French rule on the right):
//   sentence := clause [and|but|or clause] "."           et / mais / ou
//             | "where" is|are NP "?"                    où est|sont NP ?
//             | fixed phrase                             "hello , how are you ?" ->
//                                                        "bonjour , comment allez-vous ?",
//                                                        "good morning", "thank you very
//                                                        much", "see you tomorrow", ... (31)
//   clause   := subject [often|always|sometimes] verb [particle] [objects] [to NP] [modifier]
//                 [today|now|tomorrow|every day]         adverb after the verb: "lit souvent"
//             | subject do|does not verb [particle] [NP] [to NP] [modifier] [end adverb]
//                                                        ne (n') VERB pas; a/any NP -> de (d')
//             | subject is|are [not] ([very] adjective | location PP) [end adverb]
//                                                        est/sont, adjective agrees with subject
//   subject  := i|you|he|she|it|we|they | NP [and NP]    je (j')/vous/il/elle/il|elle/nous/
//                                                        ils|elles; verbs agree (mange,
//                                                        mangeons, mangez, mangent, ...)
//   objects  := NP [and|or NP]         (a negated clause has one object: French needs ni..ni)
//   NP       := det [adjective [adjective]] noun [of NP']
//   det      := the|a|an|some|any|this|these|my|your|his|her|our|their|(none)
//               le/la/l'/les, un/une, des ("de" before a plural adjective: "de petits
//               chats"), du/de la/de l' for a mass noun ("some bread" -> "du pain"), ce/cet/
//               cette/ces, mon/ma/mes (mon before a vowel: "mon école"), votre/vos, son/sa/
//               ses (agreeing with the noun, not the owner), notre/nos, leur/leurs.
//               "any" only in a negated object; no determiner only for the object of
//               like/love/hate ("likes cats" -> "aime les chats").
//   adjective: at most two; French puts petit, grand, beau, joli, bon, mauvais, jeune, vieux,
//               nouveau, long, gros before the noun and every other adjective after it
//               ("the little black cat" -> "le petit chat noir"). Two adjectives are one of
//               each kind, in English order (opinion, size, age, condition, colour, origin).
//               Forms agree in gender and number (noire, noirs, noires; belle, beaux;
//               vieille; blanche; longue; fraîche; chère; gentille; ...) and take bel,
//               vieil, nouvel before a masculine singular noun starting with a vowel sound.
//   modifier := in|on|under|near|behind|in front of|at NP     dans/sur/sous/près de/derrière/
//             | with|without|for NP                            devant/à, avec/sans/pour
//                                            ("without" never takes a/an/some: no "sans des")
//             | to NP (go, return: à; walk, run: jusqu'à) | from NP (come: de)
// French contractions: de+le = du, de+les = des, à+le = au, à+les = aux, jusqu'à+le =
// jusqu'au, jusqu'à+les = jusqu'aux; le/la/de/ne/je elide before a vowel or a mute h
// ("l'homme", "l'hôtel", but "le hibou"); ce becomes cet ("cet arbre"). In the second of two
// clauses, he/she/it/they referring back to the first clause's subject take that noun's
// French gender: "the table is big but it is heavy" -> "la table est grande mais elle est
// lourde". Standing alone, "it" is "il" and "they" is "ils". Copular clauses need a
// third-person subject (French would need the gender of "i" or "you").
//
// ## Alignment conventions
//
// Links are (source index, target index) over the tokens, sorted, every token of both sides
// in at least one link.
// - A word links to the word(s) that translate it; an English word whose French translation
//   is several tokens links to each ("near" -> "près", "de"; "every" -> "tous", "les"), and
//   several English words translated by one token all link to it ("in front of" ->
//   "devant"; "looks at" -> "regarde"; "hello , how are you ?": "are" and "you" ->
//   "allez-vous").
// - Contractions and elisions: the one French token links to every English word it stands
//   for: "of the" -> "du", "to the" -> "au", "the man" -> "l'homme", "a bird" (negated) ->
//   "d'oiseau", "i like" -> "j'aime".
// - Negation: "not" links to both "ne" (or the token "n'…" holding it) and "pas"; "do"/"does"
//   link to the French verb, which carries the person and tense they carry in English:
//   "the little black cat does not eat the fish ." -> "le petit chat noir ne mange pas le
//   poisson ." is 0-0 1-1 2-3 3-2 4-5 5-4 5-6 6-5 7-7 8-8 9-9. In a negated copula "is"
//   links to "est" and "not" to "n'est" and "pas".
// - A French article with no English word (generic objects: "likes cats" -> "aime les
//   chats") links to the noun; "some" before a mass noun links to both "de" and "la".
// - Fixed phrases are aligned by hand, word by word where the words correspond and as a
//   block where they do not ("you are welcome" -> "de rien": every word to both).
//
// ## Splits
//
// kTrain and kTest are drawn from the same distribution; a sentence goes to the test split
// when the 64-bit FNV-1a hash of its source is 0 modulo 10, so no test source ever occurs in
// training. Fixed phrases always go to training (they can only be learned by heart).
// kHard holds combinations that neither kTrain nor kTest ever contain; each kHard sentence
// has at least one of them:
// - a withheld noun-adjective pair (toy_withheld_pairs()), attributive or predicative, also
//   through a pronoun referring back ("the horse sleeps and it is white"): white horse, old
//   house, beautiful tree, green car, happy girl, little bird, long table, new friend, blue
//   shirt, fresh bread, kind mother, big school;
// - the withheld shape: two negated clauses joined by a conjunction ("the cat does not sleep
//   and the dog does not eat ."); train and test clauses are negated one at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace attnscope {

struct SentencePair {
  std::string source;  // "hello , how are you ?"
  std::string target;  // "bonjour , comment allez-vous ?"
  // (source token, target token), 0-based over Tokenizer::split(source/target, true);
  // sorted. Empty when unknown (a user's corpus).
  std::vector<std::pair<int, int>> alignment;
};

enum class Split { kTrain, kTest, kHard };

// `count` pairs of the toy language, the same for the same (split, count, seed); a larger
// count extends a smaller one. Sentences may repeat within a split (short ones often do).
// Throws InputError when count is negative.
std::vector<SentencePair> toy_en_fr(Split split, int count, uint64_t seed);

// The reference translation and alignment of an English sentence of the toy language (any
// casing and spacing; it is tokenized first), or nullopt when the grammar above cannot
// produce it. Lets a user compare a model's attention with the truth on a sentence they type.
std::optional<SentencePair> toy_translate(const std::string& english);

// The (English noun, English adjective) pairs that only kHard contains, e.g.
// ("horse", "white").
std::vector<std::pair<std::string, std::string>> toy_withheld_pairs();

// Why a toy sentence belongs to kHard: "withheld pair 'white horse'" or "two negated
// clauses"; empty when kTrain or kTest could contain it or it is not a toy sentence.
std::string toy_hard_reason(const std::string& english);

// Sequences of 2 to 12 letters a..z as tokens ("q c q a"), 13 to 16 for kHard, with the
// target "copy" (the sequence), "reverse" (reversed) or "sort" (sorted, repeats kept).
// Alignments: copy i-i, reverse i-(n-1-i), sort links each source symbol to its place in the
// output, equal symbols keeping their order. kTrain/kTest are split by a hash of the source
// as for the toy language. Deterministic for (name, split, count, seed). Throws InputError on
// an unknown name or a negative count.
std::vector<SentencePair> symbol_task(const std::string& name, Split split, int count,
                                      uint64_t seed);

// "i-j" links separated by single spaces: "0-0 1-2 2-1" (Pharaoh/fast_align format).
std::string format_alignment(const std::vector<std::pair<int, int>>& alignment);
// Parses format_alignment's output; links may be separated by any ASCII whitespace and are
// returned in the order written. Empty or blank text is an empty alignment. Throws
// InputError naming the bad link on anything else.
std::vector<std::pair<int, int>> parse_alignment(const std::string& text);

// A user's corpus: UTF-8 text, one pair a line as source<TAB>target, "\n" or "\r\n" line
// ends, an optional byte order mark. Lines of nothing but whitespace are skipped. The two
// sides are kept as written apart from surrounding whitespace (the model's tokenizer applies
// later); alignments are empty. Throws InputError naming the file, and the line when one is
// at fault, for: a missing or unreadable file, an empty file or one of blank lines only, a
// line without a tab or with more than one, invalid UTF-8, an empty side.
std::vector<SentencePair> read_pairs_file(const std::string& path);
// As read_pairs_file, from a corpus file's contents already in memory; `path` only names
// them in error messages.
std::vector<SentencePair> parse_pairs(const std::string& contents, const std::string& path);

// The vocabulary of one side of `pairs` (the target side when target_side), as a model's
// src_vocab.txt/tgt_vocab.txt holds it: "<pad>" "<unk>" "<bos>" "<eos>" (ids 0-3), then every
// token of Tokenizer::split(text, true), most frequent first, ties in byte order.
std::vector<std::string> build_vocabulary(const std::vector<SentencePair>& pairs, bool target_side);

// The data of a task named on the command line, as attnscope-train and attnscope-cli eval
// both read it: "toy-en-fr", "copy", "reverse", "sort" (`count` generated pairs of `split`
// drawn with `seed`), or "pairs:FILE" (a user's corpus, read_pairs_file; `count` and `seed`
// are ignored; kTest holds the lines whose source's hash is 0 modulo 10, as for the toy
// language, and kTrain the others). Throws InputError on an unknown task, or on kHard for a
// pairs file (it has no withheld combinations).
std::vector<SentencePair> task_pairs(const std::string& task, Split split, int count,
                                     uint64_t seed);

// "train", "test" or "hard"; parse_split throws InputError on anything else.
const char* split_name(Split split);
Split parse_split(const std::string& name);

}  // namespace attnscope
