#pragma once
// Finding every descendant of handoff, including grandchildren that left their
// process group or session (setsid) and were re-parented to us as subreaper.
#include <sys/types.h>

#include <vector>

namespace handoff::engine {

/// Pids of all live descendants of `root` (not root itself), from /proc.
std::vector<pid_t> descendants(pid_t root);

/// Send sig to every descendant of this process. Returns how many were signalled.
int signal_descendants(int sig);

}  // namespace handoff::engine
