#pragma once
// The local secrets file (spec §3.1): <secrets_dir>/secrets.yml for stage prod,
// <secrets_dir>/<stage>_secrets.yml otherwise; never a fallback to the prod file.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "project/model.h"

namespace handoff::project {

enum class SecretLevel { task, resource_group };

struct Secret {
  std::string key;
  std::string value;       ///< Python str() of a scalar, or a file's whole content
  bool has_value = false;  ///< false: a resource-group secret referring to a stored one
  SecretLevel level = SecretLevel::task;
  bool push = true;
  Location loc;
};

struct SecretsFile {
  std::filesystem::path path;  ///< the file that was (or would have been) read
  bool found = false;
  std::vector<Secret> secrets;
};

/// The file name for a stage: "secrets.yml" for prod, "<stage>_secrets.yml" else.
std::filesystem::path secrets_file_path(const std::filesystem::path& secrets_dir,
                                        std::string_view stage);

/// Load the stage's secrets file. Missing file: a warning naming the exact file
/// expected (and that secrets.yml is read only with -s prod), found=false.
/// Unreadable or malformed file: handoff::Error (exit 2) with file:line. Every
/// value is registered with util::redactor() before this returns.
SecretsFile load_secrets(const std::filesystem::path& secrets_dir, std::string_view stage);

/// The secrets in a secrets file's text (load_secrets after reading it);
/// file names it in messages, `file:` entries are read from secrets_dir.
std::vector<Secret> parse_secrets(const std::string& text, const std::string& file,
                                  const std::filesystem::path& secrets_dir);

}  // namespace handoff::project
