// Lab 8 runs a student's plug-in in a child process (fork): a plug-in that crashes,
// aborts or loops takes only the child down, and check reports how it ended.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace s2sim::sim::lab::walker {

struct ChildRun {
  std::vector<nlohmann::json> lines;  // what the child reported, one JSON object a line, in order
  bool finished = false;              // exited 0 after reporting everything
  std::string how;                    // when not: "killed by signal 11 (Segmentation fault)", ...
};

// Runs `body` in a child; `emit` sends one JSON object to the parent. The child is
// killed after `timeout_s` seconds.
ChildRun run_in_child(const std::function<void(const std::function<void(const nlohmann::json&)>& emit)>& body,
                      int timeout_s);

}  // namespace s2sim::sim::lab::walker
