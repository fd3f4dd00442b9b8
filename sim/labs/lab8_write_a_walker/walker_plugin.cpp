#include "sim/labs/lab8_write_a_walker/walker_plugin.h"

#include <dlfcn.h>

#include "mmu/granule.h"
#include "sim/labs/lab8_write_a_walker/s2sim_walker.h"
#include "util/input_error.h"

namespace s2sim::sim::lab::walker {

namespace {

// What the trampolines need for one call: the walk and the call's statistics.
struct CallContext {
  mmu::S2Walk* walk;
  mmu::WpStats* stats;
};

CallContext& ctx_of(void* ctx) { return *static_cast<CallContext*>(ctx); }

// An address a real walk could reach: 8-byte aligned, inside the output address space.
bool addressable(mmu::S2Walk& w, phys_addr_t pa) { return (pa & 7) == 0 && (pa >> w.geometry().pa_bits) == 0; }
bool table_level(int level) { return level >= 1 && level <= mmu::kMaxLevel; }

phys_addr_t tr_pgd_offset(void* ctx, phys_addr_t addr) {
  mmu::S2Walk& w = *ctx_of(ctx).walk;
  return mmu::pgd_offset(w, addr & (w.geometry().ipa_size() - 1));
}

std::uint64_t tr_load(void* ctx, phys_addr_t entry, int level, phys_addr_t addr) {
  mmu::S2Walk& w = *ctx_of(ctx).walk;
  if (!table_level(level) || !addressable(w, entry)) {
    w.hazard(mmu::HazardKind::StrayAccess, addr, entry, table_level(level) ? level : mmu::kMaxLevel);
    return 0;
  }
  return w.load(entry, level, addr).raw;
}

void tr_store(void* ctx, phys_addr_t entry, int level, std::uint64_t value, phys_addr_t addr) {
  CallContext& c = ctx_of(ctx);
  mmu::S2Walk& w = *c.walk;
  if (!table_level(level) || !addressable(w, entry)) {
    w.hazard(mmu::HazardKind::StrayAccess, addr, entry, table_level(level) ? level : mmu::kMaxLevel);
    return;
  }
  // What the store changes, for the walker's statistics (not a load of the walker's).
  const mmu::S2Desc before{w.pgtable().mem().load64(entry)}, after{value};
  w.store(entry, level, after, addr);
  if (after.valid() && mmu::kvm_s2pte_readonly(after) && !(before.valid() && mmu::kvm_s2pte_readonly(before))) {
    if (level == mmu::kMaxLevel)
      ++c.stats->ptes_write_protected;
    else
      ++c.stats->blocks_write_protected;
  }
}

phys_addr_t tr_table_of(void* ctx, std::uint64_t entry, int level, phys_addr_t addr) {
  mmu::S2Walk& w = *ctx_of(ctx).walk;
  if (level < 1 || level >= mmu::kMaxLevel) {
    w.hazard(mmu::HazardKind::StrayAccess, addr, 0, mmu::kMaxLevel);
    return 0;
  }
  return w.table_of(mmu::S2Desc{entry}, level, addr);
}

class PluginWalker final : public mmu::WpWalker {
 public:
  explicit PluginWalker(std::shared_ptr<const Plugin> p) : plugin_(std::move(p)) {}
  const char* name() const override { return "plugin"; }
  void write_protect_masked(mmu::S2Walk& w, const mmu::Memslot& slot, mmu::gfn_t gfn_offset, std::uint64_t mask,
                            unsigned bits_per_long, mmu::WpStats& stats) override {
    ++stats.calls;
    CallContext c{&w, &stats};
    const s2sim_walker_ops ops{S2SIM_WALKER_ABI, bits_per_long, &tr_pgd_offset, &tr_load, &tr_store, &tr_table_of};
    ::kvm k{&ops, &c};
    ::kvm_memory_slot s{slot.base_gfn, static_cast<unsigned long>(slot.npages), static_cast<int>(slot.id)};
    reinterpret_cast<decltype(&::kvm_mmu_write_protect_pt_masked)>(plugin_->entry())(
        &k, &s, gfn_offset, static_cast<unsigned long>(mask));
  }

 private:
  std::shared_ptr<const Plugin> plugin_;
};

}  // namespace

std::shared_ptr<Plugin> Plugin::load(const std::string& path) {
  // A path without a slash would be searched for in the library path: name it as a file.
  const std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  void* h = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* why = ::dlerror();
    throw InputError(path, std::string("cannot load the plug-in: ") + (why ? why : "dlopen failed"));
  }
  const auto* abi = static_cast<const unsigned*>(::dlsym(h, "s2sim_walker_abi"));
  void* fn = ::dlsym(h, "kvm_mmu_write_protect_pt_masked");
  std::string why;
  if (!fn)
    why = "defines no extern \"C\" kvm_mmu_write_protect_pt_masked (declared in s2sim_walker.h)";
  else if (!abi)
    why = "was not built against s2sim_walker.h (no s2sim_walker_abi): build it with s2sim lab build 8";
  else if (*abi != S2SIM_WALKER_ABI)
    why = "was built against s2sim_walker.h version " + std::to_string(*abi) + ", this s2sim has version " +
          std::to_string(S2SIM_WALKER_ABI) + ": build it again with s2sim lab build 8";
  if (!why.empty()) {
    ::dlclose(h);
    throw InputError(path, why);
  }
  return std::shared_ptr<Plugin>(new Plugin(h, fn));
}

Plugin::~Plugin() { ::dlclose(handle_); }

std::unique_ptr<mmu::WpWalker> make_plugin_walker(std::shared_ptr<const Plugin> plugin) {
  return std::make_unique<PluginWalker>(std::move(plugin));
}

}  // namespace s2sim::sim::lab::walker
