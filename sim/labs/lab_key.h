// The lecturer's key: each student's problem is made from a seed derived from
// (key, lab, student id) by SipHash-2-4, a keyed pseudo-random function. Without the
// key a student cannot derive the seed -- nor `solve` or make the problem -- and
// searching 2^64 seeds for one whose problem matches theirs is out of reach; with it
// the same key and id always give the same problem.
#pragma once

#include <cstdint>
#include <string>

namespace s2sim::sim::lab {

// The shortest key accepted: a key a student could guess would let them solve.
inline constexpr std::size_t kMinKeyLength = 12;

// An empty string if `key` can be used, else what is wrong with it.
std::string key_problem(const std::string& key);
// An empty string if `id` can name a student (1-64 of A-Z a-z 0-9 . _ - @ +, not
// starting with a dot: it also names the student's answer file), else what is wrong.
std::string student_id_problem(const std::string& id);

// The generator seed of `student`'s problem in lab `lab` under `key`.
std::uint64_t keyed_seed(const std::string& key, int lab, const std::string& student);

// SipHash-2-4 of `data` under the 128-bit key (k0, k1) (Aumasson and Bernstein, 2012),
// written here from the paper's definition.
std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, const std::string& data);

}  // namespace s2sim::sim::lab
