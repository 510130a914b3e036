#pragma once
// The built-in filters. The parser resolves `| name` to a FilterDef once, so
// rendering never looks filters up by name.
#include <string>
#include <string_view>
#include <vector>

#include "template/value.h"

namespace handoff::tmpl {

struct FilterDef {
  std::string_view name;
  std::vector<std::string_view> params;  ///< after the filtered value, in order
  size_t required = 0;                   ///< how many params must be given
  /// The filtered value is undefined: raise, as Jinja does, instead of
  /// treating it as an empty string.
  bool needs_defined = false;
  /// input is null when the value is undefined; args[i] is null when params[i]
  /// was not given. Throws OpError for bad types.
  Value (*apply)(const Value* input, const std::vector<const Value*>& args) = nullptr;
};

/// The filter called name, or null.
const FilterDef* find_filter(std::string_view name);
/// Names of all filters, for "did you mean" hints.
std::vector<std::string> filter_names();

}  // namespace handoff::tmpl
