#include "util/json_reader.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace s2sim {

JsonReader::JsonReader(const nlohmann::json& obj, std::string file, std::string pointer)
    : obj_(obj), file_(std::move(file)), pointer_(std::move(pointer)) {
  if (!obj_.is_object()) fail_here("must be an object");
}

std::string JsonReader::path(const std::string& key) const { return pointer_ + "/" + json_pointer_escape(key); }

void JsonReader::fail(const std::string& key, const std::string& what) const {
  throw InputError(file_ + ": " + path(key), what);
}

void JsonReader::fail_here(const std::string& what) const {
  throw InputError(file_ + ": " + (pointer_.empty() ? std::string("/") : pointer_), what);
}

const nlohmann::json& JsonReader::member(const std::string& key) {
  used_.insert(key);
  auto it = obj_.find(key);
  if (it == obj_.end()) fail(key, "required key is missing");
  return *it;
}

static const char* type_word(const nlohmann::json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  return "an object";
}

std::int64_t JsonReader::get_int(const std::string& key, std::int64_t min, std::int64_t max) {
  const auto& v = member(key);
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      fail(key, "must be at most " + std::to_string(max));
    const std::int64_t x = v.get<std::int64_t>();
    if (x < min || x > max) fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + std::to_string(x));
    return x;
  }
  if (v.is_number_float()) fail(key, "must be an integer, got " + v.dump());
  fail(key, std::string("must be an integer, got ") + type_word(v));
}

std::int64_t JsonReader::get_int_or(const std::string& key, std::int64_t def, std::int64_t min, std::int64_t max) {
  if (!has(key)) { used_.insert(key); return def; }
  return get_int(key, min, max);
}

std::uint64_t JsonReader::get_u64(const std::string& key, std::uint64_t min, std::uint64_t max) {
  const auto& v = member(key);
  // A non-negative integer may be stored signed (JSON built in code, e.g. {"ops", 1000}).
  if (v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
    const std::uint64_t x = v.is_number_unsigned() ? v.get<std::uint64_t>() : static_cast<std::uint64_t>(v.get<std::int64_t>());
    if (x < min || x > max) fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + std::to_string(x));
    return x;
  }
  if (v.is_number_integer()) fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + v.dump());
  if (v.is_number_float()) fail(key, "must be an integer, got " + v.dump());
  fail(key, std::string("must be an integer, got ") + type_word(v));
}

std::uint64_t JsonReader::get_u64_or(const std::string& key, std::uint64_t def, std::uint64_t min, std::uint64_t max) {
  if (!has(key)) { used_.insert(key); return def; }
  return get_u64(key, min, max);
}

double JsonReader::get_double(const std::string& key, double min, double max) {
  const auto& v = member(key);
  if (!v.is_number()) fail(key, std::string("must be a number, got ") + type_word(v));
  const double x = v.get<double>();
  if (!std::isfinite(x) || x < min || x > max) {
    fail(key, "must be between " + nlohmann::json(min).dump() + " and " + nlohmann::json(max).dump() + ", got " + v.dump());
  }
  return x;
}

double JsonReader::get_double_or(const std::string& key, double def, double min, double max) {
  if (!has(key)) { used_.insert(key); return def; }
  return get_double(key, min, max);
}

bool JsonReader::get_bool(const std::string& key) {
  const auto& v = member(key);
  if (!v.is_boolean()) fail(key, std::string("must be true or false, got ") + type_word(v));
  return v.get<bool>();
}

bool JsonReader::get_bool_or(const std::string& key, bool def) {
  if (!has(key)) { used_.insert(key); return def; }
  return get_bool(key);
}

std::string JsonReader::get_string(const std::string& key) {
  const auto& v = member(key);
  if (!v.is_string()) fail(key, std::string("must be a string, got ") + type_word(v));
  return v.get<std::string>();
}

std::string JsonReader::get_string_or(const std::string& key, const std::string& def) {
  if (!has(key)) { used_.insert(key); return def; }
  return get_string(key);
}

std::string JsonReader::get_enum(const std::string& key, const std::vector<std::string>& names) {
  const std::string s = get_string(key);
  if (std::find(names.begin(), names.end(), s) != names.end()) return s;
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + ("\"" + n + "\"");
  std::string msg = "unknown value \"" + s + "\" (expected one of " + list + ")";
  const std::string near = closest_match(s, names);
  if (!near.empty()) msg += "; did you mean \"" + near + "\"?";
  fail(key, msg);
}

std::string JsonReader::get_enum_or(const std::string& key, const std::string& def, const std::vector<std::string>& choices) {
  if (!has(key)) { used_.insert(key); return def; }
  return get_enum(key, choices);
}

JsonReader JsonReader::get_object(const std::string& key) {
  const auto& v = member(key);
  if (!v.is_object()) fail(key, std::string("must be an object, got ") + type_word(v));
  return JsonReader(v, file_, path(key));
}

const nlohmann::json& JsonReader::get_array(const std::string& key) {
  const auto& v = member(key);
  if (!v.is_array()) fail(key, std::string("must be an array, got ") + type_word(v));
  return v;
}

void JsonReader::reject_unknown() const {
  std::vector<std::string> known(used_.begin(), used_.end());
  for (auto it = obj_.begin(); it != obj_.end(); ++it) {
    if (used_.count(it.key())) continue;
    std::string msg = "unknown key \"" + it.key() + "\"";
    const std::string near = closest_match(it.key(), known);
    if (!near.empty()) msg += "; did you mean \"" + near + "\"?";
    fail(it.key(), msg);
  }
}

std::string json_pointer_escape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  for (const auto& c : candidates) {
    // Levenshtein distance, two rows.
    std::vector<std::size_t> prev(c.size() + 1), cur(c.size() + 1);
    for (std::size_t j = 0; j <= c.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= word.size(); ++i) {
      cur[0] = i;
      for (std::size_t j = 1; j <= c.size(); ++j) {
        const std::size_t sub = prev[j - 1] + (word[i - 1] == c[j - 1] ? 0 : 1);
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
      }
      std::swap(prev, cur);
    }
    const std::size_t d = prev[c.size()];
    if (d < best_d) { best_d = d; best = c; }
  }
  // Close means at most a third of the word differs (and at least one edit allowed).
  if (best.empty() || best_d > std::max<std::size_t>(1, word.size() / 3)) return {};
  return best;
}

}  // namespace s2sim
