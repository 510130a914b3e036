#pragma once
// Run a project's tasks locally: the public face of engine/.
//
// Every process is started by one event loop that owns every fd; data flows
// through kernel pipes straight from stage to stage and from the last stage
// into its artifact file, never through handoff (fork uses tee(2)/splice(2)).
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/run_record.h"
#include "project/model.h"
#include "template/value.h"

namespace handoff::engine {

/// Render a step's command line with the given variables (the base variables of
/// the run plus `_line`/`_line_safe` inside foreach). May throw handoff::Error.
using RenderFn = std::function<std::string(const project::Step& step, const tmpl::Value& vars)>;

struct RunOptions {
  std::filesystem::path workspace;  ///< absolute; processes run here
  tmpl::Value vars = tmpl::Value::object();  ///< base template variables
  std::vector<std::string> env;     ///< the children's whole environment, KEY=VALUE
  RenderFn render;
  double grace = 10.0;              ///< seconds between SIGINT, SIGTERM and SIGKILL
  std::optional<double> timeout;    ///< the whole run, seconds
  std::string stage = "dev";
};

struct RunResult {
  /// 0 all tasks succeeded; 1 a task failed; 124 --timeout expired; 128+n stopped by signal n.
  int exit_code = 0;
  RunRecord record;
};

/// Run every active top-level task in order. Task failures are results, not
/// exceptions; handoff::Error is thrown only when the run cannot start at all.
RunResult run_project(const project::Project& project, const RunOptions& options);

/// `_line_safe` for a foreach line: runs of characters outside [A-Za-z0-9._-]
/// become one '_'; never empty, never "." or "..".
std::string line_safe(std::string_view line);

}  // namespace handoff::engine
