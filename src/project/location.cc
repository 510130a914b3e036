#include <fmt/format.h>

#include "project/model.h"

namespace handoff::project {

std::string Location::where() const {
  if (line <= 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

}  // namespace handoff::project
