// Every config key as a list, taken from the field tables (config_fields.h): what the
// README's key table shows (config_keys_markdown; a test keeps the two equal) and what
// the tests walk to check that each key reads and writes back.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace s2sim::sim {

struct ConfigKey {
  std::string path;     // "dirty_log.walker", "memslots[].id", "migration.stop_rule.rounds"
  std::string pointer;  // where it sits in a config with one memslot: "/memslots/0/id"
  std::string when;     // the kind it belongs to ("threshold"), or "" for every kind
  std::string type;     // "boolean", "integer", "number", "string", "object", "array", "any"
  nlohmann::json def;   // the default; null when required, computed from other keys, or not read
  std::string default_text;            // the default as the README shows it
  nlohmann::json min, max;             // an integer's or number's range, else null
  std::vector<std::string> choices;    // the values a word key takes, else empty
  std::string values;                  // the values as the README shows them
  std::string meaning;
  bool quiet = false;    // left out of a written config while it holds its default
};

// All keys, in the order parse_config reads them.
std::vector<ConfigKey> config_keys();

// The README's key table: one Markdown row a key.
std::string config_keys_markdown();

}  // namespace s2sim::sim
