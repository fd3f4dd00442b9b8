#include "browser/png_image.h"

#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace s2sim::test {

namespace {

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

std::vector<std::uint8_t> inflate_all(const std::vector<std::uint8_t>& in, std::size_t expected) {
  std::vector<std::uint8_t> out(expected);
  uLongf size = static_cast<uLongf>(expected);
  if (uncompress(out.data(), &size, in.data(), static_cast<uLong>(in.size())) != Z_OK || size != expected)
    throw std::runtime_error("PNG image data does not inflate to its size");
  return out;
}

// Undoes the PNG filter of one scanline (ISO/IEC 15948, 9.2), given the previous one.
void unfilter(std::uint8_t type, std::uint8_t* line, const std::uint8_t* prev, std::size_t stride, unsigned bpp) {
  for (std::size_t i = 0; i < stride; ++i) {
    const int a = i >= bpp ? line[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
    int add = 0;
    switch (type) {
      case 0: break;
      case 1: add = a; break;
      case 2: add = b; break;
      case 3: add = (a + b) / 2; break;
      case 4: {
        const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        break;
      }
      default: throw std::runtime_error("PNG scanline with unknown filter type " + std::to_string(type));
    }
    line[i] = static_cast<std::uint8_t>(line[i] + add);
  }
}

}  // namespace

RgbImage read_png(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  const std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(f)), {});
  static const std::uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (data.size() < 8 || std::memcmp(data.data(), kSignature, 8) != 0) throw std::runtime_error(path + ": not a PNG file");
  RgbImage img;
  unsigned bpp = 0;
  std::vector<std::uint8_t> idat;
  for (std::size_t pos = 8; pos + 12 <= data.size();) {
    const std::uint32_t len = be32(&data[pos]);
    const std::string kind(reinterpret_cast<const char*>(&data[pos + 4]), 4);
    if (pos + 12 + len > data.size()) throw std::runtime_error(path + ": truncated chunk " + kind);
    const std::uint8_t* body = &data[pos + 8];
    if (kind == "IHDR") {
      img.width = be32(body);
      img.height = be32(body + 4);
      const unsigned depth = body[8], colour = body[9], interlace = body[12];
      if (depth != 8 || (colour != 2 && colour != 6) || interlace != 0)
        throw std::runtime_error(path + ": only 8-bit RGB/RGBA, non-interlaced PNGs are read here");
      bpp = colour == 2 ? 3 : 4;
    } else if (kind == "IDAT") {
      idat.insert(idat.end(), body, body + len);
    }
    pos += 12 + len;
  }
  if (bpp == 0 || img.width == 0 || img.height == 0) throw std::runtime_error(path + ": no image header");
  const std::size_t stride = std::size_t{img.width} * bpp;
  std::vector<std::uint8_t> raw = inflate_all(idat, (stride + 1) * img.height);
  std::vector<std::uint8_t> zero(stride, 0);
  img.rgb.resize(std::size_t{img.width} * img.height * 3);
  for (unsigned y = 0; y < img.height; ++y) {
    std::uint8_t* line = &raw[y * (stride + 1) + 1];
    const std::uint8_t* prev = y == 0 ? zero.data() : &raw[(y - 1) * (stride + 1) + 1];
    unfilter(raw[y * (stride + 1)], line, prev, stride, bpp);
    for (unsigned x = 0; x < img.width; ++x)
      std::memcpy(&img.rgb[(std::size_t{y} * img.width + x) * 3], &line[x * bpp], 3);
  }
  return img;
}

}  // namespace s2sim::test
