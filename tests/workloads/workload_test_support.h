// Helpers shared by the workload tests: building workloads from JSON text, draining
// streams, and scratch files for trace tests.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "util/input_error.h"
#include "workloads/guest_op.h"
#include "workloads/workload_factory.h"

namespace s2sim::workloads::test {

inline WorkloadEnv make_env(unsigned vcpus = 1, std::uint64_t seed = 1, mmu::gfn_t slot_base_gfn = 0x80000,
                            std::uint64_t slot_npages = 4096) {
  WorkloadEnv env;
  env.vcpus = vcpus;
  env.seed = seed;
  env.slot_base_gfn = slot_base_gfn;
  env.slot_npages = slot_npages;
  env.config_file = "test.json";
  return env;
}

inline std::unique_ptr<OpSource> make(const std::string& json_text, const WorkloadEnv& env) {
  return make_workload(nlohmann::json::parse(json_text), "/workload", env);
}

inline std::vector<GuestOp> drain(OpSource& src, unsigned vcpu,
                                  std::size_t max = std::numeric_limits<std::size_t>::max()) {
  std::vector<GuestOp> ops;
  GuestOp op;
  while (ops.size() < max && src.next(vcpu, op)) ops.push_back(op);
  return ops;
}

// Runs `f`, which must throw InputError, and returns the error for inspection.
template <class F>
InputError catch_input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an InputError";
  return InputError("", "no error");
}

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static std::atomic<unsigned> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("s2sim-workloads-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
             (info ? std::string(info->name()) : std::string("x")));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string write(const std::string& name, const std::string& content) const {
    const auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

inline std::string data_path(const std::string& name) { return std::string(S2SIM_SOURCE_DIR) + "/tests/data/" + name; }

inline bool is_write(const GuestOp& op) { return op.access == mmu::Access::Write; }

}  // namespace s2sim::workloads::test
