#include "sim/labs/lab8_write_a_walker/walker_build.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/labs/lab8_write_a_walker/walker_plugin.h"

extern char** environ;

namespace s2sim::sim::lab::walker {

namespace {

bool on_path(const std::string& prog) {
  if (prog.find('/') != std::string::npos) return ::access(prog.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string d; std::getline(dirs, d, ':');)
    if (!d.empty() && ::access((d + "/" + prog).c_str(), X_OK) == 0) return true;
  return false;
}

// Runs `argv`, its stdout and stderr into `output`; returns its wait status.
int run_capture(const std::vector<std::string>& argv, std::string& output) {
  int fds[2];
  if (::pipe(fds) != 0) throw InputError(argv.front(), std::string("cannot make a pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  posix_spawn_file_actions_addclose(&fa, fds[1]);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    throw InputError(argv.front(), std::string("cannot run the compiler: ") + std::strerror(rc));
  }
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    output.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

}  // namespace

std::vector<std::string> find_compiler() {
  if (const char* cxx = std::getenv("CXX"); cxx && *cxx) {
    std::vector<std::string> cmd;
    std::stringstream words(cxx);
    for (std::string w; words >> w;) cmd.push_back(w);
    if (!cmd.empty() && on_path(cmd.front())) return cmd;
    throw InputError("$CXX", "\"" + std::string(cxx) + "\" is not a program on PATH");
  }
  for (const char* prog : {"g++", "c++", "clang++"})
    if (on_path(prog)) return {prog};
  throw InputError("lab build", "no C++ compiler on PATH (g++, c++ or clang++; or set $CXX)");
}

bool is_shared_object(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char magic[4] = {};
  return f.read(magic, 4) && std::memcmp(magic, "\x7f" "ELF", 4) == 0;
}

ScratchDir::ScratchDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "s2sim-lab8-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw InputError(tmpl, std::string("cannot make a scratch directory: ") + std::strerror(errno));
  path_ = tmpl;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string build_plugin(const std::string& source, const std::string& output) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(source, ec)) throw InputError(source, "no such C++ file");
  if (is_shared_object(source))
    throw InputError(source, "is a built plug-in already, not a C++ file (s2sim lab check 8 takes it as it is)");
  const std::vector<std::string> cxx = find_compiler();
  const ScratchDir scratch;
  {
    std::ofstream h(scratch.path() + "/s2sim_walker.h", std::ios::binary);
    h << student_header_text();
    if (!h) throw InputError(scratch.path(), "cannot write s2sim_walker.h");
  }
  std::vector<std::string> argv = cxx;
  for (const char* a : {"-std=c++20", "-O2", "-fPIC", "-shared", "-Wall", "-Wextra"}) argv.emplace_back(a);
  argv.push_back("-I" + scratch.path());
  argv.push_back("-o");
  argv.push_back(output);
  argv.push_back("-x");  // a C++ file whatever its name ends with
  argv.push_back("c++");
  argv.push_back(source);
  std::string out;
  const int status = run_capture(argv, out);
  std::string cmd;
  for (const std::string& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::filesystem::remove(output, ec);
    const std::string how = WIFEXITED(status) ? "exited " + std::to_string(WEXITSTATUS(status))
                                              : "was killed by signal " + std::to_string(WTERMSIG(status));
    throw BuildFailed(source, "does not compile (" + cxx.front() + " " + how + "); the compiler's output follows",
                      out);
  }
  return cmd;
}

}  // namespace s2sim::sim::lab::walker
