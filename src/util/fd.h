#pragma once
// An owning file descriptor: closed on destruction, movable, not copyable.
// fd() == -1 means "no descriptor".
#include <unistd.h>

#include <utility>

namespace handoff::util {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

/// A pipe made with O_CLOEXEC: read end, write end. Throws handoff::Error on failure.
struct Pipe {
  UniqueFd read;
  UniqueFd write;
};
Pipe make_pipe();

}  // namespace handoff::util
