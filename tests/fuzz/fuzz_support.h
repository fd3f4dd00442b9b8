// Shared pieces of the libFuzzer targets: the fuzz input as a file the real readers
// can open, draining an OpSource in bounded work, and reporting a finding.
//
// Contract of every target: InputError is the normal way to reject bad input. Any
// other exception, a crash, a sanitizer report, a hang or a broken property checked
// here is a finding: finding() prints it and aborts, which libFuzzer records as a
// crash and saves the input of.
#pragma once

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <typeinfo>
#include <vector>

#include "workloads/guest_op.h"

namespace s2sim::fuzz {

[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "s2sim fuzz finding: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// For a catch (const std::exception& e) after catch (const InputError&).
[[noreturn]] inline void unexpected_exception(const char* during, const std::exception& e) {
  finding(std::string("exception other than InputError during ") + during + ": " + typeid(e).name() + ": " + e.what());
}

// The fuzz input as a regular file with a path: an anonymous memfd opened through
// /proc/self/fd (nothing touches the disk, nothing to clean up), or a unique file
// under $TMPDIR (default /tmp) removed at exit where memfd is unavailable. The same
// file is rewritten for every input; it must stay open for the process's lifetime.
class InputFile {
 public:
  explicit InputFile(const char* name) {
    fd_ = ::memfd_create(name, MFD_CLOEXEC);
    if (fd_ >= 0) {
      path_ = "/proc/self/fd/" + std::to_string(fd_);
      return;
    }
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + name + "-XXXXXX";
    fd_ = ::mkstemp(templ.data());
    if (fd_ < 0) finding("cannot create a temporary file for the fuzz input");
    path_ = templ;
    unlink_ = true;
  }
  ~InputFile() {
    if (fd_ >= 0) ::close(fd_);
    if (unlink_) ::unlink(path_.c_str());
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Replaces the file's contents with `data` and returns its path.
  const std::string& write(const std::uint8_t* data, std::size_t size) {
    if (::ftruncate(fd_, 0) != 0) finding("ftruncate of the fuzz input file failed");
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = ::pwrite(fd_, data + done, size - done, static_cast<off_t>(done));
      if (n <= 0) finding("writing the fuzz input file failed");
      done += static_cast<std::size_t>(n);
    }
    return path_;
  }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
  bool unlink_ = false;
};

enum class DrainEnd { Complete, Capped };

struct Drained {
  std::vector<std::vector<workloads::GuestOp>> ops;  // per vCPU, in stream order
  DrainEnd end = DrainEnd::Complete;
  std::size_t total = 0;
};

// Pulls operations from `src` for vCPUs [0, vcpus) until every stream is exhausted
// (Complete) or `cap` operations were taken (Capped). vCPU v takes up to v*v + 1
// operations per round, an uneven pattern that fills the other vCPUs' read-ahead
// queues of a trace (and so makes them detach when the read-ahead is small). Also
// checks the OpSource contract: an exhausted stream keeps returning false, and a
// vCPU index past the last returns false. InputError propagates to the caller.
inline Drained drain(workloads::OpSource& src, unsigned vcpus, std::size_t cap) {
  Drained d;
  d.ops.resize(vcpus);
  std::vector<bool> live(vcpus, true);
  unsigned alive = vcpus;
  workloads::GuestOp op;
  while (alive > 0) {
    for (unsigned v = 0; v < vcpus; ++v) {
      for (unsigned k = 0; live[v] && k < v * v + 1; ++k) {
        if (d.total == cap) {
          d.end = DrainEnd::Capped;
          return d;
        }
        if (!src.next(v, op)) {
          live[v] = false;
          --alive;
          if (src.next(v, op))
            finding("vCPU " + std::to_string(v) + "'s stream yielded an operation after it had ended");
          break;
        }
        d.ops[v].push_back(op);
        ++d.total;
      }
    }
  }
  if (src.next(vcpus, op)) finding("a vCPU index past the last yielded an operation");
  return d;
}

}  // namespace s2sim::fuzz
