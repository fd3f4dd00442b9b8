// One run's section of the HTML report (see html_report.h), as an HTML fragment.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace s2sim::sim::html {

// `id` prefixes the data-chart names of the section's charts ("" for a run's page,
// "p2-" for the third run of a compare), so that each chart of a page has its own.
std::string run_section(const std::string& id, const nlohmann::json& result);

}  // namespace s2sim::sim::html
