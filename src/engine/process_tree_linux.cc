#include "engine/process_tree.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

namespace handoff::engine {
namespace {

/// Parent pid of pid from /proc/<pid>/stat, or -1 (gone, or a zombie we ignore).
pid_t parent_of(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  FILE* f = std::fopen(path, "re");
  if (!f) return -1;
  char buf[512];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  // The command name may contain spaces and parentheses: parse after the last ')'.
  char* close = std::strrchr(buf, ')');
  if (!close) return -1;
  char state = 0;
  int ppid = -1;
  if (std::sscanf(close + 1, " %c %d", &state, &ppid) != 2) return -1;
  if (state == 'Z' || state == 'X') return -1;
  return ppid;
}

}  // namespace

std::vector<pid_t> descendants(pid_t root) {
  std::unordered_multimap<pid_t, pid_t> children;
  DIR* d = ::opendir("/proc");
  if (!d) return {};
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (!end || *end || pid <= 0) continue;
    pid_t parent = parent_of(static_cast<pid_t>(pid));
    if (parent > 0) children.emplace(parent, static_cast<pid_t>(pid));
  }
  ::closedir(d);
  std::vector<pid_t> out;
  std::vector<pid_t> todo{root};
  while (!todo.empty()) {
    pid_t p = todo.back();
    todo.pop_back();
    auto range = children.equal_range(p);
    for (auto it = range.first; it != range.second; ++it) {
      out.push_back(it->second);
      todo.push_back(it->second);
    }
  }
  return out;
}

int signal_descendants(int sig) {
  int count = 0;
  for (pid_t p : descendants(::getpid())) {
    if (::kill(p, sig) == 0) ++count;
  }
  return count;
}

}  // namespace handoff::engine
