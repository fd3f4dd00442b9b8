// Reads a trace line by line through a fixed buffer, so that traces of hundreds of
// millions of lines stream in constant memory. A line longer than kMaxLine is cut
// there (the rest is discarded and the line flagged), so a binary file without
// newlines cannot make the reader grow without bound. The input is any ByteSource
// (byte_source.h): a file, standard input ("-") or a FIFO, plain, gzip or zstd. A
// reader can be reopened at a (decoded) byte offset, which is how a trace cursor is
// forked (see trace_demux.h); standard input and FIFOs cannot be read twice.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/byte_source.h"

namespace s2sim::workloads {

class LineReader {
 public:
  static constexpr std::size_t kMaxLine = 4096;
  static constexpr std::size_t kBufferSize = 64 * 1024;

  // Opens `path` ("-": standard input) and positions it at decoded byte `offset`,
  // which must be the start of line `line_no + 1`. Throws InputError(path, ...) if the
  // path does not exist, is a directory or other file that is neither regular nor a
  // FIFO, cannot be opened for reading, or (offset > 0) cannot be read twice.
  explicit LineReader(std::string path, std::uint64_t offset = 0, std::uint64_t line_no = 0);

  // The next line without its "\n" or "\r\n"; valid until the next call. False at
  // the end of the input. `truncated` tells that the line was longer than kMaxLine.
  // Bad compressed data throws InputError naming "path:line" of the line being read.
  bool next(std::string_view& line, bool& truncated);

  const std::string& path() const { return path_; }
  std::uint64_t line_no() const { return line_no_; }  // number of the line last returned (1-based)
  std::uint64_t offset() const { return offset_; }    // decoded byte offset of the next unread line
  std::string where() const { return path_ + ":" + std::to_string(line_no_); }
  // Undecoded input bytes read so far and the input's size (0 for a pipe): progress.
  std::uint64_t input_consumed() const { return src_->input_consumed(); }
  std::uint64_t input_size() const { return src_->input_size(); }
  Compression compression() const { return src_->compression(); }

 private:
  bool refill();

  std::string path_;
  std::unique_ptr<ByteSource> src_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, end_ = 0;
  std::string line_;
  std::uint64_t line_no_ = 0;
  std::uint64_t offset_ = 0;
};

}  // namespace s2sim::workloads
