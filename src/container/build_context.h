#pragma once
// The directory `docker build` is given (issue 5 point 1, spec §9.3 with its
// secrets bug fixed). A fresh temp dir holding:
//   handoff/     the source needed to build handoff: CMakeLists.txt, cmake/,
//                src/, cloud/templates/, scripts/install-deps.sh (no build
//                dirs, no .git)
//   project/     the project, WITHOUT any `.secrets/` directory or any file
//                whose name contains `.secret`; symlinks are kept only when
//                they point inside the project (never followed, never out)
//   script/entrypoint.sh
//   Dockerfile   ours (dockerfile.h), or container.docker_file / -v docker_file=
//   <name>/      the files_dir, when given, under its own base name (same filter)
// A symlink naming a place inside the tree is kept as a (relative) link even
// when nothing is there yet; one naming a secret or leaving the tree is not.
// The directory is removed when the BuildContext is destroyed.
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace handoff::container {

struct ContextSpec {
  std::filesystem::path source_dir;   ///< handoff's source tree (find_source_dir)
  std::filesystem::path project_dir;  ///< -p
  std::filesystem::path docker_file;  ///< empty: ours
  std::filesystem::path files_dir;    ///< empty: none
  std::filesystem::path temp_root;    ///< empty: $TMPDIR or /tmp
};

/// An owned temp dir; removed (recursively) by the destructor.
class BuildContext {
 public:
  BuildContext() = default;
  explicit BuildContext(std::filesystem::path dir) : dir_(std::move(dir)) {}
  BuildContext(BuildContext&& o) noexcept
      : dir_(std::exchange(o.dir_, {})), skipped_(std::move(o.skipped_)) {}
  BuildContext& operator=(BuildContext&&) = delete;
  BuildContext(const BuildContext&) = delete;
  ~BuildContext();

  const std::filesystem::path& dir() const { return dir_; }
  /// Paths relative to the project (or files_dir) left out, with why:
  /// "project/.secrets (secrets never enter the image)".
  const std::vector<std::string>& skipped() const { return skipped_; }
  std::vector<std::string>& skipped() { return skipped_; }

 private:
  std::filesystem::path dir_;
  std::vector<std::string> skipped_;
};

/// True for a name the context never holds: ".secrets", or any name
/// containing ".secret" (".secrets.yml", "db.secret", "x.secret.json").
bool is_secret_name(const std::string& name);

/// Where handoff's source tree is: flag (--handoff-src), else $HANDOFF_SRC,
/// else the tree this binary was compiled from, if it is still there. Each
/// must hold CMakeLists.txt and src/. Throws handoff::Error (exit 2) with a
/// hint when none does.
std::filesystem::path find_source_dir(const std::string& flag, const std::optional<std::string>& env);

/// Make the context. Throws handoff::Error naming the path on any failure
/// (the half-made directory is removed).
BuildContext make_build_context(const ContextSpec& spec);

}  // namespace handoff::container
