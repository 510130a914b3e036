#pragma once
// The seed's compiled config (spec §6.4): project.yml's mapping in key order
// plus a "files" array of config/*.json, as Python's json.dumps writes it. It
// is stored as the SecureString <STACK_NAME>_config and rebuilt into a
// workspace (project.yml + config/*) by a remote run.
#include <filesystem>
#include <string>

#include "project/model.h"
#include "store/store.h"

namespace handoff::remote {

/// The JSON text for a loaded project (old or current format).
std::string compile_config(const project::Project& project);

/// The tier a value of this size needs: Standard up to 4096 bytes, Advanced
/// (only with allow_advanced) up to 8192. Throws handoff::Error saying the
/// size, the limit and what to do; nothing has been written then.
store::ParameterTier tier_for(const std::string& name, const std::string& value,
                              bool allow_advanced);

/// Write a compiled config back as files: WORKSPACE/project.yml (the mapping
/// without "files", as JSON, which YAML reads) and WORKSPACE/config/<name>
/// (0600). Throws when the text is not a JSON object or a file name is unsafe.
void write_compiled_config(const std::string& json_text, const std::filesystem::path& workspace);

}  // namespace handoff::remote
