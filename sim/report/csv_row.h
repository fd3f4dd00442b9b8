// A run flattened to one CSV row, the same for `run --csv`, `compare --csv` and a
// sweep's results.csv: first the columns that say which run it is (a sweep's axis
// paths, compare's walker), then `seed`, the headline metrics read from the result
// JSON, `exit_status` and last `host_s`, the one column that is not a function of the
// config and seed (host wall-clock time).
//
// Cells are RFC 4180: comma separated, quoted when they hold a comma, a quote or a
// line break; numbers have a fixed number of decimals, so that equal results give
// equal text.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace s2sim::sim {

// What the columns after the identifying ones are, with their units.
struct CsvColumn {
  const char* name;
  const char* meaning;
};
const std::vector<CsvColumn>& csv_run_columns();

// One run's cells for csv_run_columns(). `result` is its result JSON (s2sim.result/1),
// or null for a run that left none (a failed sweep point: only seed, exit status and
// host time are known); `exit_status` and `host_seconds` are empty when unknown.
std::vector<std::string> csv_run_cells(const nlohmann::json* result, std::uint64_t seed,
                                       std::optional<int> exit_status, std::optional<double> host_seconds);
// The headline metrics of a result as a JSON object keyed by column name, in column
// order (the CSV row's metrics, typed), for a sweep's results.jsonl.
nlohmann::ordered_json csv_run_metrics(const nlohmann::json& result);

// An identifying cell: a string as itself, any other JSON value as compact JSON.
std::string csv_value_cell(const nlohmann::json& value);
// One line of cells, quoted where needed, ended by "\n".
std::string csv_line(const std::vector<std::string>& cells);
// A whole table: the identifying column names, then csv_run_columns(); each row
// already holds every cell.
std::string csv_header(const std::vector<std::string>& id_columns);

// Seconds of host time as written in every table and JSON (milliseconds resolution).
std::string csv_seconds(double seconds);
double round_seconds(double seconds);

}  // namespace s2sim::sim
