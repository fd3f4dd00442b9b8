#include "workloads/line_reader.h"

#include <algorithm>
#include <cstring>

#include "util/input_error.h"
#include "util/utf8.h"

namespace s2sim::workloads {

LineReader::LineReader(std::string path, std::uint64_t offset, std::uint64_t line_no)
    : path_(std::move(path)), buf_(kBufferSize), line_no_(line_no), offset_(0) {
  if (offset != 0 && is_one_shot_input(path_)) {
    throw InputError(where(),
                     "a pipe (standard input or a FIFO) can be read only once, and this trace's vCPUs are "
                     "interleaved too unevenly to be split in one pass (see the workload's read_ahead_ops): "
                     "write the trace to a file, or raise read_ahead_ops");
  }
  src_ = open_byte_source(path_);
  if (offset != 0 && src_->seek(offset)) offset_ = offset;
  // Compressed input has no byte index: decode up to the offset (at most once per
  // vCPU, when a vCPU detaches: trace_demux.h).
  while (offset_ < offset) {
    if (!refill()) throw InputError(where(), "the trace is shorter than when it was first read");
    const std::size_t skip = static_cast<std::size_t>(std::min<std::uint64_t>(end_, offset - offset_));
    pos_ = skip;
    offset_ += skip;
  }
  line_.reserve(256);
}

bool LineReader::refill() {
  pos_ = 0;
  try {
    end_ = src_->read(buf_.data(), buf_.size());
  } catch (const StreamDecodeError& e) {
    throw InputError(path_ + ":" + std::to_string(line_no_ + 1), e.what());
  }
  return end_ != 0;
}

bool LineReader::next(std::string_view& line, bool& truncated) {
  line_.clear();
  truncated = false;
  bool started = false;  // any byte of this line seen (a last line may lack "\n")
  for (;;) {
    if (pos_ == end_ && !refill()) {
      if (!started) return false;
      break;
    }
    started = true;
    const char* begin = buf_.data() + pos_;
    const std::size_t avail = end_ - pos_;
    const void* nl = std::memchr(begin, '\n', avail);
    const std::size_t chunk = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - begin) : avail;
    const std::size_t room = kMaxLine - line_.size();
    if (chunk > room) truncated = true;
    line_.append(begin, chunk < room ? chunk : room);
    const std::size_t consumed = chunk + (nl ? 1 : 0);
    pos_ += consumed;
    offset_ += consumed;
    if (nl) break;
  }
  ++line_no_;
  if (line_no_ == 1 && without_bom(line_).size() < line_.size()) line_.erase(0, kUtf8Bom.size());
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  line = line_;
  return true;
}

}  // namespace s2sim::workloads
