#include "sim/cli/sweep_exec.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "util/input_error.h"

extern char** environ;

namespace s2sim::sim {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Running {
  SweepPoint point;
  Clock::time_point start;
};

std::string read_and_remove(const std::string& path) {
  std::string text;
  {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  std::remove(path.c_str());
  return text;
}

// Starts one point: stdin and stdout /dev/null (the result goes to its file), stderr
// to a file the parent reads when it ends.
pid_t spawn_point(const std::string& exe, const SweepSpec& spec, const SweepDir& dir, const SweepPoint& p) {
  std::vector<std::string> args = point_command(spec, dir, p);
  args.insert(args.begin(), exe);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  const std::string err = dir.stderr_path(p);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw InputError(exe, std::string("cannot start a sweep point: ") + std::strerror(rc));
  return pid;
}

}  // namespace

std::string self_executable() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw InputError("/proc/self/exe", "cannot find the s2sim binary: " + ec.message());
  return exe.string();
}

std::vector<std::string> point_command(const SweepSpec& spec, const SweepDir& dir, const SweepPoint& p) {
  std::vector<std::string> args = {"run", dir.base_config()};
  for (const std::string& set : point_overrides(spec, p)) {
    args.push_back("--set");
    args.push_back(set);
  }
  args.insert(args.end(), {"--seed", std::to_string(p.seed), "--json", dir.result_path(p), "--quiet"});
  return args;
}

PointStatus point_status(int wait_status, const std::string& stderr_text, double host_seconds) {
  PointStatus s;
  s.host_seconds = host_seconds;
  std::string last, error;
  std::istringstream in(stderr_text);
  for (std::string line; std::getline(in, line);) {
    // A live progress line ends in "\r"; only what was printed last on it counts.
    if (const auto cr = line.find_last_of('\r'); cr != std::string::npos) line = line.substr(cr + 1);
    if (line.empty()) continue;
    last = line;
    if (line.rfind("error: ", 0) == 0) error = line.substr(7);
  }
  s.error = error.empty() ? last : error;
  if (WIFSIGNALED(wait_status)) {
    const int sig = WTERMSIG(wait_status);
    s.exit_status = 128 + sig;
    const char* name = strsignal(sig);
    const std::string what = "killed by signal " + std::to_string(sig) + " (" + (name ? name : "?") + ")";
    s.error = s.error.empty() ? what : what + ": " + s.error;
  } else {
    s.exit_status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 255;
  }
  return s;
}

void run_points(const std::string& exe, const SweepSpec& spec, const SweepDir& dir,
                const std::vector<std::size_t>& indexes, unsigned jobs, const PointEnded& ended) {
  std::map<pid_t, Running> running;
  std::size_t next = 0;
  while (next < indexes.size() || !running.empty()) {
    while (next < indexes.size() && running.size() < std::max(1u, jobs)) {
      const SweepPoint p = sweep_point(spec, indexes[next++]);
      // A status from an earlier attempt must not outlive this one.
      std::remove(dir.status_path(p).c_str());
      const Clock::time_point start = Clock::now();
      running.emplace(spawn_point(exe, spec, dir, p), Running{p, start});
    }
    int wait_status = 0;
    const pid_t pid = ::waitpid(-1, &wait_status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;  // not one of ours
    const Running r = it->second;
    running.erase(it);
    const double host_s = std::chrono::duration<double>(Clock::now() - r.start).count();
    PointStatus s = point_status(wait_status, read_and_remove(dir.stderr_path(r.point)), host_s);
    // `s2sim run` writes its result whenever it exits 0 or 1.
    if ((s.exit_status == 0 || s.exit_status == 1) && !dir.done(r.point) && s.error.empty())
      s.error = "exited " + std::to_string(s.exit_status) + " but wrote no result";
    dir.write_status(r.point, s);
    ended(r.point, s);
  }
}

}  // namespace s2sim::sim
