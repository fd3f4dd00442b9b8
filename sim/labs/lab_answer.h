// Lab answers: what a question accepts and how a typed value is read.
//
// A student writes values by hand, so reading is forgiving where it cannot be
// ambiguous: case and spacing do not matter, words have their usual short forms
// ("ro", "rw", "n/a"), numbers are hex (0x...), binary (0b...) or decimal. What a
// value *means* is decided by the question: the same "1" is AF set in lab 1 and a
// load count in lab 3.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace s2sim::sim::lab {

// What one question accepts; several forms may be on at once (lab 2's translations
// take a physical address or a fault).
struct AnswerSpec {
  bool number = false;  // one 64-bit number
  bool list = false;    // numbers separated by commas or spaces, a-b ranges, "none" = empty
  bool fault = false;   // "<translation|permission|access-flag> fault at level N"
  // Accepted words: each entry is the canonical word first, then its synonyms.
  std::vector<std::vector<std::string>> words;

  // "page, block, table or invalid" / "a number (0x... hex or decimal) or n/a".
  std::string describe() const;
};

// A value as read: the kind says which member holds it. Two answers mean the same
// thing exactly when their values compare equal.
struct AnswerValue {
  enum class Kind : std::uint8_t { Word, Number, List, Fault };
  Kind kind = Kind::Word;
  std::string word;  // canonical word; a fault as "translation fault at level 2"
  std::uint64_t number = 0;
  std::vector<std::uint64_t> list;  // sorted, without repeats

  friend bool operator==(const AnswerValue&, const AnswerValue&) = default;
};

// Reads `text` as `spec` says; on failure returns nothing and says why in `why`.
std::optional<AnswerValue> read_answer(const AnswerSpec& spec, std::string_view text, std::string* why = nullptr);

// The canonical spelling of a fault answer, e.g. "permission fault at level 3".
std::string fault_answer(const std::string& kind, int level);

// Common word sets.
std::vector<std::string> not_applicable_words();  // "n/a" and its spellings

}  // namespace s2sim::sim::lab
