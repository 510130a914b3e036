#include "util/fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "util/error.h"
#include "util/fd.h"

namespace handoff::util {

std::string errno_text(int err) { return std::strerror(err); }

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw Error("cannot create a pipe: " + errno_text(errno), "raise the open-files limit (ulimit -n)");
  }
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

std::string read_file(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw Error("cannot read '" + path.string() + "': " + errno_text(errno));
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd.fd(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot read '" + path.string() + "': " + errno_text(errno));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view data, mode_t mode) {
  std::random_device rd;
  std::filesystem::path tmp = path;
  tmp += ".handoff-tmp-" + std::to_string(rd());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd.valid()) throw Error("cannot write '" + path.string() + "': " + errno_text(errno));
  ::fchmod(fd.fd(), mode);  // the umask may have narrowed it; never widened beyond mode
  std::string_view rest = data;
  while (!rest.empty()) {
    ssize_t n = ::write(fd.fd(), rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::unlink(tmp.c_str());
      throw Error("cannot write '" + path.string() + "': " + errno_text(err));
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error("cannot write '" + path.string() + "': " + errno_text(err));
  }
}

void make_dirs(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) throw Error("cannot create directory '" + path.string() + "': " + ec.message());
}

bool is_within(const std::filesystem::path& path, const std::filesystem::path& root) {
  auto abs_root = std::filesystem::absolute(root).lexically_normal();
  auto abs_path = std::filesystem::absolute(path).lexically_normal();
  auto rel = abs_path.lexically_relative(abs_root);
  if (rel.empty()) return false;
  auto first = *rel.begin();
  return first != ".." && !rel.is_absolute();
}

bool resolves_within(const std::filesystem::path& path, const std::filesystem::path& root) {
  std::error_code ec;
  auto real_root = std::filesystem::canonical(root, ec);
  if (ec) return false;
  auto real = std::filesystem::canonical(path, ec);
  if (ec) return false;
  return real == real_root || is_within(real, real_root);
}

}  // namespace handoff::util
