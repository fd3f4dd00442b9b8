// The lab tests read every figure back with expat (Debian libexpat1-dev): a
// well-formed SVG document with one <svg> root, and what it draws -- its text
// elements (position, content, monospace or not) and its rectangles (position, fill)
// -- so that a test checks a figure's content, not only that it parses.
#pragma once

#include <expat.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace s2sim::test {

struct SvgText {
  double x = 0, y = 0;
  std::string text;
  bool mono = false;
};

struct SvgRect {
  double x = 0, y = 0;
  std::string fill;
};

struct SvgDoc {
  bool ok = false;
  std::string root;
  int elements = 0;
  std::vector<SvgText> texts;  // in document order
  std::vector<SvgRect> rects;
};

namespace svg_detail {

struct State {
  SvgDoc doc;
  int depth = 0;
  bool in_text = false;
};

inline const char* attr(const XML_Char** atts, const char* name) {
  for (int i = 0; atts[i]; i += 2)
    if (std::strcmp(atts[i], name) == 0) return atts[i + 1];
  return "";
}

inline void XMLCALL on_start(void* data, const XML_Char* name, const XML_Char** atts) {
  auto* s = static_cast<State*>(data);
  if (s->depth == 0) s->doc.root = name;
  ++s->depth;
  ++s->doc.elements;
  if (std::strcmp(name, "text") == 0) {
    s->doc.texts.push_back({std::atof(attr(atts, "x")), std::atof(attr(atts, "y")), "",
                            std::strstr(attr(atts, "font-family"), "monospace") != nullptr});
    s->in_text = true;
  } else if (std::strcmp(name, "rect") == 0) {
    s->doc.rects.push_back({std::atof(attr(atts, "x")), std::atof(attr(atts, "y")), attr(atts, "fill")});
  }
}

inline void XMLCALL on_end(void* data, const XML_Char* name) {
  auto* s = static_cast<State*>(data);
  --s->depth;
  if (std::strcmp(name, "text") == 0) s->in_text = false;
}

inline void XMLCALL on_chars(void* data, const XML_Char* text, int len) {
  auto* s = static_cast<State*>(data);
  if (s->in_text) s->doc.texts.back().text.append(text, static_cast<std::size_t>(len));
}

}  // namespace svg_detail

// Parses `svg`; a parse error or a root other than <svg> fails the calling test.
inline SvgDoc read_svg(const std::string& svg, const std::string& what) {
  XML_Parser parser = XML_ParserCreate("UTF-8");
  svg_detail::State s;
  XML_SetUserData(parser, &s);
  XML_SetElementHandler(parser, svg_detail::on_start, svg_detail::on_end);
  XML_SetCharacterDataHandler(parser, svg_detail::on_chars);
  const auto status = XML_Parse(parser, svg.data(), static_cast<int>(svg.size()), 1);
  EXPECT_EQ(status, XML_STATUS_OK) << what << ": " << XML_ErrorString(XML_GetErrorCode(parser)) << " at line "
                                   << XML_GetCurrentLineNumber(parser);
  XML_ParserFree(parser);
  EXPECT_EQ(s.doc.root, "svg") << what;
  s.doc.ok = status == XML_STATUS_OK && s.doc.root == "svg";
  return s.doc;
}

}  // namespace s2sim::test
