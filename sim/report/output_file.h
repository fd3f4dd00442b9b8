// Where a run's files go, and how they get there without clobbering anything.
//
// - A regular file, or a name not yet taken, is replaced atomically: the text goes to
//   a temporary file in the same directory, renamed over the target once complete.
// - A symbolic link is followed: its target is what is written, the link stays.
// - "-" is standard output.
// - A device, FIFO or socket is written in place and never replaced: `--json
//   /dev/null` discards the result and leaves /dev/null a device, a FIFO feeds its
//   reader (opening it waits for one, as a shell redirection does).
// - A write that fails (ENOSPC, EIO, a closed stdout) is an InputError naming the file,
//   and its temporary file is removed; so are temporary files being written when
//   SIGINT, SIGTERM, SIGHUP or SIGPIPE arrives.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace s2sim::sim {

// Throws InputError naming `path` when no file can be written there: an empty name,
// a directory, a missing or unwritable directory, a special file that cannot be
// opened for writing. Checked before a run, so that nothing is spent simulating a
// result that cannot be saved.
void check_writable(const std::string& path);

// Every output a command will write, by option ("--json") and path, checked before
// anything runs: each writable (check_writable), no two the same file, and none the
// same file as one of `inputs` (the config, a trace), which it would overwrite.
void check_outputs(const std::vector<std::pair<std::string, std::string>>& outputs,
                   const std::vector<std::string>& inputs);

struct OutputFile {
  std::string path;
  std::string text;
};

// Writes every file or none of the regular ones: all temporary files are written
// first, and renamed over their targets only once each was written in full (special
// files and stdout, which cannot be staged, in between). Throws InputError for the
// first failure, leaving no temporary file behind.
void write_outputs(const std::vector<OutputFile>& files);

// write_outputs of one file.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace s2sim::sim
