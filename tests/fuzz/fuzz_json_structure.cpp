// libFuzzer target with a structure-aware mutator: configs as a hostile user writes
// them. The mutator parses the input as JSON (leniently) and changes its structure
// rather than its bytes: it nests a value thousands deep, puts in numbers no integer
// or double holds, invalid UTF-8 in a string, a key twice, wide arrays; input that is
// not JSON is mutated byte-wise as usual.
//
// Checks: load_config_json (strict JSON: util/strict_json.h) and parse_config either
// accept the text or throw an InputError, nothing else; its message is one line of at
// most kMaxErrorBytes once printed (one_line) and free of control bytes; a document
// accepted is at most kMaxJsonDepth deep and has no key twice.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "sim/config/config.h"
#include "util/error_text.h"
#include "util/input_error.h"
#include "util/strict_json.h"

#ifndef S2SIM_FUZZ_CONFIGS_DIR
#error "S2SIM_FUZZ_CONFIGS_DIR must name the repository's configs/ directory"
#endif

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace {

using nlohmann::json;
using s2sim::InputError;
using s2sim::fuzz::finding;

// A random value somewhere in `doc` (the root included).
json* pick(json& doc, std::mt19937_64& rng) {
  json* at = &doc;
  while ((at->is_object() || at->is_array()) && !at->empty() && rng() % 3 != 0) {
    auto it = at->begin();
    std::advance(it, static_cast<long>(rng() % at->size()));
    at = &*it;
  }
  return at;
}

std::string nest(const std::string& inner, std::size_t depth, bool objects) {
  std::string s;
  for (std::size_t i = 0; i < depth; ++i) s += objects ? "{\"kind\":" : "[";
  s += inner;
  for (std::size_t i = 0; i < depth; ++i) s += objects ? "}" : "]";
  return s;
}

const char* const kHugeNumbers[] = {"1e999", "-1e999", "18446744073709551616", "18446744073709551615",
                                    "-9223372036854775809", "1e-400", "4.9e-324", "68719476737", "4294967296",
                                    "100000000000", "-0", "0.5"};
const char* const kBadUtf8[] = {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "caf\xe9"};

// One structural change, written back as text (which may no longer be valid JSON:
// invalid UTF-8 and duplicate keys cannot live in a json value).
std::string mutate_structure(const std::string& text, std::mt19937_64& rng) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return {};
  json* at = pick(doc, rng);
  const std::string marker = "\"@@s2sim-fuzz@@\"";
  std::string splice;
  switch (rng() % 6) {
    case 0:  // deep nesting, around the limit or far past it
      splice = nest(at->dump(), rng() % 2 ? 60 + rng() % 10 : 1000 + rng() % 20000, rng() % 2);
      break;
    case 1:
      splice = kHugeNumbers[rng() % std::size(kHugeNumbers)];
      break;
    case 2:
      splice = std::string("\"") + kBadUtf8[rng() % std::size(kBadUtf8)] + "\"";
      break;
    case 3: {  // a key twice
      if (!at->is_object() || at->empty()) return {};
      auto it = at->begin();
      std::advance(it, static_cast<long>(rng() % at->size()));
      std::string body = at->dump();
      body.insert(1, json(it.key()).dump() + ":" + it.value().dump() + ",");
      splice = body;
      break;
    }
    case 4: {  // wide
      std::string arr = "[";
      const std::size_t n = 1 + rng() % 5000;
      for (std::size_t i = 0; i < n; ++i) arr += (i ? "," : "") + at->dump();
      splice = arr + "]";
      if (splice.size() > 200000) return {};
      break;
    }
    default:  // a control character or a long string
      splice = rng() % 2 ? "\"a\\nb\\u001b[31m\"" : "\"" + std::string(20000, 'x') + "\"";
      break;
  }
  *at = marker.substr(1, marker.size() - 2);
  std::string out = doc.dump();
  const auto pos = out.find(marker);
  if (pos == std::string::npos) return {};
  out.replace(pos, marker.size(), splice);
  return out;
}

void check_message(const InputError& e) {
  const std::string m = s2sim::one_line(e.message());
  if (m.empty()) finding("an InputError without a message");
  if (m.size() > s2sim::kMaxErrorBytes + 64) finding("an error line of " + std::to_string(m.size()) + " bytes");
  for (const char ch : m)
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) finding("a control byte in an error line");
}

int depth(const json& j) {
  int d = 0;
  if (j.is_object() || j.is_array())
    for (const auto& v : j) d = std::max(d, depth(v));
  return d + (j.is_object() || j.is_array() ? 1 : 0);
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  std::mt19937_64 rng(seed);
  if (rng() % 4 != 0) {
    const std::string out = mutate_structure(std::string(reinterpret_cast<const char*>(data), size), rng);
    if (!out.empty() && out.size() <= max_size) {
      std::memcpy(data, out.data(), out.size());
      return out.size();
    }
  }
  return LLVMFuzzerMutate(data, size, max_size);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static s2sim::fuzz::InputFile input("s2sim-fuzz-json-structure");
  const std::string& path = input.write(data, size);
  json doc;
  try {
    doc = s2sim::sim::load_config_json(path);
  } catch (const InputError& e) {
    check_message(e);
    return 0;
  } catch (const std::exception& e) {
    s2sim::fuzz::unexpected_exception("load_config_json", e);
  }
  if (depth(doc) > s2sim::kMaxJsonDepth) finding("a document deeper than kMaxJsonDepth was accepted");
  try {
    (void)s2sim::sim::parse_config(doc, "fuzz.json", S2SIM_FUZZ_CONFIGS_DIR);
  } catch (const InputError& e) {
    check_message(e);
  } catch (const std::exception& e) {
    s2sim::fuzz::unexpected_exception("parse_config", e);
  }
  return 0;
}
