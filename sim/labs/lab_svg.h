// A small SVG writer for the labs' figures: boxes, lines with arrow heads and text,
// in user units (1 unit = 1 px at 100 %), so that every figure is a plain,
// self-contained SVG 1.1 document any browser or Markdown viewer shows.
#pragma once

#include <string>

namespace s2sim::sim::lab {

// `text` with &, <, >, " and ' written as entities.
std::string xml_escape(const std::string& text);

class Svg {
 public:
  Svg(double width, double height, const std::string& title);

  struct Style {
    std::string fill = "none";
    std::string stroke = "#333333";
    double stroke_width = 1;
    bool dashed = false;
  };
  void rect(double x, double y, double w, double h, const Style& s);
  void line(double x1, double y1, double x2, double y2, const Style& s, bool arrow = false);

  enum class Anchor { Start, Middle, End };
  struct Font {
    double size = 12;
    Anchor anchor = Anchor::Start;
    bool bold = false;
    bool mono = false;
    std::string fill = "#000000";
  };
  void text(double x, double y, const std::string& s, const Font& f);
  // A comment in the document (what the figure shows, for a reader of the source).
  void comment(const std::string& s);

  std::string str() const;

 private:
  double width_, height_;
  std::string title_;
  std::string body_;
};

// Colours the figures share.
inline constexpr const char* kMarkFill = "#fde68a";   // an entry a walk loads
inline constexpr const char* kMarkStroke = "#b45309";
inline constexpr const char* kTableFill = "#f3f4f6";
inline constexpr const char* kSetBitFill = "#93c5fd";
inline constexpr const char* kAlertStroke = "#dc2626";

}  // namespace s2sim::sim::lab
