// Engine: starting processes, relaying their stderr, stopping process groups.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "engine/nodes.h"
#include "engine/process_tree.h"
#include "engine/spawn.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/redact.h"

namespace handoff::engine {

void set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void Node::finish(int code) {
  done_ = true;
  if (on_done) {
    auto cb = std::move(on_done);
    cb(code);
  }
}

Engine::Engine(const RunOptions& options) : opt(options) {
  devnull.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!devnull.valid()) throw Error("cannot open /dev/null: " + util::errno_text(errno));
}

std::string Engine::mask(std::string_view text) { return util::redactor().mask(text); }

void Engine::retire(std::unique_ptr<Node> node) {
  if (!node) return;
  graveyard_.push_back(std::move(node));
  if (graveyard_.size() == 1) {
    loop.add_timer(0, [this] { graveyard_.clear(); });
  }
}

namespace {

std::vector<std::string> child_env(const Engine& eng, const project::Step& step) {
  if (step.venv.empty()) return eng.opt.env;
  // Activate the venv through the environment, as `source bin/activate` would.
  auto venv = (eng.opt.workspace / step.venv).string();
  std::vector<std::string> env;
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& e : eng.opt.env) {
    if (e.rfind("PATH=", 0) == 0) {
      path = e.substr(5);
    } else if (e.rfind("VIRTUAL_ENV=", 0) != 0 && e.rfind("PYTHONHOME=", 0) != 0) {
      env.push_back(e);
    }
  }
  env.push_back("VIRTUAL_ENV=" + venv);
  env.push_back("PATH=" + venv + "/bin:" + path);
  return env;
}

}  // namespace

std::shared_ptr<Process> Engine::start_process(TaskContext& ctx, const project::Step& step,
                                               int in_fd, int out_fd,
                                               std::function<void(Process&)> on_exit) {
  ProcessRecord rec;
  rec.task = ctx.name;
  rec.start = now_seconds();
  std::string line;
  std::string error;
  try {
    line = opt.render(step, ctx.vars);
    rec.command = mask(line);
  } catch (const Error& e) {
    rec.command = mask(step.command_line());
    error = e.what();
  }
  if (error.empty() && !step.venv.empty() &&
      !std::filesystem::exists(opt.workspace / step.venv / "bin")) {
    error = "venv '" + step.venv + "' is not installed in the workspace (no " +
            (opt.workspace / step.venv / "bin").string() + "); run handoff workspace install";
  }
  auto proc = std::make_shared<Process>();
  proc->record = record.processes.size();
  record.processes.push_back(rec);

  // The stdout log is written by the process itself (never by us): count its
  // bytes by the shared file offset, which only this process moves meanwhile.
  // Read it before the spawn: the child may write at once.
  off_t log_start = -1;
  if (out_fd >= 0 && out_fd == ctx.stdout_log.fd()) log_start = ::lseek(out_fd, 0, SEEK_CUR);

  pid_t pid = -1;
  util::Pipe err_pipe = util::make_pipe();
  if (error.empty()) {
    SpawnSpec spec;
    spec.command_line = line;
    spec.env = child_env(*this, step);
    spec.cwd = opt.workspace.string();
    spec.stdin_fd = in_fd >= 0 ? in_fd : devnull.fd();
    spec.stdout_fd = out_fd;
    spec.stderr_fd = err_pipe.write.fd();
    pid = spawn_process(spec, &error);
  }
  err_pipe.write.reset();
  auto relay = std::make_unique<StderrRelay>(*this, ctx, std::move(err_pipe.read), proc->record);
  StderrRelay* relay_ptr = relay.get();
  ctx.relays.push_back(std::move(relay));

  if (pid < 0) {
    // Report it as the shell would, then as a finished, failed process.
    relay_ptr->close();
    std::string msg = mask("handoff: " + error + "\n");  // the command line may hold a secret
    if (ctx.stderr_log.valid()) {
      [[maybe_unused]] ssize_t w = ::write(ctx.stderr_log.fd(), msg.data(), msg.size());
    }
    log::error("Task {}: {}", ctx.name, error);
    auto& r = record.processes[proc->record];
    r.end = now_seconds();
    r.exit_code = 127;
    r.failed = true;
    return nullptr;
  }
  proc->pid = pid;
  record.processes[proc->record].pid = pid;
  ctx.groups.insert(pid);
  all_groups_.insert(pid);
  log::debug("Running process {} for task {}: {}", pid, ctx.name, rec.command);

  if (step.timeout && *step.timeout > 0) {
    double t = *step.timeout;
    pid_t group = pid;
    std::weak_ptr<Process> weak = proc;
    proc->timers.push_back(loop.add_timer(t, [this, weak, group, t, name = ctx.name] {
      auto p = weak.lock();
      if (!p || p->exited) return;
      p->status.timed_out = true;
      record.processes[p->record].timed_out = true;
      log::warning("Timeout: process {} of task {} reached its timeout of {} s; sending SIGINT",
                   group, name, t);
      stop_groups({group}, SIGINT);
    }));
  }

  TaskContext* ctx_ptr = &ctx;
  loop.on_exit(pid, [this, proc, ctx_ptr, relay_ptr, out_fd, log_start,
                     on_exit = std::move(on_exit)](const ExitStatus& st, const ProcIo& io) {
    bool timed_out = proc->status.timed_out;
    bool stopped = proc->status.stopped;
    proc->status = st;
    proc->status.timed_out = timed_out;
    proc->status.stopped = stopped;
    proc->exited = true;
    for (auto id : proc->timers) loop.cancel_timer(id);
    // Data written before exit is already in the pipe: take it now.
    relay_ptr->drain();
    ctx_ptr->groups.erase(proc->pid);
    auto& r = record.processes[proc->record];
    r.end = now_seconds();
    r.exit_code = proc->status.code();
    r.signal = proc->status.signal;
    r.failed = proc->status.failed();
    r.read_bytes = io.rchar;
    r.write_bytes = io.wchar;
    if (log_start >= 0) {
      off_t now = ::lseek(out_fd, 0, SEEK_CUR);
      if (now > log_start) r.log_bytes += now - log_start;
    }
    on_exit(*proc);
  });
  return proc;
}

