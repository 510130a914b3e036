#include "container/build_context.h"

#include <stdlib.h>

#include <system_error>

#include "container/dockerfile.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/strings.h"

namespace handoff::container {

namespace fs = std::filesystem;

namespace {

// What of the source tree the build stage needs (the Dockerfile builds with
// tests and benchmarks off, so tests/ and bench/ stay out).
const char* const k_source_dirs[] = {"src", "cmake", "cloud/templates"};
const char* const k_source_files[] = {"CMakeLists.txt", "scripts/install-deps.sh"};

bool looks_like_source(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "CMakeLists.txt", ec) && fs::is_directory(dir / "src", ec) &&
         fs::is_regular_file(dir / "scripts" / "install-deps.sh", ec);
}

[[noreturn]] void fail(const std::string& what, const fs::path& path, const std::error_code& ec) {
  throw Error(what + " " + util::quote(path.string()) + ": " + ec.message());
}

// Copies one tree without following a symlink anywhere. root is the tree's
// top (canonical), for the "points inside" check; label names the tree in
// the skipped list ("project").
class TreeCopier {
 public:
  TreeCopier(fs::path root, std::string label, bool filter_secrets, std::vector<std::string>* skipped)
      : root_(std::move(root)), label_(std::move(label)), filter_(filter_secrets), skipped_(skipped) {}

  void copy_dir(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    fs::create_directories(to, ec);
    if (ec) fail("cannot create", to, ec);
    fs::directory_iterator it(from, ec);
    if (ec) fail("cannot read", from, ec);
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      copy_entry(it->path(), to / it->path().filename());
    }
    if (ec) fail("cannot read", from, ec);
  }

 private:
  std::string rel(const fs::path& p) const {
    return (fs::path(label_) / p.lexically_relative(root_)).generic_string();
  }

  void skip(const fs::path& p, const std::string& why) { skipped_->push_back(rel(p) + " (" + why + ")"); }

  void copy_entry(const fs::path& from, const fs::path& to) {
    std::string name = from.filename().string();
    if (filter_ && is_secret_name(name)) return skip(from, "secrets never enter the image");
    std::error_code ec;
    fs::file_status st = fs::symlink_status(from, ec);
    if (ec) fail("cannot stat", from, ec);
    switch (st.type()) {
      case fs::file_type::directory:
        return copy_dir(from, to);
      case fs::file_type::regular:
        fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
        if (ec) fail("cannot copy", from, ec);
        return;
      case fs::file_type::symlink:
        return copy_link(from, to);
      default:
        return skip(from, "not a regular file, directory or symlink");
    }
  }

  // A link is recreated, relative, only when what it names (followed to the
  // end) is inside the tree and is not itself a secret; it is never followed
  // to copy what it points to.
  void copy_link(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    fs::path target = fs::weakly_canonical(from.parent_path() / fs::read_symlink(from, ec), ec);
    if (ec) return skip(from, "broken symlink");
    if (!util::is_within(target, root_)) return skip(from, "symlink pointing outside");
    if (filter_) {
      for (const auto& part : target.lexically_relative(root_)) {
        if (is_secret_name(part.string())) return skip(from, "symlink to a secret");
      }
    }
    fs::path canonical_parent = fs::weakly_canonical(from.parent_path(), ec);
    fs::create_symlink(target.lexically_relative(canonical_parent), to, ec);
    if (ec) fail("cannot create symlink", to, ec);
  }

  fs::path root_;
  std::string label_;
  bool filter_;
  std::vector<std::string>* skipped_;
};

void copy_tree(const fs::path& from, const fs::path& to, const std::string& label, bool filter,
               std::vector<std::string>* skipped) {
  std::error_code ec;
  fs::path root = fs::canonical(from, ec);
  if (ec) fail("cannot read", from, ec);
  TreeCopier(root, label, filter, skipped).copy_dir(root, to);
}

void copy_one(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  if (!ec) fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) fail("cannot copy", from, ec);
}

