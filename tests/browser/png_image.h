// A PNG decoder just large enough for Chromium's screenshots (8-bit RGB or RGBA,
// not interlaced), so that the browser test can tell a blank page from a drawn one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace s2sim::test {

struct RgbImage {
  unsigned width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  // width * height * 3, row after row

  const std::uint8_t* pixel(unsigned x, unsigned y) const { return &rgb[(std::size_t{y} * width + x) * 3]; }
};

// Decodes the PNG file at `path`; throws std::runtime_error saying what is wrong.
RgbImage read_png(const std::string& path);

}  // namespace s2sim::test
