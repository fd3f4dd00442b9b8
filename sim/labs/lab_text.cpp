#include "sim/labs/lab_text.h"

#include <cstdio>

namespace s2sim::sim::lab {

std::string hex(std::uint64_t v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llX", digits, static_cast<unsigned long long>(v));
  return buf;
}

std::string bin(std::uint64_t v, int bits) {
  std::string s = "0b";
  for (int i = bits - 1; i >= 0; --i) s += ((v >> i) & 1) ? '1' : '0';
  return s;
}

std::string mask_binary(std::uint64_t mask, unsigned bits) {
  std::string s;
  for (int i = static_cast<int>(bits) - 1; i >= 0; --i) {
    s += ((mask >> i) & 1) ? '1' : '0';
    if (i % 4 == 0 && i) s += ' ';
  }
  return s;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) s += (i ? sep : "") + items[i];
  return s;
}

}  // namespace s2sim::sim::lab
