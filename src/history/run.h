#pragma once
// One run as history sees it: the engine's run record (read back from its
// JSON), where it was found, and what its artifact archive published.
#include <string>
#include <string_view>
#include <vector>

#include "engine/run_record.h"

namespace handoff::history {

/// One file of a pushed run's archive (from its manifest).
struct Artifact {
  std::string key;  ///< relative to the archive
  long long size = 0;
};

struct Run {
  engine::RunRecord record;
  /// Where the record was read: a file path, or "s3://bucket/<archive>/_handoff_run.json".
  std::string source;
  /// The archive's name (its push timestamp); empty for a local run.
  std::string archive;
  std::vector<Artifact> artifacts;  ///< empty for a local run

  double duration() const { return record.end - record.start; }
};

/// How a process ended, for colors and counts.
enum class Outcome { ok, failed, timed_out, killed };
Outcome outcome(const engine::ProcessRecord& p);
/// "ok", "failed", "timed out", "killed".
std::string_view to_string(Outcome o);

/// Seconds since the epoch for "2026-11-28T03:27:32.123456" (naive UTC, as
/// engine::iso_utc writes it); a trailing "Z" is accepted. Throws
/// handoff::Error naming the text when it is not such a time.
double parse_iso_utc(std::string_view text);

/// Parse a run record's JSON (engine::to_json's form). Throws handoff::Error
/// naming source when the text is not a run record.
engine::RunRecord parse_record(std::string_view json_text, const std::string& source);

/// Sum of a run's process bytes: log, read and written (unknown counts as 0).
struct Bytes {
  long long log = 0;
  long long read = 0;
  long long written = 0;
};
Bytes total_bytes(const engine::RunRecord& record);

}  // namespace handoff::history
