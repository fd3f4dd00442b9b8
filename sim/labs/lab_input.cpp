#include "sim/labs/lab_input.h"

#include <iostream>

#include "sim/config/config_file.h"
#include "util/input_error.h"

namespace s2sim::sim::lab {

namespace {

std::string hex_byte(unsigned char c) {
  static const char* const digits = "0123456789ABCDEF";
  return std::string("0x") + digits[c >> 4] + digits[c & 15];
}

// Length of the UTF-8 sequence starting at text[i], or 0 if it is not a valid one.
std::size_t utf8_length(const std::string& text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  std::size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || (n == 2 && c < 0xC2) || i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 0;
  return n;
}

}  // namespace

InputErrors::InputErrors(std::vector<InputError> errors)
    : InputError(errors.empty() ? std::string() : errors.front().where(),
                 errors.empty() ? std::string("no error") : std::string(errors.front().what())),
      errors_(std::move(errors)) {}

std::string binary_reason(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f')
      return "a binary file, not text (byte " + hex_byte(c) + " at offset " + std::to_string(i) + ")";
    if (c == 0x7F) return "a binary file, not text (byte 0x7F at offset " + std::to_string(i) + ")";
    const std::size_t n = utf8_length(text, i);
    if (n == 0)
      return "a binary file, not UTF-8 text (byte " + hex_byte(c) + " at offset " + std::to_string(i) + ")";
    i += n;
  }
  return "";
}

AnswerInput read_answer_input(const std::string& path) {
  AnswerInput in;
  if (path == "-") {
    in.name = "<stdin>";
    in.text = read_bounded(std::cin, "standard input", "the answers");
  } else {
    in.name = path;
    in.path = path;
    // Bounded, and special files (a FIFO, /dev/zero) refused or read with the same limit.
    in.text = read_text_file(path, "answers file");
  }
  if (in.text.empty()) throw InputError(in.name, "the file is empty");
  if (const std::string why = binary_reason(in.text); !why.empty()) throw InputError(in.name, why);
  if (in.text.find_first_not_of(" \t\r\n\f") == std::string::npos)
    throw InputError(in.name, "the file holds only blank lines");
  return in;
}

}  // namespace s2sim::sim::lab
