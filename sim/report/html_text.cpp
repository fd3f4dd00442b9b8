#include "sim/report/html_text.h"

#include <cmath>
#include <cstdio>

namespace s2sim::sim::html {

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string group_digits(std::uint64_t v) {
  std::string digits = std::to_string(v), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string number(double v, int digits) {
  if (!std::isfinite(v)) return "n/a";
  const bool negative = v < 0;
  const double a = std::fabs(v);
  const double scale = std::pow(10.0, digits);
  const double rounded = std::round(a * scale) / scale;
  const auto whole = static_cast<std::uint64_t>(rounded);
  std::string s = (negative && rounded != 0 ? "-" : "") + group_digits(whole);
  if (digits > 0) {
    char frac[32];
    std::snprintf(frac, sizeof frac, "%.*f", digits, rounded - static_cast<double>(whole));
    s += std::string(frac).substr(1);  // ".xx"
  }
  return s;
}

std::string short_number(double v) {
  const double a = std::fabs(v);
  const char* suffix = "";
  double shown = v;
  if (a >= 1e9) { shown = v / 1e9; suffix = "G"; }
  else if (a >= 1e6) { shown = v / 1e6; suffix = "M"; }
  else if (a >= 1e4) { shown = v / 1e3; suffix = "k"; }
  char buf[32];
  std::snprintf(buf, sizeof buf, *suffix ? "%.3g%s" : "%.4g%s", shown, suffix);  // 1000, not 1e+03
  return buf;
}

}  // namespace s2sim::sim::html
