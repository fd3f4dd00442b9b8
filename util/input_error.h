// The one error type for bad user input (configs, traces, command lines).
// `where` names the file and the JSON pointer or line at fault, e.g.
// "configs/x.json: /migration/link_gbps" or "trace.txt:17". The CLI prints
// "error: <where>: <what>" and exits with status 2.
#pragma once

#include <stdexcept>
#include <string>

namespace s2sim {

class InputError : public std::runtime_error {
 public:
  InputError(std::string where, const std::string& what)
      : std::runtime_error(what), where_(std::move(where)) {}
  const std::string& where() const { return where_; }
  // "where: what", or just "what" when no place is known.
  std::string message() const { return where_.empty() ? std::string(what()) : where_ + ": " + what(); }

 private:
  std::string where_;
};

}  // namespace s2sim
