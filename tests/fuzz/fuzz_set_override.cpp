// libFuzzer target: `--set PATH=VALUE` (sim/config/config_override.h) on the built-in
// default config. The input is one assignment, or several separated by newlines.
//
// Checks: apply_override either changes the document or throws an InputError, never
// anything else; no assignment grows the document by more than its own length (an
// array index far past the end must be refused, not null-filled); the document
// after the assignments parses (parse_config) to a config or an InputError; every
// error is one short line once printed.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "sim/config/config.h"
#include "util/error_text.h"
#include "util/input_error.h"

#ifndef S2SIM_FUZZ_CONFIGS_DIR
#error "S2SIM_FUZZ_CONFIGS_DIR must name the repository's configs/ directory"
#endif

namespace {

using s2sim::InputError;
using s2sim::fuzz::finding;

void check_message(const InputError& e) {
  const std::string m = s2sim::one_line(e.message());
  if (m.empty()) finding("an InputError without a message");
  if (m.size() > s2sim::kMaxErrorBytes + 64) finding("an error line of " + std::to_string(m.size()) + " bytes");
  for (const char ch : m)
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) finding("a control byte in an error line");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const nlohmann::json base = s2sim::sim::load_config_json("");
  static const std::size_t base_size = base.dump().size();
  nlohmann::json doc = base;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::size_t given = 0;
  for (std::string assignment; std::getline(in, assignment);) {
    given += assignment.size();
    try {
      s2sim::sim::apply_override(doc, assignment);
    } catch (const InputError& e) {
      check_message(e);
      continue;
    } catch (const std::exception& e) {
      s2sim::fuzz::unexpected_exception("apply_override", e);
    }
    // A value's dump may quote and escape what it was given: at most 6 bytes a byte
    // (\u00XX), plus a key's quotes and separators.
    if (doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).size() > base_size + 6 * given + 64)
      finding("an assignment grew the config by more than its own length");
  }
  try {
    (void)s2sim::sim::parse_config(doc, "<built-in default>", S2SIM_FUZZ_CONFIGS_DIR);
  } catch (const InputError& e) {
    check_message(e);
  } catch (const std::exception& e) {
    s2sim::fuzz::unexpected_exception("parse_config", e);
  }
  return 0;
}
