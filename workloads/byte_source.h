// Where a trace's bytes come from, as people have their traces: a file, standard
// input ("-") or a FIFO (valgrind piped straight into s2sim), each plain or
// compressed with gzip or zstd. Compression is recognized by the first bytes (gzip
// 1f 8b, zstd 28 b5 2f fd), never by the file name, and decompressed as a stream
// through fixed buffers: memory does not grow with the trace.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace s2sim::workloads {

// Corrupt or truncated compressed data. The line reader turns it into an InputError
// naming the file and the line it was reading.
class StreamDecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Compression : std::uint8_t { None, Gzip, Zstd };
const char* to_string(Compression c);

// The undecoded bytes: an open file descriptor.
class RawInput {
 public:
  // "-" is standard input; anything else is opened. Throws InputError(path, ...) if it
  // does not exist, is a directory, or is neither a regular file nor a FIFO.
  explicit RawInput(const std::string& path);
  ~RawInput();
  RawInput(const RawInput&) = delete;
  RawInput& operator=(const RawInput&) = delete;

  // Up to n bytes; 0 at the end. Throws InputError on a read error.
  std::size_t read(char* buf, std::size_t n);
  const std::string& path() const { return path_; }
  std::uint64_t consumed() const { return consumed_; }
  std::uint64_t size() const { return size_; }  // regular files; 0 for a pipe
  // A regular file can be opened again at will; standard input and a FIFO cannot.
  bool reopenable() const { return reopenable_; }
  // Moves a regular file to byte `offset`. Throws InputError if it cannot.
  void seek(std::uint64_t offset);

 private:
  std::string path_;
  int fd_ = -1;
  bool owned_ = false, reopenable_ = false;
  std::uint64_t consumed_ = 0, size_ = 0;
};

// The decoded bytes of one input.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to n decoded bytes; 0 at the end. Throws StreamDecodeError for bad compressed
  // data, InputError for a read error.
  virtual std::size_t read(char* buf, std::size_t n) = 0;
  virtual Compression compression() const = 0;
  // Moves to decoded byte `offset` of a fresh source in one step, where the format
  // allows it (a plain regular file); false: the caller reads up to it instead.
  virtual bool seek(std::uint64_t /*offset*/) { return false; }
  // Input bytes consumed so far and the input's size (0 when unknown), for progress.
  std::uint64_t input_consumed() const { return raw_->consumed(); }
  std::uint64_t input_size() const { return raw_->size(); }
  bool reopenable() const { return raw_->reopenable(); }
  const std::string& path() const { return raw_->path(); }

 protected:
  // `head` holds the first bytes already read from `raw` to recognize the format.
  ByteSource(std::unique_ptr<RawInput> raw, std::string head) : raw_(std::move(raw)), head_(std::move(head)) {}
  // Reads the undecoded input: the recognized head first, then the rest.
  std::size_t read_raw(char* buf, std::size_t n);
  // Moves the undecoded input to `offset` (the recognized head is then dropped).
  void seek_raw(std::uint64_t offset);

 private:
  std::unique_ptr<RawInput> raw_;
  std::string head_;
  std::size_t head_pos_ = 0;
};

// Opens `path` ("-" for standard input) and recognizes its compression.
std::unique_ptr<ByteSource> open_byte_source(const std::string& path);

// True when `path` names an input that can be read only once: standard input or a FIFO.
bool is_one_shot_input(const std::string& path);

}  // namespace s2sim::workloads
