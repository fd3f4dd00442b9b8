// Where outputs go (sim/report/output_file.h): a device, FIFO or symlink is never
// replaced by a regular file, "-" is stdout, a failed write is exit 2 with nothing
// partial left, a signal during the write leaves no temporary file, and a report lost
// on stdout (a full disk, a closed descriptor) is a failure.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;
using s2sim::test::read_file;
using s2sim::test::run_s2sim;

const std::string kConfig = "tests/data/configs/small.json";

class OutputSafety : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = s2sim::test::temp_path("outputs");
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  bool no_temp_files() const {
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().filename().string().find(".tmp.") != std::string::npos) return false;
    return true;
  }
  std::string dir_;
};

bool is_char_device(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode);
}

// Runs a shell command line with s2sim as its first word, from the source tree.
int shell_status(const std::string& tail) {
  const std::string cmd = std::string("cd '") + S2SIM_SOURCE_DIR + "' && '" + S2SIM_BINARY + "' " + tail;
  const int raw = std::system(cmd.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
}

TEST_F(OutputSafety, DevNullIsWrittenInPlaceAndStaysADevice) {
  ASSERT_TRUE(is_char_device("/dev/null"));
  const auto r = run_s2sim("run " + kConfig + " --quiet --json /dev/null --csv /dev/null --trace-events /dev/null");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(is_char_device("/dev/null"));
  const auto c = run_s2sim("compare " + kConfig + " --quiet --walkers v4 --json /dev/null --html /dev/null");
  EXPECT_EQ(c.status, 0) << c.err;
  EXPECT_TRUE(is_char_device("/dev/null"));
}

TEST_F(OutputSafety, DevFullIsExitTwoWithTheErrorAndNothingPartial) {
  const std::string json = dir_ + "/r.json";
  const auto r = run_s2sim("run " + kConfig + " --quiet --json " + json + " --trace-events /dev/full");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "error: /dev/full: cannot write: No space left on device\n");
  EXPECT_FALSE(fs::exists(json)) << "the --json file is renamed into place only when every output was written";
  EXPECT_TRUE(no_temp_files());
  EXPECT_TRUE(is_char_device("/dev/full"));
}

TEST_F(OutputSafety, AFifoFeedsItsReaderAndStaysAFifo) {
  const std::string fifo = dir_ + "/result.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = read_file(fifo); });
  const auto r = run_s2sim("run " + kConfig + " --quiet --json " + fifo);
  reader.join();
  EXPECT_EQ(r.status, 0) << r.err;
  struct stat st {};
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(nlohmann::json::parse(got).at("schema"), "s2sim.result/1");
}

TEST_F(OutputSafety, ASymlinkIsFollowedAndKept) {
  const std::string target = dir_ + "/target.json", link = dir_ + "/link.json";
  std::ofstream(target) << "old";
  fs::create_symlink(target, link);
  const auto r = run_s2sim("run " + kConfig + " --quiet --json " + link);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(nlohmann::json::parse(read_file(target)).at("schema"), "s2sim.result/1");
  // A relative link, and a chain of two.
  fs::create_symlink("link.json", dir_ + "/link2.json");
  std::ofstream(target) << "old";
  EXPECT_EQ(run_s2sim("run " + kConfig + " --quiet --json " + dir_ + "/link2.json").status, 0);
  EXPECT_TRUE(fs::is_symlink(dir_ + "/link2.json"));
  EXPECT_EQ(nlohmann::json::parse(read_file(target)).at("schema"), "s2sim.result/1");
  EXPECT_TRUE(no_temp_files());
}

TEST_F(OutputSafety, DashIsStandardOutput) {
  const auto r = run_s2sim("run " + kConfig + " --quiet --json -");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("schema"), "s2sim.result/1");
  EXPECT_FALSE(fs::exists(std::string(S2SIM_SOURCE_DIR) + "/-"));
}

