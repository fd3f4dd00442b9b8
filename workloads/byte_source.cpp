#include "workloads/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/input_error.h"
#include "workloads/stream_decoders.h"

namespace s2sim::workloads {

namespace {

class PlainSource final : public ByteSource {
 public:
  PlainSource(std::unique_ptr<RawInput> raw, std::string head) : ByteSource(std::move(raw), std::move(head)) {}
  std::size_t read(char* buf, std::size_t n) override { return read_raw(buf, n); }
  Compression compression() const override { return Compression::None; }
  bool seek(std::uint64_t offset) override {
    if (!reopenable()) return false;
    seek_raw(offset);
    return true;
  }
};

bool starts_with(const std::string& head, std::initializer_list<unsigned char> magic) {
  if (head.size() < magic.size()) return false;
  std::size_t i = 0;
  for (unsigned char m : magic)
    if (static_cast<unsigned char>(head[i++]) != m) return false;
  return true;
}

}  // namespace

const char* to_string(Compression c) {
  switch (c) {
    case Compression::Gzip: return "gzip";
    case Compression::Zstd: return "zstd";
    case Compression::None: break;
  }
  return "plain";
}

RawInput::RawInput(const std::string& path) : path_(path) {
  struct stat st{};
  if (path == "-") {
    fd_ = STDIN_FILENO;
    if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) size_ = static_cast<std::uint64_t>(st.st_size);
    return;
  }
  if (::stat(path.c_str(), &st) != 0) throw InputError(path, "cannot open trace: no such file");
  if (S_ISDIR(st.st_mode)) throw InputError(path, "cannot read trace: this is a directory, not a file");
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
    throw InputError(path, "cannot read trace: neither a regular file nor a FIFO");
  // A FIFO's open blocks until a writer opens it: that is how a pipe is read.
  do fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  while (fd_ < 0 && errno == EINTR);
  if (fd_ < 0) throw InputError(path, std::string("cannot open trace for reading: ") + std::strerror(errno));
  owned_ = true;
  reopenable_ = S_ISREG(st.st_mode);
  if (reopenable_) size_ = static_cast<std::uint64_t>(st.st_size);
}

RawInput::~RawInput() {
  if (owned_) ::close(fd_);
}

std::size_t RawInput::read(char* buf, std::size_t n) {
  for (;;) {
    const ssize_t got = ::read(fd_, buf, n);
    if (got >= 0) {
      consumed_ += static_cast<std::uint64_t>(got);
      return static_cast<std::size_t>(got);
    }
    if (errno != EINTR) throw InputError(path_, std::string("read error: ") + std::strerror(errno));
  }
}

std::size_t ByteSource::read_raw(char* buf, std::size_t n) {
  if (head_pos_ < head_.size()) {
    const std::size_t k = std::min(n, head_.size() - head_pos_);
    std::memcpy(buf, head_.data() + head_pos_, k);
    head_pos_ += k;
    return k;
  }
  return raw_->read(buf, n);
}

void RawInput::seek(std::uint64_t offset) {
  if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0)
    throw InputError(path_, std::string("cannot seek in trace: ") + std::strerror(errno));
  consumed_ = offset;
}

void ByteSource::seek_raw(std::uint64_t offset) {
  raw_->seek(offset);
  head_pos_ = head_.size();
}

std::unique_ptr<ByteSource> open_byte_source(const std::string& path) {
  auto raw = std::make_unique<RawInput>(path);
  // The first four bytes (fewer only at the end of the input) tell the format.
  std::string head(4, '\0');
  std::size_t got = 0;
  while (got < head.size()) {
    const std::size_t k = raw->read(head.data() + got, head.size() - got);
    if (k == 0) break;
    got += k;
  }
  head.resize(got);
  if (starts_with(head, {0x1f, 0x8b})) return make_gzip_source(std::move(raw), std::move(head));
  if (starts_with(head, {0x28, 0xb5, 0x2f, 0xfd})) return make_zstd_source(std::move(raw), std::move(head));
  return std::make_unique<PlainSource>(std::move(raw), std::move(head));
}

bool is_one_shot_input(const std::string& path) {
  if (path == "-") return true;
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
}

}  // namespace s2sim::workloads
