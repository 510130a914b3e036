#pragma once
// What every remote command starts with: the store (chosen and logged with its
// reason) and the layout's names, from the flags, the environment and, when
// -p is given, the project's deploy section.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "project/model.h"
#include "remote/layout.h"
#include "remote/store_select.h"

namespace handoff::remote {

struct RemoteOptions {
  std::filesystem::path project_dir;  ///< -p; may be empty
  std::string stage = "dev";          ///< -s
  std::vector<std::string> envs;      ///< -e tokens (resource_group=, task=, bucket=)
  std::string store;                  ///< --store
  std::string cloud_provider;         ///< --cloud-provider
  std::string bucket;                 ///< --bucket
  int jobs = 8;                       ///< --jobs
  bool dry_run = false;               ///< --dry-run
  bool yes = false;                   ///< -y
  bool allow_advanced = false;        ///< -t / --allow-advanced-tier
  bool reveal = false;                ///< secrets print --reveal
};

struct Session {
  Store store;
  Layout layout;
  std::optional<project::Project> project;  ///< loaded when -p was given
};

/// Open the store and resolve the names; logs both. need_project: -p is
/// required (exit 2 without it).
Session open_session(const RemoteOptions& options, bool need_project, const GetEnv& env = process_getenv());

/// Ask "Proceed? (y/N) " on stderr and read one line from stdin: y or yes
/// (any case) go on; anything else, or EOF, does not. yes: skip the question.
bool confirm_on_stdin(bool yes);
/// The same with another question ("Push x to y (y/N)? ").
bool ask_on_stdin(const std::string& question, bool yes);

}  // namespace handoff::remote
