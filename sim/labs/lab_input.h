// A file handed to `s2sim lab check` or `grade`, read strictly before anything is
// graded: what cannot be an answer file (a directory, an empty file, a binary one,
// one that cannot be read) is an input error (exit 2) in every lab alike.
#pragma once

#include <string>
#include <vector>

#include "util/input_error.h"

namespace s2sim::sim::lab {

struct AnswerInput {
  std::string name;  // as messages name it: the path, or "<stdin>"
  std::string path;  // the file itself; empty for stdin
  std::string text;  // its contents
};

// Reads `path` ("-": standard input): it must be UTF-8 text with at least one
// non-blank character. Throws InputError naming the file.
AnswerInput read_answer_input(const std::string& path);

// Why `text` is not text (a byte that no text file holds), or empty if it is.
std::string binary_reason(const std::string& text);

// Several input errors found in one file (every malformed line of an answer file):
// what() is the first, all() each one, as "FILE:LINE: what".
class InputErrors : public InputError {
 public:
  explicit InputErrors(std::vector<InputError> errors);
  const std::vector<InputError>& all() const { return errors_; }

 private:
  std::vector<InputError> errors_;
};

}  // namespace s2sim::sim::lab
