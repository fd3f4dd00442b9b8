#include "workloads/native_trace.h"

#include <charconv>
#include <cstdio>
#include <vector>

#include "util/input_error.h"
#include "workloads/line_reader.h"
#include "workloads/region.h"

namespace s2sim::workloads {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Parses all of `s` as an unsigned number in `base`; false on any stray character,
// an empty string or overflow.
bool parse_u64(std::string_view s, int base, std::uint64_t& out) {
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::string quoted(std::string_view s) {
  constexpr std::size_t kShown = 40;  // keep messages one readable line
  return "\"" + std::string(s.substr(0, kShown)) + (s.size() > kShown ? "...\"" : "\"");
}

class NativeCursor final : public TraceCursor {
 public:
  NativeCursor(const std::string& path, const WorkloadEnv& env, std::uint64_t offset = 0, std::uint64_t line_no = 0)
      : reader_(path, offset, line_no), vcpus_(env.vcpus == 0 ? 1 : env.vcpus), ipa_bits_(env.ipa_bits), env_(env) {}

  bool next(unsigned& vcpu, GuestOp& op) override {
    std::string_view line;
    bool truncated = false;
    while (reader_.next(line, truncated)) {
      if (truncated) fail("line longer than " + std::to_string(LineReader::kMaxLine) + " characters");
      if (parse(line, vcpu, op)) return true;
    }
    return false;
  }

  std::unique_ptr<TraceCursor> fork() const override {
    return std::make_unique<NativeCursor>(reader_.path(), env_, reader_.offset(), reader_.line_no());
  }

  ReadProgress read_progress() const override { return {reader_.input_consumed(), reader_.input_size()}; }
  const std::string& path() const override { return reader_.path(); }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw InputError(reader_.where(), what); }

  // False for a line without an operation (blank or comment only).
  bool parse(std::string_view line, unsigned& vcpu, GuestOp& op) const {
    for (std::size_t i = 0; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "0x%02x", c);
        fail(std::string("binary data (byte ") + buf + " in column " + std::to_string(i + 1) + "): not a text trace");
      }
    }
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);

    std::string_view fields[6];
    std::size_t n = 0;
    for (std::size_t i = 0; i < line.size();) {
      if (is_blank(line[i])) {
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < line.size() && !is_blank(line[j])) ++j;
      if (n == std::size(fields)) fail("unexpected " + quoted(line.substr(i)) + " after the operation");
      fields[n++] = line.substr(i, j - i);
      i = j;
    }
    if (n == 0) return false;
    if (n < 3) fail("missing fields: expected \"<vcpu> <R|W> <hex IPA> [think]\"");

    std::uint64_t v = 0;
    if (!parse_u64(fields[0], 10, v)) fail("bad vCPU number " + quoted(fields[0]));
    if (v >= vcpus_) {
      fail("vCPU " + std::to_string(v) + " does not exist (the config has " + std::to_string(vcpus_) + " vCPU" +
           (vcpus_ == 1 ? "" : "s") + ")");
    }
    vcpu = static_cast<unsigned>(v);

    GuestOp o;
    if (fields[1] == "R") o.access = mmu::Access::Read;
    else if (fields[1] == "W") o.access = mmu::Access::Write;
    else fail("unknown operation " + quoted(fields[1]) + " (expected R or W)");

    std::string_view ipa = fields[2];
    if (ipa.size() > 2 && ipa[0] == '0' && (ipa[1] == 'x' || ipa[1] == 'X')) ipa.remove_prefix(2);
    if (!parse_u64(ipa, 16, o.ipa)) fail("bad hexadecimal IPA " + quoted(fields[2]));
    if (ipa_bits_ < 64 && (o.ipa >> ipa_bits_) != 0) {
      fail("IPA " + hex(o.ipa) + " lies outside the " + std::to_string(ipa_bits_) + "-bit IPA space");
    }

    std::size_t k = 3;
    if (k < n && fields[k][0] != '@') {
      if (!parse_u64(fields[k], 10, o.think_cycles)) fail("bad think cycles " + quoted(fields[k]) + " (expected a decimal number)");
      if (o.think_cycles > kMaxThinkCycles) fail("think cycles " + std::string(fields[k]) + " exceed the limit of 10^12");
      ++k;
    }
    if (k < n && fields[k][0] == '@') {
      if (!parse_u64(fields[k].substr(1), 10, o.not_before_cycles) || o.not_before_cycles > (std::uint64_t{1} << 62)) {
        fail("bad not-before time " + quoted(fields[k]) + " (expected @ and a decimal cycle count below 2^62)");
      }
      ++k;
    }
    if (k < n) fail("unexpected " + quoted(fields[k]) + " after the operation");
    op = o;
    return true;
  }

  LineReader reader_;
  unsigned vcpus_;
  unsigned ipa_bits_;
  WorkloadEnv env_;
};

}  // namespace

std::unique_ptr<TraceDemux> open_native_trace(const std::string& path, const WorkloadEnv& env, std::size_t read_ahead_ops) {
  return std::make_unique<TraceDemux>(std::make_unique<NativeCursor>(path, env), env.vcpus, read_ahead_ops,
                                      "trace: native \"" + path + "\"");
}

void write_native_trace(OpSource& src, unsigned vcpus, std::ostream& out) {
  out << kNativeTraceHeader << '\n';
  std::vector<bool> live(vcpus, true);
  unsigned alive = vcpus;
  std::string line;
  const auto put = [&line](std::uint64_t v, int base) {
    char digits[24];  // 2^64 - 1 has 20 decimal digits
    line.append(digits, std::to_chars(digits, digits + sizeof digits, v, base).ptr);
  };
  while (alive > 0) {
    for (unsigned v = 0; v < vcpus; ++v) {
      if (!live[v]) continue;
      GuestOp op;
      if (!src.next(v, op)) {
        live[v] = false;
        --alive;
        continue;
      }
      // The native format has no ucall: a GUEST_SYNC (memstress) carries no access.
      if (op.sync) continue;
      line.clear();
      put(v, 10);
      line += op.access == mmu::Access::Write ? " W 0x" : " R 0x";
      put(op.ipa, 16);
      if (op.think_cycles != 0 || op.not_before_cycles != 0) {
        line += ' ';
        put(op.think_cycles, 10);
      }
      if (op.not_before_cycles != 0) {
        line += " @";
        put(op.not_before_cycles, 10);
      }
      line += '\n';
      out << line;
    }
  }
}

}  // namespace s2sim::workloads
