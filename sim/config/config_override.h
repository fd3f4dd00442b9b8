// `--set PATH=VALUE`: one change to a config document before it is parsed.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace s2sim::sim {

// Applies one override: PATH is a dotted path (dirty_log.walker, memslots.0.npages)
// or a JSON pointer (/migration/link_gbps); VALUE is JSON, or a bare word taken as a
// string. The parent of the key set must exist, except a section that reads as {}
// when absent (dirty_log, migration ...), which is created; an array grows by at most
// one element (index = its size, or "-"). Throws InputError naming the override.
void apply_override(nlohmann::json& doc, const std::string& assignment);

}  // namespace s2sim::sim
