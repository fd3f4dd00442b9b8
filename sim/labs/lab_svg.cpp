#include "sim/labs/lab_svg.h"

#include <cstdio>

namespace s2sim::sim::lab {

namespace {

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  std::string s = b;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

std::string stroke_attrs(const Svg::Style& s) {
  std::string a = " stroke=\"" + s.stroke + "\" stroke-width=\"" + num(s.stroke_width) + "\"";
  if (s.dashed) a += " stroke-dasharray=\"4 3\"";
  return a;
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

Svg::Svg(double width, double height, const std::string& title) : width_(width), height_(height), title_(title) {}

void Svg::rect(double x, double y, double w, double h, const Style& s) {
  body_ += "  <rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" + num(h) +
           "\" fill=\"" + s.fill + "\"" + stroke_attrs(s) + "/>\n";
}

void Svg::line(double x1, double y1, double x2, double y2, const Style& s, bool arrow) {
  body_ += "  <line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) + "\"" +
           stroke_attrs(s) + (arrow ? " marker-end=\"url(#arrow)\"" : "") + "/>\n";
}

void Svg::text(double x, double y, const std::string& s, const Font& f) {
  const char* anchor = f.anchor == Anchor::Start ? "start" : f.anchor == Anchor::Middle ? "middle" : "end";
  body_ += "  <text x=\"" + num(x) + "\" y=\"" + num(y) + "\" font-size=\"" + num(f.size) + "\" text-anchor=\"" +
           anchor + "\" font-family=\"" + (f.mono ? "DejaVu Sans Mono, Menlo, monospace" : "DejaVu Sans, Arial, sans-serif") +
           "\" fill=\"" + f.fill + "\"" + (f.bold ? " font-weight=\"bold\"" : "") + ">" + xml_escape(s) + "</text>\n";
}

void Svg::comment(const std::string& s) {
  std::string safe;
  for (std::size_t i = 0; i < s.size(); ++i) safe += (s[i] == '-' && i + 1 < s.size() && s[i + 1] == '-') ? "- " : std::string(1, s[i]);
  body_ += "  <!-- " + safe + " -->\n";
}

std::string Svg::str() const {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" +
         num(width_) + "\" height=\"" + num(height_) + "\" viewBox=\"0 0 " + num(width_) + " " + num(height_) +
         "\">\n  <title>" + xml_escape(title_) +
         "</title>\n"
         "  <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" "
         "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333333\"/></marker></defs>\n"
         "  <rect x=\"0\" y=\"0\" width=\"" +
         num(width_) + "\" height=\"" + num(height_) + "\" fill=\"#ffffff\"/>\n" + body_ + "</svg>\n";
}

}  // namespace s2sim::sim::lab
