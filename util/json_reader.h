// Strict reading of a JSON object: typed getters with defaults, range checks, and a
// final check that no unknown key is left ("did you mean ...?"). Every error is an
// InputError naming the file and the JSON pointer of the offending value.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/input_error.h"

namespace s2sim {

class JsonReader {
 public:
  // `file` is the name used in messages; `pointer` the JSON pointer of `obj` ("" = root).
  JsonReader(const nlohmann::json& obj, std::string file, std::string pointer = "");

  const nlohmann::json& json() const { return obj_; }
  const std::string& file() const { return file_; }
  const std::string& pointer() const { return pointer_; }
  std::string path(const std::string& key) const;  // pointer of a member
  bool has(const std::string& key) const { return obj_.contains(key); }

  // Typed getters. The `_or` forms return the default when the key is absent.
  std::int64_t get_int(const std::string& key, std::int64_t min, std::int64_t max);
  std::int64_t get_int_or(const std::string& key, std::int64_t def, std::int64_t min, std::int64_t max);
  std::uint64_t get_u64(const std::string& key, std::uint64_t min, std::uint64_t max);
  std::uint64_t get_u64_or(const std::string& key, std::uint64_t def, std::uint64_t min, std::uint64_t max);
  double get_double(const std::string& key, double min, double max);
  double get_double_or(const std::string& key, double def, double min, double max);
  bool get_bool(const std::string& key);
  bool get_bool_or(const std::string& key, bool def);
  std::string get_string(const std::string& key);
  std::string get_string_or(const std::string& key, const std::string& def);
  // A string that must be one of `choices`.
  std::string get_enum(const std::string& key, const std::vector<std::string>& choices);
  std::string get_enum_or(const std::string& key, const std::string& def, const std::vector<std::string>& choices);
  // Nested object / array (checked type); mark the key as used.
  JsonReader get_object(const std::string& key);
  const nlohmann::json& get_array(const std::string& key);
  // Marks a key as known without reading it (e.g. "comment", "source").
  void allow(const std::string& key) { used_.insert(key); }
  // Marks a free-text key as known: if present, it must be a string ("comment").
  void allow_text(const std::string& key) {
    used_.insert(key);
    if (has(key) && !obj_[key].is_string()) fail(key, "must be a string (free text)");
  }

  // Throws for the first key that was never read or allowed.
  void reject_unknown() const;

  [[noreturn]] void fail(const std::string& key, const std::string& what) const;
  [[noreturn]] void fail_here(const std::string& what) const;

 private:
  const nlohmann::json& member(const std::string& key);
  const nlohmann::json& obj_;
  std::string file_, pointer_;
  std::set<std::string> used_;
};

// Escapes a key for use in a JSON pointer (RFC 6901: "~" -> "~0", "/" -> "~1").
std::string json_pointer_escape(const std::string& key);
// The closest of `candidates` to `word` by edit distance, or "" if none is close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace s2sim
