// Project files (PROJECT/files/**) rendered into WORKSPACE/files.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "job/job.h"
#include "util/error.h"
#include "util/fd.h"
#include "util/fs.h"
#include "util/redact.h"
#include "util/strings.h"

namespace handoff::job {
namespace fs = std::filesystem;

namespace {

// Files of this size or more are first scanned in chunks: one that renders to
// itself (binary, or UTF-8 text with no `{{`, `{%`, `{#` and no carriage
// return, which rendering would normalise) is copied from its source when
// written, so a 64 MiB data file never sits in memory. Only a large template
// is read whole.
constexpr uint64_t k_stream_threshold = 1 << 20;

struct Scan {
  bool binary = false;
  bool plain = true;   ///< text without template syntax or '\r'
  bool secret = false;  ///< holds a registered secret value
  bool final_newline = false;
  uint64_t size = 0;
};

Scan scan_file(const fs::path& path) {
  util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw Error("cannot read " + util::quote(path.string()) + ": " + util::errno_text(errno));
  Scan s;
  const size_t keep = util::redactor().empty() ? 0 : util::redactor().longest();
  std::string carry;  // an incomplete UTF-8 sequence, then the secret overlap
  std::string tail;   // the last bytes of what came before (secret overlap)
  char prev = '\0';
  std::string buf(1 << 20, '\0');
  for (;;) {
    ssize_t n = ::read(fd.fd(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot read " + util::quote(path.string()) + ": " + util::errno_text(errno));
    }
    if (n == 0) break;
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    s.size += chunk.size();
    s.final_newline = chunk.back() == '\n';
    if (!s.binary) {
      std::string text = carry + std::string(chunk);
      // Hold back a sequence the chunk cut in two.
      size_t end = text.size();
      for (size_t back = 1; back <= 3 && back <= text.size(); ++back) {
        auto c = static_cast<unsigned char>(text[text.size() - back]);
        if ((c >> 6) == 2) continue;  // a continuation byte
        size_t need = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        if (need > back) end = text.size() - back;
        break;
      }
      carry = text.substr(end);
      if (!util::is_valid_utf8(std::string_view(text).substr(0, end))) s.binary = true;
    }
    if (s.plain) {
      if (chunk.find('\r') != std::string_view::npos) s.plain = false;
      std::string joined = std::string(1, prev) + std::string(chunk.substr(0, std::min<size_t>(chunk.size(), 1)));
      for (const char* m : {"{{", "{%", "{#"}) {
        if (chunk.find(m) != std::string_view::npos || joined == m) s.plain = false;
      }
    }
    if (keep > 0 && !s.secret) {
      std::string window = tail + std::string(chunk);
      if (util::redactor().mask(window) != window) s.secret = true;
      tail = window.substr(window.size() > keep ? window.size() - keep : 0);
    }
    prev = chunk.back();
  }
  if (!carry.empty() && !s.binary) s.binary = true;  // the file ends inside a sequence
  return s;
}

// Copy the first length bytes of src to target through a temp file beside
// it, created with mode; renamed into place when complete.
void copy_file_atomic(const fs::path& src, const fs::path& target, uint64_t length, mode_t mode) {
  util::UniqueFd in(::open(src.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) throw Error("cannot read " + util::quote(src.string()) + ": " + util::errno_text(errno));
  std::string tmp = target.string() + ".handoff-XXXXXX";
  util::UniqueFd out(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!out.valid()) throw Error("cannot write " + util::quote(target.string()) + ": " + util::errno_text(errno));
  auto fail = [&](const std::string& what) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error(what + " " + util::quote(target.string()) + ": " + util::errno_text(err));
  };
  if (::fchmod(out.fd(), mode) != 0) fail("cannot set the mode of");
  std::string buf(1 << 20, '\0');
  uint64_t left = length;
  while (left > 0) {
    ssize_t n = ::read(in.fd(), buf.data(), std::min<uint64_t>(buf.size(), left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot copy to");
    if (n == 0) {
      errno = EIO;
      fail(src.string() + " shrank while copying it to");
    }
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(out.fd(), buf.data() + off, static_cast<size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) fail("cannot write");
      off += w;
    }
    left -= static_cast<uint64_t>(n);
  }
  if (::close(out.release()) != 0) fail("cannot write");
  if (::rename(tmp.c_str(), target.c_str()) != 0) fail("cannot rename into");
}

}  // namespace

std::vector<fs::path> project_files(const fs::path& files_dir, std::vector<std::string>* problems,
                                   std::vector<std::string>* warnings) {
  std::vector<fs::path> paths;
  std::error_code ec;
  if (!fs::is_directory(files_dir, ec)) return paths;
  // A symlink is followed only to a regular file inside the project (the
  // folder holding files/): a project from someone else must not copy the
  // user's ~/.aws/credentials into the workspace, or to S3 with files push.
  // A link to a directory is not followed (a link loop cannot hang us).
  fs::path files_abs = fs::absolute(files_dir).lexically_normal();
  if (!files_abs.has_filename()) files_abs = files_abs.parent_path();  // "files/"
  const fs::path project_root = files_abs.parent_path();
  auto shown = [&](const fs::path& path) {
    return (fs::path("files") / path.lexically_relative(files_dir)).lexically_normal().string();
  };
  auto outside = [&](const fs::path& path) {
    std::error_code lec;
    fs::path target = fs::read_symlink(path, lec);
    problems->push_back(fmt::format("{} is a symbolic link to {}, outside the project {}; refusing to follow it",
                                    shown(path), util::quote(target.string()), project_root.string()));
  };
  if (!util::resolves_within(files_dir, project_root)) {
    outside(files_dir);
    return paths;
  }
  for (auto it = fs::recursive_directory_iterator(files_dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_symlink(ec)) {
      if (!fs::exists(it->path(), ec)) {
        warnings->push_back(fmt::format("{} is a broken symbolic link; skipped", shown(it->path())));
      } else if (!util::resolves_within(it->path(), project_root)) {
        outside(it->path());
      } else if (util::resolves_within(it->path(), project_root / ".secrets")) {
        // Inside the project but into its secrets: rendering or files push
        // would copy them in plain text to the workspace or to S3.
        problems->push_back(fmt::format("{} is a symbolic link into .secrets/; refusing to follow it",
                                        shown(it->path())));
      } else if (fs::is_directory(it->path(), ec)) {
        warnings->push_back(fmt::format("{} is a symbolic link to a directory; not followed",
                                        shown(it->path())));
      } else if (fs::is_regular_file(it->path(), ec)) {
        paths.push_back(it->path());
      }
      continue;
    }
    if (it->is_regular_file(ec)) paths.push_back(it->path());
  }
  return paths;
}

std::vector<RenderedFile> render_files(const fs::path& files_dir, const tmpl::Value& vars,
                                       bool strict, std::vector<std::string>* problems,
                                       std::vector<std::string>* warnings) {
  std::vector<RenderedFile> out;
  std::error_code ec;
  if (!fs::is_directory(files_dir, ec)) return out;
  std::vector<fs::path> paths = project_files(files_dir, problems, warnings);
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    RenderedFile f;
    f.relative = path.lexically_relative(files_dir);
    std::string source = "files/" + f.relative.string();
    std::string text;
    try {
      std::error_code size_ec;
      if (fs::file_size(path, size_ec) >= k_stream_threshold && !size_ec) {
        Scan scan = scan_file(path);
        if (scan.binary || scan.plain) {
          f.copy_from = path;
          f.copy_length = scan.size - (!scan.binary && scan.final_newline ? 1 : 0);
          f.secret = scan.secret;
          out.push_back(std::move(f));
          continue;
        }
      }
      text = util::read_file(path);
    } catch (const Error& e) {
      problems->push_back(e.what());
      continue;
    }
    if (!util::is_valid_utf8(text)) {
      f.content = std::move(text);  // binary: byte for byte
    } else {
      try {
        auto t = tmpl::Template::parse(text, source);
        auto r = t.render(vars, false);
        for (const auto& u : r.undefined) {
          std::string msg = fmt::format("{}:{}:{}: undefined variable '{}' renders empty", source,
                                        u.line, u.column, u.name);
          (strict ? problems : warnings)->push_back(msg);
        }
        f.content = std::move(r.text);
      } catch (const Error& e) {
        problems->push_back(e.what());
        continue;
      }
    }
    f.secret = util::redactor().mask(f.content) != f.content;
    out.push_back(std::move(f));
  }
  return out;
}

void write_files(const fs::path& workspace, const std::vector<RenderedFile>& files) {
  auto dir = workspace / "files";
  std::error_code ec;
  fs::remove_all(dir, ec);  // a local run starts from a clean copy, as the original
  util::make_dirs(dir);
  for (const auto& f : files) {
    auto target = dir / f.relative;
    if (!util::is_within(target, dir)) {
      throw Error("refusing to write " + util::quote(f.relative.string()) + " outside " + dir.string());
    }
    util::make_dirs(target.parent_path());
    if (!f.copy_from.empty()) {
      copy_file_atomic(f.copy_from, target, f.copy_length, f.secret ? 0600 : 0644);
    } else {
      util::write_file_atomic(target, f.content, f.secret ? 0600 : 0644);
    }
  }
}

void write_config_files(const fs::path& workspace, const project::Project& project) {
  if (project.config_files.empty()) return;
  auto dir = workspace / "config";
  util::make_dirs(dir);
  for (const auto& f : project.config_files) {
    auto target = dir / f.name;
    if (!util::is_within(target, dir)) {
      throw Error("refusing to write " + util::quote(f.name) + " outside " + dir.string());
    }
    util::write_file_atomic(target, f.text, 0600);
  }
}

}  // namespace handoff::job
