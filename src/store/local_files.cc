#include "store/local_files.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include <fmt/format.h>
#include <sodium.h>

#include "util/error.h"
#include "util/fs.h"

namespace handoff::store::local {

namespace fs = std::filesystem;

fs::path xdg_dir(const char* xdg_var, std::string_view home_fallback) {
  const char* xdg = std::getenv(xdg_var);
  if (xdg != nullptr && xdg[0] == '/') return fs::path(xdg);
  const char* home = std::getenv("HOME");
  std::string home_dir = home != nullptr ? home : "";
  if (home_dir.empty()) {
    if (const struct passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_dir != nullptr) {
      home_dir = pw->pw_dir;
    }
  }
  if (home_dir.empty()) {
    throw Error(fmt::format("cannot find the home directory for ${}", xdg_var),
                fmt::format("set HOME or {}", xdg_var));
  }
  return fs::path(home_dir) / home_fallback;
}

void make_private_dirs(const fs::path& path) {
  // Walk down from the top so each missing level is created 0700 by mkdir
  // itself (no chmod window); EEXIST from a racing process is fine.
  fs::path current;
  for (const auto& part : path) {
    current /= part;
    if (::mkdir(current.c_str(), 0700) == 0 || errno == EEXIST) continue;
    int err = errno;
    struct stat st {};
    if (::stat(current.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
    throw Error(fmt::format("cannot create directory '{}': {}", current.string(), util::errno_text(err)));
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw Error(fmt::format("cannot create directory '{}': a file is in the way", path.string()));
  }
}

FileLock::FileLock(const fs::path& path)
    : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) {
  if (!fd_.valid()) {
    throw Error(fmt::format("cannot open lock file '{}': {}", path.string(), util::errno_text(errno)));
  }
  while (::flock(fd_.fd(), LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    throw Error(fmt::format("cannot lock '{}': {}", path.string(), util::errno_text(errno)));
  }
}

std::optional<std::string> read_if_exists(const fs::path& path) {
  util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    throw Error(fmt::format("cannot read '{}': {}", path.string(), util::errno_text(errno)));
  }
  std::string out;
  char buf[16384];
  while (true) {
    ssize_t n = ::read(fd.fd(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(fmt::format("cannot read '{}': {}", path.string(), util::errno_text(errno)));
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string random_hex(size_t n) {
  if (sodium_init() < 0) throw Error("cannot initialise libsodium");
  std::string bytes(n, '\0');
  randombytes_buf(bytes.data(), n);
  std::string out;
  out.reserve(2 * n);
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

std::string format_time(Clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  long frac = static_cast<long>(ms % 1000);
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  struct tm tm {};
  ::gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

Clock::time_point parse_time(std::string_view text) {
  struct tm tm {};
  int ms = 0;
  std::string s(text);
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return Clock::time_point{};
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::time_t secs = ::timegm(&tm);
  return Clock::time_point{} + std::chrono::seconds(secs) + std::chrono::milliseconds(ms);
}

Clock::time_point mtime_of(const struct stat& st) {
  auto since = std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec);
  return Clock::time_point{} + std::chrono::duration_cast<Clock::duration>(since);
}

}  // namespace handoff::store::local
