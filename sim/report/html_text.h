// Text for the HTML report: every string that reaches the page goes through
// html_escape (config comments, file names, walker names, sweep axis values), and
// numbers are printed the way the text report prints them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace s2sim::sim::html {

// Escapes & < > " ' so that `s` is inert both as element text and inside a quoted
// attribute value.
std::string escape(std::string_view s);

// 1234567 -> "1,234,567".
std::string group_digits(std::uint64_t v);
// A value with `digits` decimals and thousands separators: 12345.678 -> "12,345.68".
std::string number(double v, int digits);
// A short axis label: 0, 2.5, 40, 1.2k, 3M, 4.5G.
std::string short_number(double v);

}  // namespace s2sim::sim::html