// The issue-15 fault injection: output writes that fail (a full device standing in
// for a full file system) give exit 2, one error line, and no file or temporary left.
TEST_F(OutputSafety, StdoutWriteErrorsAreFailures) {
  const std::string err = dir_ + "/err.txt";
  EXPECT_EQ(shell_status("run " + kConfig + " >/dev/full 2>" + err), 2);
  EXPECT_EQ(read_file(err), "error: standard output: cannot write: No space left on device\n");
  EXPECT_EQ(shell_status("decode 0x4c3 >&- 2>" + err), 2);
  EXPECT_EQ(read_file(err).rfind("error: standard output: cannot write:", 0), 0u) << read_file(err);
  EXPECT_EQ(shell_status("lab show 6 --config >/dev/full 2>" + err), 2);
  EXPECT_EQ(shell_status("--version >/dev/full 2>" + err), 2);
  // A closed stdout is not reused by the first file opened: the result file holds the
  // result, not the report.
  const std::string json = dir_ + "/r.json";
  EXPECT_EQ(shell_status("run " + kConfig + " --json " + json + " >&- 2>" + err), 2);
  EXPECT_EQ(nlohmann::json::parse(read_file(json)).at("schema"), "s2sim.result/1");
}

// SIGTERM while an output is being written leaves no temporary file: the run blocks
// opening a FIFO no one reads, after its --json file was staged.
TEST_F(OutputSafety, SigtermWhileWritingLeavesNoTemporaryFile) {
  const std::string fifo = dir_ + "/t.fifo", json = dir_ + "/r.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::chdir(S2SIM_SOURCE_DIR);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(S2SIM_BINARY, S2SIM_BINARY, "run", kConfig.c_str(), "--quiet", "--json", json.c_str(), "--trace-events",
            fifo.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  bool staged = false;
  for (int i = 0; i < 6000 && !staged; ++i) {
    staged = !no_temp_files();
    if (!staged) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(staged) << "the --json file is staged before the FIFO is opened";
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  EXPECT_TRUE(no_temp_files());
  EXPECT_FALSE(fs::exists(json));
}

// Fault injection on a regular file: RLIMIT_FSIZE (with SIGXFSZ ignored, so that the
// write fails with EFBIG instead of killing the process) makes the temporary file's
// write fail part-way, as a full disk would. Exit 2, one error line, the previous
// result left as it was and no temporary file.
TEST_F(OutputSafety, AFailedWriteToARegularFileLeavesThePreviousFile) {
  const std::string json = dir_ + "/r.json", csv = dir_ + "/r.csv", err = dir_ + "/err.txt";
  std::ofstream(json) << "previous";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit fsize{4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &fsize);
    ::chdir(S2SIM_SOURCE_DIR);
    const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 2);
    ::execl(S2SIM_BINARY, S2SIM_BINARY, "run", kConfig.c_str(), "--quiet", "--csv", csv.c_str(), "--json", json.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_EQ(read_file(err), "error: " + json + ": cannot write: File too large\n");
  EXPECT_EQ(read_file(json), "previous");
  EXPECT_FALSE(fs::exists(csv)) << "no output is renamed into place when one fails";
  EXPECT_TRUE(no_temp_files());
}

// A name of 255 bytes (NAME_MAX) is a file like any other: its temporary file, which
// cannot add a suffix to it, gets a short name of its own.
TEST_F(OutputSafety, ANameOfNameMaxBytesIsWritten) {
  const std::string json = dir_ + "/" + std::string(250, 'r') + ".json";
  const auto r = run_s2sim("run " + kConfig + " --quiet --json " + json);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(read_file(json)).at("schema"), "s2sim.result/1");
  EXPECT_TRUE(no_temp_files());
}

// Standard output read by a reader that is gone (`s2sim run --json - ... | head -c 1`):
// SIGPIPE arrives while the --csv file is staged, and the file's temporary goes too.
TEST_F(OutputSafety, SigpipeOnStdoutLeavesNoTemporaryFile) {
  const std::string csv = dir_ + "/r.csv";
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);  // no reader: the first write to stdout raises SIGPIPE
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::signal(SIGPIPE, SIG_DFL);
    ::chdir(S2SIM_SOURCE_DIR);
    ::dup2(fds[1], 1);
    ::execl(S2SIM_BINARY, S2SIM_BINARY, "run", kConfig.c_str(), "--quiet", "--json", "-", "--csv", csv.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE) << status;
  EXPECT_TRUE(no_temp_files());
  EXPECT_FALSE(fs::exists(csv));
}

}  // namespace
