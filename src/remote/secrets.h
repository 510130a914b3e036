#pragma once
// Secrets in the parameter store (spec §3.2-§3.5): SecureStrings named
// /handoff/<RG>/<key> (resource-group level) and /handoff/<RG>/<task>/<key>
// (task level), values with the Python tool's {{ }} escaping.
#include <functional>
#include <string>
#include <vector>

#include "project/secrets.h"
#include "remote/layout.h"
#include "store/store.h"

namespace handoff::remote {

/// Ask the user; true to go on. The listing has been printed already.
using Confirm = std::function<bool()>;

/// The secrets' names and levels, as listed before a push or delete:
/// "  - /handoff/dev-rg/task/key (task level)[ SKIP PUSH]".
std::vector<std::string> describe_secrets(const Layout& layout, const project::SecretsFile& file,
                                          const char* skip_word);

/// Check every value (reserved name, size) before writing any; then confirm;
/// then put each pushable secret. Returns the keys pushed. Throws
/// handoff::Error (exit 1) when confirm says no.
std::vector<std::string> push_secrets(store::ParameterStore& params, const Layout& layout,
                                      const project::SecretsFile& file, bool allow_advanced,
                                      const Confirm& confirm);

/// Delete the file's pushable secrets after confirming; returns the keys deleted.
std::vector<std::string> delete_secrets(store::ParameterStore& params, const Layout& layout,
                                        const project::SecretsFile& file, const Confirm& confirm);

/// Both levels (all pages), task level winning; values un-escaped and
/// registered with the redactor. `config` is skipped.
project::SecretsFile fetch_secrets(store::ParameterStore& params, const Layout& layout);

}  // namespace handoff::remote