void Engine::stop_groups(const std::set<pid_t>& groups, int sig) {
  if (groups.empty()) return;
  for (pid_t g : groups) ::kill(-g, sig);
  // Escalate: SIGINT → SIGTERM → SIGKILL, one grace period apart. A group that
  // is gone makes kill() fail harmlessly.
  if (sig == SIGKILL) return;
  int next = sig == SIGINT ? SIGTERM : SIGKILL;
  loop.add_timer(opt.grace, [this, groups, next] {
    std::set<pid_t> alive;
    for (pid_t g : groups) {
      if (::kill(-g, 0) == 0) alive.insert(g);
    }
    if (!alive.empty()) {
      if (next == SIGKILL) log::warning("process groups did not stop within {} s; killing", opt.grace);
      stop_groups(alive, next);
    }
  });
}

void Engine::stop_all(int sig) {
  stopping = true;
  std::set<pid_t> alive;
  for (pid_t g : all_groups_) {
    if (::kill(-g, 0) == 0) alive.insert(g);
  }
  stop_groups(alive, sig);
  // Grandchildren that left their group (setsid) are ours as subreaper.
  signal_descendants(sig == SIGINT ? SIGINT : SIGTERM);
}

StderrRelay::StderrRelay(Engine& eng, TaskContext& ctx, util::UniqueFd read_end, size_t record)
    : eng_(eng), ctx_(ctx), fd_(std::move(read_end)), record_(record) {
  if (!fd_.valid()) return;
  set_nonblocking(fd_.fd());
  eng_.loop.watch_read(fd_.fd(), [this] { drain(); });
}

StderrRelay::~StderrRelay() { close(); }

void StderrRelay::drain() {
  if (!fd_.valid()) return;
  char buf[16384];
  while (true) {
    ssize_t n = ::read(fd_.fd(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;
      n = 0;  // treat errors as EOF
    }
    if (n == 0) {
      eng_.loop.unwatch_read(fd_.fd());
      fd_.reset();
      if (!pending_.empty()) emit(std::exchange(pending_, {}) + "\n");
      return;
    }
    pending_.append(buf, static_cast<size_t>(n));
    // Mask and write every complete line of this read at once: one mask pass
    // and one write(2) per read, not per line.
    size_t last = pending_.rfind('\n');
    if (last != std::string::npos) {
      emit(std::string_view(pending_).substr(0, last + 1));
      pending_.erase(0, last + 1);
    }
    // A very long line without a newline: emit all but a tail long enough to
    // hold the start of a secret that continues in the next read.
    constexpr size_t k_max_line = 65536;
    if (pending_.size() > k_max_line) {
      size_t keep = util::redactor().longest();
      size_t cut = pending_.size() > keep ? pending_.size() - keep : 0;
      emit(std::string(pending_, 0, cut) + "\n");
      pending_.erase(0, cut);
    }
  }
}

void StderrRelay::close() {
  if (fd_.valid()) {
    drain();
    if (fd_.valid()) {
      eng_.loop.unwatch_read(fd_.fd());
      fd_.reset();
    }
  }
  if (!pending_.empty()) emit(std::exchange(pending_, {}) + "\n");
}

void StderrRelay::emit(std::string_view lines) {
  std::string masked = Engine::mask(lines);
  if (ctx_.stderr_log.valid() && ctx_.stderr_log_errno == 0) {
    std::string_view rest = masked;
    while (!rest.empty()) {
      ssize_t n = ::write(ctx_.stderr_log.fd(), rest.data(), rest.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        // A full disk (or any write error) must not pass for a complete log:
        // the task reports it when it ends, and fails; the log keeps what
        // was written, the console still gets every line.
        ctx_.stderr_log_errno = errno;
        break;
      }
      rest.remove_prefix(static_cast<size_t>(n));
      eng_.record.processes[record_].log_bytes += n;
    }
  }
  log::write_block(log::Level::info, ctx_.name, masked);
}

}  // namespace handoff::engine
