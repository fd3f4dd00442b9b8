#include "sim/labs/lab_choice.h"

#include <sstream>

namespace s2sim::sim::lab {

std::string wrap(const std::string& text, std::size_t width, const std::string& indent) {
  std::istringstream in(text);
  std::string out, line, word;
  while (in >> word) {
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line = indent;
    } else if (!line.empty() && line != indent) {
      line += " ";
    }
    line += word;
  }
  return out + line;
}

void make_choice(Question& q, const std::string& stem, const Choice& right, const std::vector<Choice>& wrong,
                 workloads::Rng& rng) {
  // A seeded permutation: the right option's place differs from problem to problem.
  std::vector<const Choice*> order;
  order.push_back(&right);
  for (const Choice& c : wrong) order.push_back(&c);
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);

  q.text = stem + " (a letter)";
  q.accepts.words.clear();
  for (std::size_t i = 0; i < order.size(); ++i) {
    const std::string letter(1, static_cast<char>('a' + i));
    q.text += "\n" + letter + ") " + wrap(order[i]->text, 84, "   ");
    q.accepts.words.push_back({letter, letter + ")", "(" + letter + ")"});
    if (order[i] == &right) {
      q.answers = {letter};
      q.steps.push_back(letter + ") " + right.text);
    } else {
      q.mistakes.push_back({letter, order[i]->hint});
    }
  }
}

}  // namespace s2sim::sim::lab
