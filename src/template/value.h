#pragma once
// The dynamic value of template variables: YAML scalars, lists and mappings.
// An ordered JSON keeps mapping keys in document order (the compiled config
// of the old layout must keep it too).
#include <nlohmann/json.hpp>

#include <string>

namespace handoff::tmpl {

using Value = nlohmann::ordered_json;

/// What Python's str() prints for the value, as Jinja renders it:
/// null → "None", true → "True", 1.0 → "1.0", 7 → "7", strings as they are,
/// lists and mappings as Python reprs (['a', 1], {'k': 'v'}).
std::string to_python_str(const Value& v);

}  // namespace handoff::tmpl
