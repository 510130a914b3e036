#pragma once
// `runs report` and `run local --report`: one self-contained HTML page (inline
// CSS, SVG and a few lines of JS, no URL of any kind, and a CSP that forbids
// every fetch) with a Gantt-style timeline of every process of a run, grouped
// by task and colored by outcome, and a chart of recent runs' durations.
#include <string>
#include <string_view>
#include <vector>

#include "history/run.h"

namespace handoff::history {

/// The page for run. recent: runs of the same workspace or task, oldest
/// first, usually ending with run (the caller picks how many). Every process
/// bar carries data-process="<index in run.record.processes>", every recent
/// run's bar data-run="<id>".
std::string render_report(const Run& run, const std::vector<Run>& recent);

/// Text safe inside HTML elements and quoted attributes: & < > " ' escaped.
std::string html_escape(std::string_view text);

/// Time-axis ticks for a span of seconds: a 1/2/5 x 10^k step giving at most
/// max_ticks intervals.
double tick_step(double span, int max_ticks = 10);

}  // namespace handoff::history
