// What every lab's figures must be, read back with svg_reader.h: well-formed SVG
// documents named labN-*.svg, and the figures `show` writes state no answer -- no
// computed number a question takes appears as a word of their text.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "labs/svg_reader.h"
#include "sim/labs/lab.h"
#include "sim/labs/lab_answer.h"

namespace s2sim::test {

// Every text element of the figures, one a line.
inline std::string figures_text(const std::vector<sim::lab::Figure>& figs) {
  std::string all;
  for (const sim::lab::Figure& f : figs)
    for (const SvgText& t : read_svg(f.svg, f.name).texts) all += t.text + "\n";
  return all;
}

// The words of `text`, lower case: runs of letters, digits, '.', '_' and 'x' (so that
// "0x80010" and "4.726" are one word each, and "(512," is "512").
inline std::set<std::string> words_of(const std::string& text) {
  std::set<std::string> out;
  std::string w;
  for (const char c : text + " ") {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_') {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      if (!w.empty()) out.insert(w);
      w.clear();
    }
  }
  return out;
}

// Each figure parses, is named labN-*.svg, and names are unique.
inline void expect_well_formed(const std::vector<sim::lab::Figure>& figs, int lab, const std::string& what) {
  std::set<std::string> names;
  for (const sim::lab::Figure& f : figs) {
    EXPECT_GT(read_svg(f.svg, what + " " + f.name).elements, 10) << what << " " << f.name;
    EXPECT_TRUE(names.insert(f.name).second) << what << " " << f.name;
    EXPECT_EQ(f.name.rfind("lab" + std::to_string(lab) + "-", 0), 0u) << what << " " << f.name;
    EXPECT_EQ(f.name.size() > 4 ? f.name.substr(f.name.size() - 4) : "", ".svg") << f.name;
  }
}

// No number a question takes as its answer, of `min_size` characters or more is a word of the figures `show`
// writes. (Shorter numbers -- a count of 1, a bit index -- are too common to test: a
// figure's axis or a label holds them whatever the answer.)
inline void expect_no_answer_in_figures(const sim::lab::Problem& p, std::size_t min_size, const std::string& what) {
  const std::set<std::string> words = words_of(figures_text(p.figures));
  for (std::size_t i = 0; i < p.questions.size(); ++i) {
    const sim::lab::Question& q = p.questions[i];
    for (const std::string& a : q.answers) {
      const auto v = sim::lab::read_answer(q.accepts, a);
      ASSERT_TRUE(v.has_value()) << a;
      if (v->kind != sim::lab::AnswerValue::Kind::Number || a.size() < min_size) continue;
      std::string lower;
      for (const char c : a) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      EXPECT_EQ(words.count(lower), 0u) << what << " q" << i + 1 << ": the figures show its answer " << a;
    }
  }
}

}  // namespace s2sim::test
