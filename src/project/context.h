#pragma once
// Template variables and environment of a run (spec §2.3), later wins:
// reserved stage/date variables < deploy and -e values < secrets < envs < vars < -v.
#include <string>
#include <utility>
#include <vector>

#include "project/model.h"
#include "project/secrets.h"

namespace handoff::project {

using Assignments = std::vector<std::pair<std::string, std::string>>;

/// Parse `-v`/`-e` tokens (spec §2.4 without the number coercion: values stay
/// strings): a single token naming an existing file means its lines; a token
/// without '=' is glued to the previous one with a space; split at the first
/// '='; trim key and value; strip surrounding quotes. Throws handoff::Error
/// (exit 2) for an empty key, naming the token.
Assignments parse_assignments(const std::vector<std::string>& tokens, std::string_view option);

struct RunContext {
  Value vars;  ///< template variables (a JSON object)
  /// Environment variables to export (envs entries with a truthy value, the
  /// HO_* values from deploy and -e), in order.
  Assignments env;
};

/// Build the variables and environment for a run at the given stage.
RunContext build_context(const Project& project, const SecretsFile& secrets,
                         std::string_view stage, const Assignments& cli_vars,
                         const Assignments& cli_envs);

/// The reserved variables of a stage: _stage, _stage_, _stage-, __stage, __stage_
/// ("" / "<stage>", "<stage>_", "<stage>-", …; all empty for prod), _today,
/// _yesterday, _tomorrow.
Value reserved_vars(std::string_view stage);

}  // namespace handoff::project
