#pragma once
// The run records a workspace keeps: WORKSPACE/.handoff/runs/<id>.json, one
// per `run local` (written by engine::save_record).
#include <filesystem>
#include <vector>

#include "history/run.h"

namespace handoff::history {

/// WORKSPACE/.handoff/runs
std::filesystem::path runs_dir(const std::filesystem::path& workspace);

/// Every readable record of the workspace, oldest first (ids sort by time).
/// A file that is not a run record is skipped with a warning; no folder
/// means no runs.
std::vector<Run> list_local(const std::filesystem::path& workspace);

}  // namespace handoff::history
