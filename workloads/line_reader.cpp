#include "workloads/line_reader.h"

#include <cstring>
#include <filesystem>

#include "util/input_error.h"

namespace s2sim::workloads {

LineReader::LineReader(std::string path, std::uint64_t offset, std::uint64_t line_no)
    : path_(std::move(path)), buf_(kBufferSize), line_no_(line_no), offset_(offset) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path_, ec);
  if (ec || !fs::exists(st)) throw InputError(path_, "cannot open trace: no such file");
  if (fs::is_directory(st)) throw InputError(path_, "cannot read trace: this is a directory, not a file");
  if (!fs::is_regular_file(st)) throw InputError(path_, "cannot read trace: not a regular file");
  in_.open(path_, std::ios::in | std::ios::binary);
  if (!in_.is_open()) throw InputError(path_, "cannot open trace for reading (permission denied?)");
  if (offset != 0) {
    in_.seekg(static_cast<std::streamoff>(offset));
    if (!in_) throw InputError(path_, "cannot seek in trace");
  }
  line_.reserve(256);
}

bool LineReader::refill() {
  in_.read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  end_ = static_cast<std::size_t>(in_.gcount());
  pos_ = 0;
  if (in_.bad()) throw InputError(where(), "read error");
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
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  line = line_;
  return true;
}

}  // namespace s2sim::workloads
