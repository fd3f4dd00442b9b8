#include "sim/labs/lab8_write_a_walker/walker_sandbox.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "util/input_error.h"

namespace s2sim::sim::lab::walker {

namespace {

void write_all(int fd, const std::string& s) {
  for (std::size_t done = 0; done < s.size();) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ::_exit(4);
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

ChildRun run_in_child(const std::function<void(const std::function<void(const nlohmann::json&)>& emit)>& body,
                      int timeout_s) {
  int fds[2];
  if (::pipe(fds) != 0) throw InputError("lab check 8", std::string("cannot make a pipe: ") + std::strerror(errno));
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw InputError("lab check 8", std::string("cannot fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::close(fds[0]);
    int code = 0;
    try {
      body([&](const nlohmann::json& j) { write_all(fds[1], j.dump() + "\n"); });
    } catch (const std::exception& e) {
      write_all(fds[1], nlohmann::json{{"error", e.what()}}.dump() + "\n");
      code = 3;
    }
    ::close(fds[1]);
    ::_exit(code);
  }
  ::close(fds[1]);
  ChildRun run;
  std::string buf;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  bool timed_out = false;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char chunk[4096];
    const ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buf.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  for (std::size_t pos = 0; pos < buf.size();) {
    std::size_t eol = buf.find('\n', pos);
    if (eol == std::string::npos) break;  // a line cut short by the end of the child
    run.lines.push_back(nlohmann::json::parse(buf.substr(pos, eol - pos), nullptr, false));
    pos = eol + 1;
  }
  if (timed_out)
    run.how = "did not finish within " + std::to_string(timeout_s) + " s (an endless loop?) and was killed";
  else if (WIFSIGNALED(status))
    run.how = "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" + ::strsignal(WTERMSIG(status)) + ")";
  else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    run.how = "ended with exit status " + std::to_string(WEXITSTATUS(status));
  else
    run.finished = true;
  return run;
}

}  // namespace s2sim::sim::lab::walker
