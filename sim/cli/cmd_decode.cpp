#include "sim/cli/cmd_decode.h"

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "mmu/descriptor.h"
#include "sim/cli/cli.h"
#include "util/input_error.h"
#include "util/parse_number.h"

namespace s2sim::sim {

namespace {

std::string hex(std::uint64_t v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llX", digits, static_cast<unsigned long long>(v));
  return buf;
}

std::string bin(unsigned v, int bits) {
  std::string s = "0b";
  for (int i = bits - 1; i >= 0; --i) s += ((v >> i) & 1) ? '1' : '0';
  return s;
}

const char* level_name(mmu::level_t level) {
  // ARMv7 LPAE as KVM/ARM uses it: level 1 = pgd (pud folded), 2 = pmd, 3 = pte.
  switch (level) {
    case 1: return "pgd/pud";
    case 2: return "pmd";
    default: return "pte";
  }
}

}  // namespace

int cmd_decode(const std::vector<std::string>& args) {
  std::optional<std::uint64_t> value;
  std::string value_text;
  mmu::level_t level = 3;
  unsigned pa_bits = 40;
  bool json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto need = [&](const char* what) -> const std::string& {
      if (i + 1 >= args.size()) throw InputError("decode", std::string(a) + " needs " + what);
      return args[++i];
    };
    if (a == "--level") {
      const std::string& v = need("1, 2 or 3");
      if (v != "1" && v != "2" && v != "3") throw InputError("decode --level", "must be 1, 2 or 3, got \"" + v + "\"");
      level = v[0] - '0';
    } else if (a == "--pa-bits") {
      const std::string& v = need("40 or 48");
      if (v != "40" && v != "48") throw InputError("decode --pa-bits", "must be 40 or 48, got \"" + v + "\"");
      pa_bits = v == "40" ? 40 : 48;
    } else if (a == "--json") {
      json = true;
    } else if (!a.empty() && a[0] == '-' && a != "-0") {
      throw InputError("decode", "unknown option \"" + a + "\" (expected --level, --pa-bits, --json)");
    } else if (value) {
      throw InputError("decode", "more than one value given (\"" + value_text + "\", \"" + a + "\")");
    } else {
      value = parse_u64(a);
      value_text = a;
      if (!value)
        throw InputError("decode", "\"" + a + "\" is not a 64-bit number (write hex as 0x..., binary as 0b..., or decimal)");
    }
  }
  if (!value) throw InputError("decode", "missing the descriptor value, e.g. s2sim decode 0x801237FF --level 3");

  const mmu::DecodedDesc d = mmu::decode(mmu::S2Desc{*value}, level, pa_bits);
  const int oa_digits = pa_bits == 40 ? 10 : 12;
  if (json) {
    nlohmann::json j = {
        {"raw", hex(d.raw, 16)},
        {"level", d.level},
        {"type", mmu::to_string(d.type)},
        {"output_address", hex(d.output_address, oa_digits)},
        {"memattr", d.memattr},
        {"memattr_meaning", mmu::memattr_name(d.memattr)},
        {"s2ap", d.s2ap},
        {"s2ap_meaning", mmu::s2ap_name(d.s2ap)},
        {"sh", d.sh},
        {"sh_meaning", mmu::sh_name(d.sh)},
        {"af", d.af},
        {"contiguous", d.contiguous},
        {"xn", d.xn},
        {"dbm", d.dbm},
        {"res0_violation", hex(d.res0_violation, 16)},
    };
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "descriptor " << hex(d.raw, 16) << " at level " << d.level << " (" << level_name(level)
            << "), " << pa_bits << "-bit PA\n";
  // One row a field: name, bit range, value, meaning.
  auto row = [](const std::string& name, const std::string& bits, const std::string& val, const std::string& meaning) {
    std::string line = "  " + name;
    line.resize(20, ' ');
    line += bits;
    line.resize(29, ' ');
    line += val;
    if (!meaning.empty()) line += "  " + meaning;
    std::cout << line << "\n";
  };
  std::string type_meaning = mmu::to_string(d.type);
  if (d.type == mmu::DescType::Invalid && (d.raw & 1) && level == 3) type_meaning += " (0b01 is reserved at level 3)";
  if (d.type == mmu::DescType::Invalid && (d.raw & 1) && level == 0) type_meaning += " (no blocks at level 0)";
  row("type", "[1:0]", bin(static_cast<unsigned>(d.raw & 3), 2), type_meaning);
  if (d.type == mmu::DescType::Invalid) {
    std::cout << "  (an invalid descriptor: the hardware ignores every other bit)\n";
    return kExitOk;
  }
  const std::string oa_bits = pa_bits == 40 ? "[39:12]" : "[47:12]";
  if (d.type == mmu::DescType::Table) {
    row("next-level table", oa_bits, hex(d.output_address, oa_digits), "");
  } else {
    row("output address", oa_bits, hex(d.output_address, oa_digits), "");
    row("MemAttr", "[5:2]", bin(d.memattr, 4), mmu::memattr_name(d.memattr));
    row("S2AP", "[7:6]", bin(d.s2ap, 2), mmu::s2ap_name(d.s2ap));
    row("SH", "[9:8]", bin(d.sh, 2), mmu::sh_name(d.sh));
    row("AF", "[10]", d.af ? "1" : "0", d.af ? "accessed" : "not accessed: an access faults");
    if (pa_bits == 48) row("DBM", "[51]", d.dbm ? "1" : "0", "");
    row("contiguous", "[52]", d.contiguous ? "1" : "0", "");
    row("XN", "[54]", d.xn ? "1" : "0", d.xn ? "execute-never" : "");
  }
  if (d.res0_violation)
    std::cout << "  warning: bits that must be zero here are set: " << hex(d.res0_violation, 16) << "\n";
  return kExitOk;
}

}  // namespace s2sim::sim
