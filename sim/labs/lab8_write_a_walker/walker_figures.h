// Lab 8's figures, drawn on one of the grader's own windows (walker_cases.h), which
// the seed picks among those that reach a 2 MiB (or 1 GiB) boundary:
//   lab8-window.svg     the word's pages and mask against the 2 MiB and 1 GiB boundaries;
//   lab8-tables.svg     the tables the grader builds around it (every page mapped), each
//                       entry a walk of the window loads marked with the s2sim_walker.h
//                       call that loads it;
//   lab8-interface.svg  one page's walk through s2sim_walker.h, call by call, with the
//                       addresses and values those tables give.
// Lab 8 asks nothing a figure could answer; the grader is the same for every seed.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/labs/lab.h"
#include "sim/labs/lab8_write_a_walker/walker_cases.h"

namespace s2sim::sim::lab::walker {

struct FigureWindow {
  Case c;  // state Full
  std::uint64_t mask = 0;
};

// The window `seed`'s figures draw.
FigureWindow figure_window(std::uint64_t seed);
std::vector<Figure> walker_figures(const FigureWindow& w);

}  // namespace s2sim::sim::lab::walker
