#pragma once
// Internal to project/: YAML nodes to Values the way PyYAML's FullLoader reads
// them (YAML 1.1 implicit types), and small helpers shared by the loaders.
// yaml-cpp stays out of the public headers.
#include <yaml-cpp/yaml.h>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "project/model.h"

namespace handoff::project::detail {

/// Resolve a scalar node: plain scalars by the YAML 1.1 rules PyYAML uses
/// (bool, null, int incl. 0b/0x/octal/sexagesimal and `_`, float incl.
/// .inf/.nan); quoted, block and `!!str` scalars stay strings. Dates stay
/// their text (Python would make a date whose str() is the same text).
Value resolve_scalar(const YAML::Node& node);

/// Called for a duplicate key (node of the later key, key text).
using DuplicateHandler = std::function<void(const YAML::Node& key, const std::string& name)>;

/// The entries of a mapping node as PyYAML sees them: `<<` merge keys applied
/// (explicit keys win over merged ones), and for a duplicate key the LAST
/// value wins (PyYAML), unlike yaml-cpp's lookup which keeps the first.
std::vector<std::pair<YAML::Node, YAML::Node>> map_entries(
    const YAML::Node& map, const DuplicateHandler& on_duplicate = {});

/// Convert a whole node tree (mapping order kept).
Value node_to_value(const YAML::Node& node);

/// Python str() of a scalar Value: None, True/False, 7, 1.0, 1e+16, inf;
/// strings as they are. Lists and mappings are dumped as JSON (not expected).
std::string python_str(const Value& v);

/// Python truthiness of a Value (null, false, 0, 0.0, "", [], {} are false).
bool python_truthy(const Value& v);

/// "a string", "an integer", "a number", "a boolean", "null", "a list", "a mapping".
std::string type_name(const Value& v);

/// 1-based line and column of a node ({0, 0} when it has no mark).
std::pair<int, int> line_column(const YAML::Node& node);

}  // namespace handoff::project::detail
