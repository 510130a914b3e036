#include "util/temp_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "util/error.h"
#include "util/fs.h"

namespace handoff::util {

TempDir::TempDir(std::string_view purpose) {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string tmpl = (base / ("handoff-" + std::string(purpose) + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    throw Error("cannot create a temp folder under " + base.string() + ": " + errno_text(errno),
                "check that $TMPDIR (or /tmp) exists and is writable");
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace handoff::util
