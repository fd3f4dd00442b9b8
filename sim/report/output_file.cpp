#include "sim/report/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>

#include "util/input_error.h"

namespace s2sim::sim {

namespace {

namespace fs = std::filesystem;

// The temporary files being written, for the signal handler to remove: fixed storage,
// because a handler may only call async-signal-safe functions (unlink, raise).
constexpr int kMaxTemps = 16;
char g_temps[kMaxTemps][4096];
volatile std::sig_atomic_t g_temp_used[kMaxTemps];

extern "C" void remove_temps_and_reraise(int sig) {
  for (int i = 0; i < kMaxTemps; ++i)
    if (g_temp_used[i]) ::unlink(g_temps[i]);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void install_cleanup_handlers() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  // SIGPIPE too: standard output read by `head` may close while files are staged.
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) {
    struct sigaction old {};
    // A signal the caller ignores (nohup) stays ignored.
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    struct sigaction sa {};
    sa.sa_handler = remove_temps_and_reraise;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);
  }
}

// A temporary file registered for removal on a signal while it exists.
class TempFile {
 public:
  explicit TempFile(std::string path) : path_(std::move(path)) {
    install_cleanup_handlers();
    for (int i = 0; i < kMaxTemps; ++i)
      if (!g_temp_used[i] && path_.size() < sizeof g_temps[i]) {
        std::memcpy(g_temps[i], path_.c_str(), path_.size() + 1);
        g_temp_used[i] = 1;
        slot_ = i;
        break;
      }
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (!renamed_) ::unlink(path_.c_str());
    if (slot_ >= 0) g_temp_used[slot_] = 0;
  }
  const std::string& path() const { return path_; }
  void renamed() { renamed_ = true; }

 private:
  std::string path_;
  int slot_ = -1;
  bool renamed_ = false;
};

enum class Kind { kStdout, kNew, kRegular, kSpecial };

struct Target {
  Kind kind;
  fs::path path;  // symbolic links followed
};

std::string errno_text(int err) { return std::strerror(err); }

// Follows symbolic links (up to 40, as the kernel does) and says what the path is.
Target resolve(const std::string& name) {
  if (name.empty()) throw InputError("output", "an empty file name (use - for standard output)");
  if (name == "-") return {Kind::kStdout, {}};
  fs::path p(name);
  std::error_code ec;
  for (int hops = 0; fs::is_symlink(fs::symlink_status(p, ec)); ++hops) {
    if (hops == 40) throw InputError(name, "cannot write: too many levels of symbolic links");
    const fs::path to = fs::read_symlink(p, ec);
    if (ec) throw InputError(name, "cannot write: " + ec.message());
    p = to.is_absolute() ? to : p.parent_path() / to;
  }
  const fs::file_status st = fs::status(p, ec);
  if (!fs::exists(st)) return {Kind::kNew, p};
  if (fs::is_directory(st)) throw InputError(name, "cannot write: it is a directory");
  return {fs::is_regular_file(st) ? Kind::kRegular : Kind::kSpecial, p};
}

fs::path directory_of(const fs::path& p) { return p.has_parent_path() ? p.parent_path() : fs::path("."); }

// NAME_MAX of Linux's file systems (ext4, xfs, btrfs, tmpfs).
constexpr std::size_t kMaxFileName = 255;

// The temporary file for the i-th output: beside its target, named after it, or a short
// name when the target's own name leaves no room for the suffix.
std::string temp_path(const fs::path& target, std::size_t i) {
  const std::string pid = std::to_string(::getpid());
  std::string name = "." + target.filename().string() + ".tmp." + pid;
  if (name.size() > kMaxFileName) name = ".s2sim.tmp." + pid + "." + std::to_string(i);
  return (directory_of(target) / name).string();
}

// The same path spelt two ways ("out/../r.json", "r.json") before either exists.
fs::path normal(const fs::path& p) { return fs::absolute(p).lexically_normal(); }

void write_all(int fd, const std::string& text, const std::string& name) {
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw InputError(name, "cannot write: " + errno_text(n < 0 ? errno : ENOSPC));
    done += static_cast<std::size_t>(n);
  }
}

