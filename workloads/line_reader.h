// Reads a text file line by line through a fixed buffer, so that traces of hundreds
// of millions of lines stream in constant memory. A line longer than kMaxLine is cut
// there (the rest is discarded and the line flagged), so a binary file without
// newlines cannot make the reader grow without bound. A reader can be reopened at a
// byte offset, which is how a trace cursor is forked (see trace_demux.h).
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace s2sim::workloads {

class LineReader {
 public:
  static constexpr std::size_t kMaxLine = 4096;
  static constexpr std::size_t kBufferSize = 64 * 1024;

  // Opens `path` and positions it at byte `offset`, which must be the start of line
  // `line_no + 1`. Throws InputError(path, ...) if the path does not exist, is a
  // directory or other non-regular file, or cannot be opened for reading.
  explicit LineReader(std::string path, std::uint64_t offset = 0, std::uint64_t line_no = 0);

  // The next line without its "\n" or "\r\n"; valid until the next call. False at
  // the end of the file. `truncated` tells that the line was longer than kMaxLine.
  bool next(std::string_view& line, bool& truncated);

  const std::string& path() const { return path_; }
  std::uint64_t line_no() const { return line_no_; }  // number of the line last returned (1-based)
  std::uint64_t offset() const { return offset_; }    // byte offset of the next unread line
  std::string where() const { return path_ + ":" + std::to_string(line_no_); }

 private:
  bool refill();

  std::string path_;
  std::ifstream in_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, end_ = 0;
  std::string line_;
  std::uint64_t line_no_ = 0;
  std::uint64_t offset_ = 0;
};

}  // namespace s2sim::workloads
