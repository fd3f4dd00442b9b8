// Lab 8's plug-in: a student's kvm_mmu_write_protect_pt_masked, built as a shared
// object against s2sim_walker.h (the student's header, shipped with the binary), loaded
// with dlopen and run as one more mmu::WpWalker. Every load and store the plug-in asks
// for goes through mmu::S2Walk, so it is counted and checked for hazards exactly as the
// built-in walkers' are; an address or level no walk could produce is reported as a
// stray access and never reaches simulated memory.
#pragma once

#include <memory>
#include <string>

#include "mmu/wp_walker.h"

namespace s2sim::sim::lab::walker {

// The text of s2sim_walker.h (embedded at build time).
const char* student_header_text();

// A loaded plug-in. dlclose()s it when the last walker made from it is gone.
class Plugin {
 public:
  // Loads `path` (RTLD_NOW). Throws InputError naming the file: not a shared object,
  // no kvm_mmu_write_protect_pt_masked, or built against another header version.
  static std::shared_ptr<Plugin> load(const std::string& path);
  ~Plugin();
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  // The plug-in's kvm_mmu_write_protect_pt_masked (typed in walker_plugin.cpp).
  void* entry() const { return fn_; }

 private:
  Plugin(void* handle, void* fn) : handle_(handle), fn_(fn) {}
  void* handle_;
  void* fn_;
};

// A walker (named "plugin") calling the plug-in; it keeps the plug-in loaded.
std::unique_ptr<mmu::WpWalker> make_plugin_walker(std::shared_ptr<const Plugin> plugin);

}  // namespace s2sim::sim::lab::walker
