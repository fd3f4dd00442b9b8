#include "sim/labs/lab_answer.h"

#include <algorithm>
#include <cctype>

#include "util/parse_number.h"

namespace s2sim::sim::lab {

namespace {

std::string lower_trim(std::string_view text) {
  std::size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  std::string s(text.substr(b, e - b));
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Words compare without spaces and punctuation, so "read/write", "Read Write" and
// "read-write" are one word. A bare "-" keeps itself (it spells n/a).
std::string word_key(std::string_view text) {
  std::string k;
  k.reserve(text.size());
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '/' && c != '.')
      k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k.empty() ? lower_trim(text) : k;
}

std::vector<std::string> tokens(const std::string& s, const std::string& separators) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) || separators.find(c) != std::string::npos) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::optional<std::string> read_fault(const std::string& text) {
  // "translation fault at level 2", "Permission fault, level 3", "access-flag fault L3".
  const std::vector<std::string> t = tokens(text, ",:-");
  std::size_t i = 0;
  std::string kind;
  if (i < t.size() && (t[i] == "translation" || t[i] == "permission")) {
    kind = t[i++];
  } else if (i < t.size() && t[i] == "accessflag") {
    kind = "access-flag";
    ++i;
  } else if (i + 1 < t.size() && t[i] == "access" && t[i + 1] == "flag") {
    kind = "access-flag";
    i += 2;
  } else {
    return std::nullopt;
  }
  if (i < t.size() && t[i] == "fault") ++i;
  if (i < t.size() && t[i] == "at") ++i;
  std::string level;
  if (i < t.size() && t[i] == "level") {
    ++i;
    if (i < t.size()) level = t[i++];
  } else if (i < t.size() && t[i].size() == 2 && t[i][0] == 'l') {
    level = t[i++].substr(1);
  } else if (i < t.size() && t[i].rfind("level", 0) == 0) {
    level = t[i++].substr(5);
  }
  if (i != t.size() || level.size() != 1 || level[0] < '0' || level[0] > '3') return std::nullopt;
  return fault_answer(kind, level[0] - '0');
}

std::optional<std::vector<std::uint64_t>> read_list(const std::string& text) {
  if (text == "none" || text == "-" || text == "empty") return std::vector<std::uint64_t>{};
  // Ranges: "a-b" or "a..b", also with spaces around the dash.
  std::string s;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "..") == 0) {
      s += " - ";
      ++i;
    } else if (text[i] == '-') {
      s += " - ";
    } else {
      s += text[i];
    }
  }
  const std::vector<std::string> t = tokens(s, ",;");
  std::vector<std::uint64_t> out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == "-") return std::nullopt;  // a dash with no number before it
    const auto a = parse_u64(t[i]);
    if (!a) return std::nullopt;
    if (i + 2 < t.size() && t[i + 1] == "-") {
      const auto b = parse_u64(t[i + 2]);
      if (!b || *b < *a || *b - *a > 65536) return std::nullopt;
      for (std::uint64_t v = *a;; ++v) {
        out.push_back(v);
        if (v == *b) break;
      }
      i += 2;
    } else if (i + 1 < t.size() && t[i + 1] == "-") {
      return std::nullopt;  // "a -" with nothing after
    } else {
      out.push_back(*a);
    }
  }
  if (out.empty()) return std::nullopt;
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string join_or(const std::vector<std::string>& items) {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) s += i + 1 == items.size() ? " or " : ", ";
    s += items[i];
  }
  return s;
}

}  // namespace

std::string fault_answer(const std::string& kind, int level) {
  return kind + " fault at level " + std::to_string(level);
}

std::vector<std::string> not_applicable_words() { return {"n/a", "-", "not applicable"}; }

std::string AnswerSpec::describe() const {
  std::vector<std::string> forms;
  for (const auto& w : words) forms.push_back(w.front());
  if (number) forms.push_back("a number (0x... hex or decimal)");
  if (list) forms.push_back("a comma-separated list of numbers (a-b ranges allowed; none if empty)");
  if (fault) forms.push_back("\"translation|permission|access-flag fault at level N\"");
  return join_or(forms);
}

std::optional<AnswerValue> read_answer(const AnswerSpec& spec, std::string_view text, std::string* why) {
  const std::string t = lower_trim(text);
  AnswerValue v;
  if (!t.empty()) {
    const std::string key = word_key(t);
    for (const auto& w : spec.words)
      for (const auto& synonym : w)
        if (word_key(synonym) == key) {
          v.kind = AnswerValue::Kind::Word;
          v.word = w.front();
          return v;
        }
    if (spec.fault)
      if (auto f = read_fault(t)) {
        v.kind = AnswerValue::Kind::Fault;
        v.word = *f;
        return v;
      }
    if (spec.number)
      if (auto n = parse_u64(t)) {
        v.kind = AnswerValue::Kind::Number;
        v.number = *n;
        return v;
      }
    if (spec.list)
      if (auto l = read_list(t)) {
        v.kind = AnswerValue::Kind::List;
        v.list = std::move(*l);
        return v;
      }
  }
  if (why) *why = "\"" + std::string(text) + "\" is not " + spec.describe();
  return std::nullopt;
}

}  // namespace s2sim::sim::lab