fs::path make_temp_dir(const fs::path& root_hint) {
  fs::path root = root_hint;
  if (root.empty()) {
    const char* t = std::getenv("TMPDIR");
    root = t && *t ? fs::path(t) : fs::path("/tmp");
  }
  std::string templ = (root / "handoff-container-XXXXXX").string();
  if (!::mkdtemp(templ.data())) {
    throw Error("cannot create a temp dir in " + util::quote(root.string()) + ": " + util::errno_text(errno),
                "set TMPDIR to a writable directory");
  }
  return templ;
}

}  // namespace

BuildContext::~BuildContext() {
  if (dir_.empty()) return;
  std::error_code ec;
  fs::remove_all(dir_, ec);
  if (ec) log::warning("could not remove the build context {}: {}", dir_.string(), ec.message());
}

bool is_secret_name(const std::string& name) {
  return name == ".secrets" || name.find(".secret") != std::string::npos;
}

fs::path find_source_dir(const std::string& flag, const std::optional<std::string>& env) {
  const char* hint = "pass --handoff-src DIR (or set HANDOFF_SRC) to a checkout of handoff's repository";
  auto check = [&](const fs::path& dir, const std::string& from) {
    if (!looks_like_source(dir)) {
      throw UsageError(
          from + " " + util::quote(dir.string()) +
              " is not handoff's source tree (no CMakeLists.txt, src/ and scripts/install-deps.sh)",
          hint);
    }
    return fs::absolute(dir).lexically_normal();
  };
  if (!flag.empty()) return check(flag, "--handoff-src");
  if (env && !env->empty()) return check(*env, "HANDOFF_SRC");
  // This file is src/container/build_context.cc of the tree the binary was
  // built from. Ninja names it relative to the build dir (when that is inside
  // the tree), which is where CMake puts the binary.
  fs::path here = __FILE__;
  std::error_code ec;
  if (here.is_relative()) here = fs::read_symlink("/proc/self/exe", ec).parent_path() / here;
  if (!ec) {
    fs::path root = here.lexically_normal().parent_path().parent_path().parent_path();
    if (looks_like_source(root)) return root;
  }
  throw UsageError("handoff's source tree was not found (the image builds handoff from source)", hint);
}

BuildContext make_build_context(const ContextSpec& spec) {
  BuildContext ctx(make_temp_dir(spec.temp_root));
  const fs::path& dir = ctx.dir();
  auto& skipped = ctx.skipped();

  for (const char* d : k_source_dirs) {
    std::error_code ec;
    if (fs::is_directory(spec.source_dir / d, ec)) {
      copy_tree(spec.source_dir / d, dir / "handoff" / d, "handoff/" + std::string(d), true, &skipped);
    }
  }
  for (const char* f : k_source_files) copy_one(spec.source_dir / f, dir / "handoff" / f);

  copy_tree(spec.project_dir, dir / "project", "project", true, &skipped);

  util::make_dirs(dir / "script");
  util::write_file_atomic(dir / "script" / "entrypoint.sh", k_entrypoint, 0755);
  if (spec.docker_file.empty()) {
    util::write_file_atomic(dir / "Dockerfile", k_dockerfile);
  } else {
    copy_one(spec.docker_file, dir / "Dockerfile");
  }

  if (!spec.files_dir.empty()) {
    fs::path base = fs::absolute(spec.files_dir).lexically_normal();
    if (base.filename().empty()) base = base.parent_path();
    std::string name = base.filename().string();
    if (name == "handoff" || name == "project" || name == "script" || name == "Dockerfile" || name.empty()) {
      throw UsageError("files_dir " + util::quote(spec.files_dir.string()) + " would replace the context's " +
                           util::quote(name),
                       "rename the directory (its base name becomes a folder of the build context)");
    }
    copy_tree(base, dir / name, name, true, &skipped);
  }
  return ctx;
}

}  // namespace handoff::container
