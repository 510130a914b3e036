// Project files (PROJECT/files/**) rendered into WORKSPACE/files.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "job/job.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/redact.h"
#include "util/strings.h"

namespace handoff::job {
namespace fs = std::filesystem;

std::vector<RenderedFile> render_files(const fs::path& files_dir, const tmpl::Value& vars,
                                       bool strict, std::vector<std::string>* problems,
                                       std::vector<std::string>* warnings) {
  std::vector<RenderedFile> out;
  std::error_code ec;
  if (!fs::is_directory(files_dir, ec)) return out;
  std::vector<fs::path> paths;
  for (auto it = fs::recursive_directory_iterator(files_dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) paths.push_back(it->path());
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    RenderedFile f;
    f.relative = path.lexically_relative(files_dir);
    std::string source = "files/" + f.relative.string();
    std::string text;
    try {
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
    util::write_file_atomic(target, f.content, f.secret ? 0600 : 0644);
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
