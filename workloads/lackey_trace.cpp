#include "workloads/lackey_trace.h"

#include <charconv>
#include <unordered_map>
#include <vector>

#include "mmu/granule.h"
#include "util/input_error.h"
#include "workloads/line_reader.h"
#include "workloads/region.h"

namespace s2sim::workloads {
namespace {

inline constexpr std::uint64_t kMaxAccessSize = 65536;

enum class Record : std::uint8_t { Instruction, Load, Store, Modify };

struct Access {
  Record record;
  std::uint64_t addr, size;
};

bool parse_u64(std::string_view s, int base, std::uint64_t& out) {
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// Recognizes one lackey record; false for anything else.
bool parse_record(std::string_view line, Access& a) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  if (line.size() < 4) return false;
  if (line[0] == 'I' && line[1] == ' ' && line[2] == ' ') {
    a.record = Record::Instruction;
  } else if (line[0] == ' ' && line[2] == ' ') {
    switch (line[1]) {
      case 'L': a.record = Record::Load; break;
      case 'S': a.record = Record::Store; break;
      case 'M': a.record = Record::Modify; break;
      default: return false;
    }
  } else {
    return false;
  }
  line.remove_prefix(3);
  const std::size_t comma = line.find(',');
  if (comma == std::string_view::npos) return false;
  if (!parse_u64(line.substr(0, comma), 16, a.addr) || !parse_u64(line.substr(comma + 1), 10, a.size)) return false;
  if (a.size == 0 || a.size > kMaxAccessSize) return false;
  return a.addr + (a.size - 1) >= a.addr;  // the access must not wrap past 2^64
}

class LackeyCursor final : public TraceCursor {
 public:
  LackeyCursor(const std::string& path, const WorkloadEnv& env, const LackeyOptions& options)
      : reader_(std::make_unique<LineReader>(path)),
        options_(options),
        vcpus_(env.vcpus == 0 ? 1 : env.vcpus),
        slot_base_ipa_(env.slot_base_gfn << mmu::PAGE_SHIFT),
        slot_regions_(env.slot_npages / mmu::PMD_PAGES) {}

  LackeyCursor(const LackeyCursor& other)
      : reader_(std::make_unique<LineReader>(other.reader_->path(), other.reader_->offset(), other.reader_->line_no())),
        options_(other.options_),
        vcpus_(other.vcpus_),
        slot_base_ipa_(other.slot_base_ipa_),
        slot_regions_(other.slot_regions_),
        regions_(other.regions_),
        pending_(other.pending_),
        pending_pos_(other.pending_pos_),
        emitted_(other.emitted_),
        skipped_(other.skipped_) {}

  bool next(unsigned& vcpu, GuestOp& op) override {
    while (pending_pos_ == pending_.size()) {
      if (!read_line()) return false;
    }
    op = pending_[pending_pos_++];
    vcpu = options_.spread == LackeySpread::RoundRobin ? static_cast<unsigned>(emitted_ % vcpus_) : 0;
    ++emitted_;
    return true;
  }

  std::unique_ptr<TraceCursor> fork() const override { return std::make_unique<LackeyCursor>(*this); }
  std::uint64_t skipped_lines() const override { return skipped_; }
  std::uint64_t mapped_regions() const override { return regions_.size(); }
  bool may_have_ops(unsigned vcpu) const override { return options_.spread == LackeySpread::RoundRobin || vcpu == 0; }
  ReadProgress read_progress() const override { return {reader_->input_consumed(), reader_->input_size()}; }
  const std::string& path() const override { return reader_->path(); }

 private:
  // Reads one line into pending_ (possibly nothing); false at the end of the file.
  bool read_line() {
    pending_.clear();
    pending_pos_ = 0;
    std::string_view line;
    bool truncated = false;
    if (!reader_->next(line, truncated)) return false;
    Access a{};
    if (truncated || !parse_record(line, a)) {
      ++skipped_;
      return true;
    }
    if (a.record == Record::Instruction && !options_.include_instructions) return true;
    const mmu::Access access =
        (a.record == Record::Store || a.record == Record::Modify) ? mmu::Access::Write : mmu::Access::Read;
    // One operation per 4 KiB page the bytes [addr, addr + size) touch.
    const std::uint64_t last_page = (a.addr + a.size - 1) >> mmu::PAGE_SHIFT;
    for (std::uint64_t page = a.addr >> mmu::PAGE_SHIFT;; ++page) {
      const std::uint64_t addr = page == (a.addr >> mmu::PAGE_SHIFT) ? a.addr : page << mmu::PAGE_SHIFT;
      GuestOp op;
      op.access = access;
      op.ipa = map(addr);
      op.think_cycles = options_.think_cycles;
      pending_.push_back(op);
      if (page == last_page) break;
    }
    return true;
  }

  mmu::ipa_t map(std::uint64_t addr) {
    const std::uint64_t region = addr >> mmu::PMD_SHIFT;  // a 2 MiB (pmd) region
    auto it = regions_.find(region);
    if (it == regions_.end()) {
      const std::uint64_t k = regions_.size();
      if (k >= slot_regions_) {
        throw InputError(reader_->where(),
                         "the trace touches more distinct 2 MiB regions than the memslot holds (" +
                             std::to_string(slot_regions_) + " whole 2 MiB regions); it needs at least " +
                             std::to_string((k + 1) * 2) + " MiB");
      }
      it = regions_.emplace(region, k).first;
    }
    return slot_base_ipa_ + it->second * mmu::PMD_SIZE + (addr & ~mmu::PMD_MASK);
  }

  std::unique_ptr<LineReader> reader_;
  LackeyOptions options_;
  unsigned vcpus_;
  mmu::ipa_t slot_base_ipa_;
  std::uint64_t slot_regions_;
  // Trace region -> slot region; at most slot_regions_ entries, so bounded by the slot.
  std::unordered_map<std::uint64_t, std::uint64_t> regions_;
  std::vector<GuestOp> pending_;  // the current line's operations (at most 17)
  std::size_t pending_pos_ = 0;
  std::uint64_t emitted_ = 0;
  std::uint64_t skipped_ = 0;
};

}  // namespace

std::unique_ptr<TraceDemux> open_lackey_trace(const std::string& path, const WorkloadEnv& env, const LackeyOptions& options) {
  std::string description = "trace: lackey \"" + path + "\" (" +
                            (options.include_instructions ? "instruction fetches as reads" : "instruction fetches skipped") +
                            ", " + (options.spread == LackeySpread::RoundRobin ? "spread round_robin" : "all on vCPU 0");
  if (options.think_cycles != 0) description += ", think " + std::to_string(options.think_cycles) + " cycles";
  description += ")";
  return std::make_unique<TraceDemux>(std::make_unique<LackeyCursor>(path, env, options), env.vcpus,
                                      options.read_ahead_ops, std::move(description));
}

}  // namespace s2sim::workloads
