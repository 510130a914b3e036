#pragma once
// What `runs list` and `runs show` print: a table or a JSON document.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "history/run.h"

namespace handoff::history {

/// One line per run, newest last, under a header.
std::string list_text(const std::vector<Run>& runs);
/// [{id, stage, start, end, duration_s, exit_code, processes, failed, bytes, source, archive, artifacts}]
nlohmann::ordered_json list_json(const std::vector<Run>& runs);

/// Every field of one run: times, exit code, bytes, tasks, processes, artifacts.
std::string show_text(const Run& run);
/// The run record as the engine writes it, plus each process's outcome, the
/// byte totals, where it was read and the artifacts pushed.
nlohmann::ordered_json show_json(const Run& run);

/// "1.234 s", "2 min 3.4 s", "1 h 2 min".
std::string format_duration(double seconds);
/// "512 B", "1.5 KiB", "3.2 MiB".
std::string format_bytes(long long bytes);

}  // namespace handoff::history
