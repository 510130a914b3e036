#include "cli/cloud.h"

namespace handoff::cli {

void add_cloud_commands(CLI::App& app, Options& o, int* exit_code) {
  (void)o;
  (void)exit_code;
  auto* cloud = app.add_subcommand("cloud", "AWS Fargate: stacks, runs, schedules and logs");
  cloud->require_subcommand(1);
  // The groups, one file each (cloud_<group>.cc), in the order of --help:
  void add_cloud_stack_commands(CLI::App*, Options&, int*); add_cloud_stack_commands(cloud, o, exit_code);
  void add_cloud_schedule_commands(CLI::App*, Options&, int*); add_cloud_schedule_commands(cloud, o, exit_code);
  void add_cloud_run_commands(CLI::App*, Options&, int*); add_cloud_run_commands(cloud, o, exit_code);
}

}  // namespace handoff::cli