// Writes a device or FIFO in place; nothing is created or renamed.
void write_special(const fs::path& p, const std::string& text, const std::string& name) {
  int fd;
  do fd = ::open(p.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) throw InputError(name, "cannot write: " + errno_text(errno));
  try {
    write_all(fd, text, name);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0 && errno != EINTR) throw InputError(name, "cannot write: " + errno_text(errno));
}

void write_stdout(const std::string& text) {
  std::cout << text;
  std::cout.flush();
  if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout))
    throw InputError("standard output", "cannot write: " + errno_text(errno ? errno : EIO));
}

// Writes the whole text into a fresh temporary file beside `target`.
void write_temp(const TempFile& tmp, const std::string& text, const std::string& name) {
  const int fd = ::open(tmp.path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) throw InputError(name, "cannot write: " + errno_text(errno));
  try {
    write_all(fd, text, name);
  } catch (...) {
    ::close(fd);
    throw;
  }
  // Network and some local file systems report a full disk only here.
  if (::close(fd) != 0) throw InputError(name, "cannot write: " + errno_text(errno));
}

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec);
}

}  // namespace

void check_writable(const std::string& path) {
  const Target t = resolve(path);
  switch (t.kind) {
    case Kind::kStdout:
      return;
    case Kind::kSpecial:
      if (::access(t.path.c_str(), W_OK) != 0) throw InputError(path, "cannot write: " + errno_text(errno));
      return;
    case Kind::kNew:
    case Kind::kRegular: {
      if (t.path.filename().string().size() > kMaxFileName)
        throw InputError(path, "cannot write: the file name is longer than " + std::to_string(kMaxFileName) + " bytes");
      const fs::path dir = directory_of(t.path);
      std::error_code ec;
      if (!fs::is_directory(dir, ec))
        throw InputError(path, "cannot write: directory " + dir.string() + " does not exist");
      if (::access(dir.c_str(), W_OK | X_OK) != 0)
        throw InputError(path, "cannot write in directory " + dir.string() + ": " + errno_text(errno));
      return;
    }
  }
}

void check_outputs(const std::vector<std::pair<std::string, std::string>>& outputs,
                   const std::vector<std::string>& inputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const auto& [option, path] = outputs[i];
    if (path.empty()) throw InputError(option, "an empty file name (use - for standard output)");
    check_writable(path);
    const Target t = resolve(path);
    if (t.kind == Kind::kStdout || t.kind == Kind::kSpecial) continue;
    for (const std::string& in : inputs)
      if (!in.empty() && in != "-" && same_file(t.path, in))
        throw InputError(option + " " + path, "is the input " + in + ": writing there would overwrite it");
    for (std::size_t j = 0; j < i; ++j) {
      const Target u = resolve(outputs[j].second);
      if (u.kind == t.kind && (normal(u.path) == normal(t.path) || same_file(u.path, t.path)))
        throw InputError(option + " " + path, "is also the file of " + outputs[j].first);
    }
  }
}

void write_outputs(const std::vector<OutputFile>& files) {
  std::vector<Target> targets;
  for (const OutputFile& f : files) {
    check_writable(f.path);
    targets.push_back(resolve(f.path));
  }
  // Stage every regular file first: a failure leaves every target as it was.
  std::vector<std::unique_ptr<TempFile>> temps(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (targets[i].kind != Kind::kNew && targets[i].kind != Kind::kRegular) continue;
    const fs::path& p = targets[i].path;
    temps[i] = std::make_unique<TempFile>(temp_path(p, i));
    write_temp(*temps[i], files[i].text, files[i].path);
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (targets[i].kind == Kind::kStdout) write_stdout(files[i].text);
    if (targets[i].kind == Kind::kSpecial) write_special(targets[i].path, files[i].text, files[i].path);
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!temps[i]) continue;
    std::error_code ec;
    fs::rename(temps[i]->path(), targets[i].path, ec);
    if (ec) throw InputError(files[i].path, "cannot write: " + ec.message());
    temps[i]->renamed();
  }
}

void write_file_atomically(const std::string& path, const std::string& text) { write_outputs({{path, text}}); }

}  // namespace s2sim::sim
