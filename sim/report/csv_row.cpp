#include "sim/report/csv_row.h"

#include <cmath>
#include <cstdio>

namespace s2sim::sim {

namespace {

using nlohmann::json;

// The member at `pointer`, or null when the result has none.
json member(const json& result, const char* pointer) {
  const json::json_pointer p(pointer);
  return result.contains(p) ? result.at(p) : json();
}

std::uint64_t count(const json& result, const char* pointer) {
  const json v = member(result, pointer);
  return v.is_number_unsigned() ? v.get<std::uint64_t>() : 0;
}

// A headline metric: its column and how it is read from the result JSON.
struct Metric {
  CsvColumn column;
  json (*read)(const json& result);
};

const std::vector<Metric>& metrics() {
  static const std::vector<Metric> m = {
      {{"total_ms", "simulated time of the whole run, ms"},
       [](const json& r) { return member(r, "/time_ms/total"); }},
      {{"rounds", "migration rounds, stop-and-copy included"},
       [](const json& r) {
         const json rounds = member(r, "/migration/rounds");
         return json(rounds.is_array() ? rounds.size() : 0);
       }},
      {{"pages_sent_total", "pages the migration sent over the link"},
       [](const json& r) { return member(r, "/migration/pages_sent_total"); }},
      {{"downtime_ms", "stop-and-copy time with the vCPUs paused, ms"},
       [](const json& r) { return member(r, "/migration/downtime_ms"); }},
      {{"stop_reason", "why the migration stopped pre-copy: converged, rounds_limit, data_limit or guest_finished"},
       [](const json& r) {
         const json v = member(r, "/migration/stop_reason");
         return v.is_string() ? v : json("");
       }},
      {{"lost_writes", "guest writes the destination missed (the verifier)"},
       [](const json& r) { return member(r, "/verify/lost_writes"); }},
      {{"hazards", "wrong-frame accesses of the write-protect walker, all kinds"},
       [](const json& r) {
         std::uint64_t n = 0;
         const json h = member(r, "/verify/hazards");
         if (h.is_object())
           for (const auto& [kind, v] : h.items()) n += v.is_number_unsigned() ? v.get<std::uint64_t>() : 0;
         return json(n);
       }},
      {{"wp_faults", "write-protect faults the guest took"},
       [](const json& r) { return member(r, "/faults/write_protect"); }},
      {{"tlb_hit_rate", "TLB hits / lookups, 0 to 1"},
       [](const json& r) {
         const std::uint64_t hits = count(r, "/tlb/hits"), lookups = hits + count(r, "/tlb/misses");
         if (lookups == 0) return json();
         return json(std::round(static_cast<double>(hits) / static_cast<double>(lookups) * 1e6) / 1e6);
       }},
      {{"mmu_lock_wait_ms", "time all agents waited for mmu_lock, summed, ms"},
       [](const json& r) { return member(r, "/time_ms/mmu_lock_wait"); }},
      {{"total_cycles", "total_ms in cycles of the simulated clock"},
       [](const json& r) { return member(r, "/cycles/total"); }},
      {{"downtime_cycles", "downtime_ms in cycles"},
       [](const json& r) { return member(r, "/migration/downtime_cycles"); }},
      {{"mmu_lock_wait_cycles", "mmu_lock_wait_ms in cycles"},
       [](const json& r) { return member(r, "/cycles/mmu_lock_wait"); }},
  };
  return m;
}

std::string cell(const json& v) {
  if (v.is_null()) return "";
  if (v.is_number_float()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6f", v.get<double>());
    return buf;
  }
  return csv_value_cell(v);
}

}  // namespace

const std::vector<CsvColumn>& csv_run_columns() {
  static const std::vector<CsvColumn> columns = [] {
    std::vector<CsvColumn> c = {{"seed", "the run's seed"}};
    for (const Metric& m : metrics()) c.push_back(m.column);
    c.push_back({"exit_status", "what s2sim run exited with: 0 ok, 1 lost writes, 2 bad input, 128+N killed by signal N"});
    c.push_back({"host_s", "host wall-clock seconds the run took (the only column that varies between equal runs)"});
    return c;
  }();
  return columns;
}

std::vector<std::string> csv_run_cells(const json* result, std::uint64_t seed, std::optional<int> exit_status,
                                       std::optional<double> host_seconds) {
  std::vector<std::string> cells = {std::to_string(seed)};
  for (const Metric& m : metrics()) cells.push_back(result ? cell(m.read(*result)) : "");
  cells.push_back(exit_status ? std::to_string(*exit_status) : "");
  cells.push_back(host_seconds ? csv_seconds(*host_seconds) : "");
  return cells;
}

nlohmann::ordered_json csv_run_metrics(const json& result) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const Metric& m : metrics()) j[m.column.name] = nlohmann::ordered_json::parse(m.read(result).dump());
  return j;
}

std::string csv_value_cell(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

std::string csv_line(const std::vector<std::string>& cells) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) line += ',';
    const std::string& c = cells[i];
    if (c.find_first_of(",\"\r\n") == std::string::npos) {
      line += c;
      continue;
    }
    line += '"';
    for (char ch : c) {
      if (ch == '"') line += '"';
      line += ch;
    }
    line += '"';
  }
  return line + "\n";
}

std::string csv_header(const std::vector<std::string>& id_columns) {
  std::vector<std::string> names = id_columns;
  for (const CsvColumn& c : csv_run_columns()) names.push_back(c.name);
  return csv_line(names);
}

double round_seconds(double seconds) { return std::round(seconds * 1000.0) / 1000.0; }

std::string csv_seconds(double seconds) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", seconds);
  return buf;
}

}  // namespace s2sim::sim
