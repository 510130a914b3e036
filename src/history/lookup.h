#pragma once
// Finding one run by the id a person typed: the whole id, a unique prefix of
// it, or `last` (the newest).
#include <string>
#include <vector>

#include "history/run.h"

namespace handoff::history {

/// The run whose id is id, starts with id (when only one does), or the
/// newest for "last". runs: oldest first. Throws handoff::Error: no runs at
/// all (how_to_make_one is the hint), an ambiguous prefix (the candidates),
/// or an unknown id (the nearest ids).
const Run& find_run(const std::vector<Run>& runs, const std::string& id, const std::string& how_to_make_one);

/// Up to count ids closest to id: sharing the longest prefix, then by edit
/// distance.
std::vector<std::string> nearest_ids(const std::vector<Run>& runs, const std::string& id, size_t count);

}  // namespace handoff::history
