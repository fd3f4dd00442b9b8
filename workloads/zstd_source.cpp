#include <zstd.h>

#include <vector>

#include "workloads/stream_decoders.h"

namespace s2sim::workloads {

namespace {

class ZstdSource final : public ByteSource {
 public:
  ZstdSource(std::unique_ptr<RawInput> raw, std::string head)
      : ByteSource(std::move(raw), std::move(head)), dctx_(ZSTD_createDCtx()), in_(ZSTD_DStreamInSize()) {
    if (!dctx_) throw std::bad_alloc();
    // The decoder's window is what a frame asks for, up to libzstd's default limit
    // (2^27 bytes, 128 MiB; zstd -3 asks for a few MiB): a constant bound, whatever
    // the trace's length.
  }
  ~ZstdSource() override { ZSTD_freeDCtx(dctx_); }
  ZstdSource(const ZstdSource&) = delete;
  ZstdSource& operator=(const ZstdSource&) = delete;

  std::size_t read(char* buf, std::size_t n) override {
    ZSTD_outBuffer out{buf, n, 0};
    while (out.pos == 0 && !done_) {
      if (input_.pos == input_.size) {
        const std::size_t got = read_raw(in_.data(), in_.size());
        if (got == 0) {
          // The input ended: fine after a whole frame, truncated inside one. A frame
          // whose input is all consumed may still hold output: drain it first.
          if (!in_frame_) {
            done_ = true;
            break;
          }
          const std::size_t before = out.pos;
          const std::size_t rc = ZSTD_decompressStream(dctx_, &out, &input_);
          if (ZSTD_isError(rc)) throw error(rc);
          if (rc == 0) {
            in_frame_ = false;
            continue;
          }
          if (out.pos == before) throw StreamDecodeError("truncated zstd data (the input ends inside a frame)");
          break;
        }
        input_ = {in_.data(), got, 0};
      }
      const std::size_t rc = ZSTD_decompressStream(dctx_, &out, &input_);
      if (ZSTD_isError(rc)) throw error(rc);
      in_frame_ = rc != 0;  // 0: a frame just ended (another may follow)
    }
    return out.pos;
  }

  Compression compression() const override { return Compression::Zstd; }

 private:
  static StreamDecodeError error(std::size_t rc) {
    return StreamDecodeError(std::string("corrupt zstd data (") + ZSTD_getErrorName(rc) + ")");
  }

  ZSTD_DCtx* dctx_;
  std::vector<char> in_;
  ZSTD_inBuffer input_{nullptr, 0, 0};
  bool in_frame_ = false, done_ = false;
};

}  // namespace

std::unique_ptr<ByteSource> make_zstd_source(std::unique_ptr<RawInput> raw, std::string head) {
  return std::make_unique<ZstdSource>(std::move(raw), std::move(head));
}

}  // namespace s2sim::workloads
