#include <zlib.h>

#include <vector>

#include "workloads/stream_decoders.h"

namespace s2sim::workloads {

namespace {

class GzipSource final : public ByteSource {
 public:
  GzipSource(std::unique_ptr<RawInput> raw, std::string head)
      : ByteSource(std::move(raw), std::move(head)), in_(kInputBuffer) {
    // 16 + MAX_WBITS: a gzip wrapper, not zlib's; the window is 32 KiB at most.
    if (inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK) throw std::bad_alloc();
  }
  ~GzipSource() override { inflateEnd(&zs_); }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  std::size_t read(char* buf, std::size_t n) override {
    zs_.next_out = reinterpret_cast<Bytef*>(buf);
    zs_.avail_out = static_cast<uInt>(n);
    while (zs_.avail_out == n && !done_) {
      if (zs_.avail_in == 0 && !refill()) {
        // The input ended: fine between members, truncated inside one.
        if (in_member_) throw StreamDecodeError("truncated gzip data (the input ends inside a compressed member)");
        done_ = true;
        break;
      }
      in_member_ = true;
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        in_member_ = false;
        inflateReset(&zs_);  // another member may follow
      } else if (rc == Z_BUF_ERROR) {
        continue;  // needs more input
      } else if (rc != Z_OK) {
        throw StreamDecodeError(std::string("corrupt gzip data (") + (zs_.msg ? zs_.msg : "zlib error") + ")");
      }
    }
    return n - zs_.avail_out;
  }

  Compression compression() const override { return Compression::Gzip; }

 private:
  static constexpr std::size_t kInputBuffer = 64 * 1024;

  bool refill() {
    const std::size_t got = read_raw(in_.data(), in_.size());
    zs_.next_in = reinterpret_cast<Bytef*>(in_.data());
    zs_.avail_in = static_cast<uInt>(got);
    return got != 0;
  }

  z_stream zs_{};
  std::vector<char> in_;
  bool in_member_ = false, done_ = false;
};

}  // namespace

std::unique_ptr<ByteSource> make_gzip_source(std::unique_ptr<RawInput> raw, std::string head) {
  return std::make_unique<GzipSource>(std::move(raw), std::move(head));
}

}  // namespace s2sim::workloads
