#include "project/yaml_value.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>

#include "util/error.h"
#include "util/strings.h"

namespace handoff::project::detail {
namespace {

// The implicit resolvers of PyYAML's (YAML 1.1) Resolver, written as small
// matchers (std::regex is slow and noisy under g++ 12). PyYAML tries float
// before int; no text matches both.
bool is_one_of(std::string_view s, std::initializer_list<std::string_view> words) {
  for (auto w : words) {
    if (s == w) return true;
  }
  return false;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Consume chars while pred holds; return how many.
template <typename Pred>
size_t eat(std::string_view s, size_t& i, Pred pred) {
  size_t start = i;
  while (i < s.size() && pred(s[i])) ++i;
  return i - start;
}

void eat_sign(std::string_view s, size_t& i) {
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
}

// (:[0-5]?[0-9])+ — at least one group.
bool eat_sexagesimal(std::string_view s, size_t& i) {
  size_t groups = 0;
  while (i < s.size() && s[i] == ':') {
    size_t j = i + 1;
    if (j + 1 < s.size() && s[j] >= '0' && s[j] <= '5' && is_digit(s[j + 1])) {
      j += 2;
    } else if (j < s.size() && is_digit(s[j])) {
      j += 1;
    } else {
      return false;
    }
    i = j;
    ++groups;
  }
  return groups > 0;
}

bool is_yaml_int(std::string_view s) {
  size_t i = 0;
  eat_sign(s, i);
  std::string_view r = s.substr(i);
  auto digit_ = [](char c) { return is_digit(c) || c == '_'; };
  auto all = [&](size_t from, auto pred) {
    size_t k = from;
    return eat(r, k, pred) > 0 && k == r.size();
  };
  if (r.rfind("0b", 0) == 0) return all(2, [](char c) { return c == '0' || c == '1' || c == '_'; });
  if (r.rfind("0x", 0) == 0) {
    return all(2, [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == '_'; });
  }
  if (r == "0") return true;
  if (!r.empty() && r[0] == '0')
    return all(1, [](char c) { return (c >= '0' && c <= '7') || c == '_'; });
  if (r.empty() || r[0] < '1' || r[0] > '9') return false;
  size_t k = 1;
  eat(r, k, digit_);
  if (k == r.size()) return true;
  return eat_sexagesimal(r, k) && k == r.size();
}

bool is_yaml_float(std::string_view s) {
  if (is_one_of(s, {".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF"})) return true;
  auto digit_ = [](char c) { return is_digit(c) || c == '_'; };
  // Optional exponent: [eE][-+][0-9]+ (PyYAML requires the sign).
  auto exponent_to_end = [&](size_t k) {
    if (k == s.size()) return true;
    if (s[k] != 'e' && s[k] != 'E') return false;
    ++k;
    if (k == s.size() || (s[k] != '-' && s[k] != '+')) return false;
    ++k;
    return eat(s, k, is_digit) > 0 && k == s.size();
  };
  size_t i = 0;
  if (!s.empty() && s[0] == '.') {  // \.[0-9][0-9_]*(exp)?
    i = 1;
    if (i >= s.size() || !is_digit(s[i])) return false;
    eat(s, i, digit_);
    return exponent_to_end(i);
  }
  eat_sign(s, i);
  std::string_view r = s.substr(i);
  if (is_one_of(r, {".inf", ".Inf", ".INF"})) return true;
  if (i >= s.size() || !is_digit(s[i])) return false;
  eat(s, i, digit_);
  if (i < s.size() && s[i] == ':') {
    if (!eat_sexagesimal(s, i)) return false;
    if (i >= s.size() || s[i] != '.') return false;
    ++i;
    eat(s, i, digit_);
    return i == s.size();
  }
  if (i >= s.size() || s[i] != '.') return false;
  ++i;
  eat(s, i, digit_);
  return exponent_to_end(i);
}

std::string without_underscores(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '_') out += c;
  }
  return out;
}

// PyYAML's construct_yaml_int. Python ints are unbounded; past 64 bits we fall
// back to a double rather than fail.
Value construct_int(std::string_view text) {
  std::string v = without_underscores(text);
  bool negative = false;
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) {
    negative = v[0] == '-';
    v.erase(0, 1);
  }
  uint64_t magnitude = 0;
  bool overflow = false;
  double approx = 0;
  auto accumulate = [&](std::string_view digits, unsigned base) {
    for (char c : digits) {
      unsigned d = (c >= '0' && c <= '9') ? static_cast<unsigned>(c - '0')
                                          : static_cast<unsigned>((c | 0x20) - 'a' + 10);
      approx = approx * base + d;
      if (__builtin_mul_overflow(magnitude, base, &magnitude) ||
          __builtin_add_overflow(magnitude, d, &magnitude)) {
        overflow = true;
      }
    }
  };
  if (v == "0") {
    // zero
  } else if (v.rfind("0b", 0) == 0) {
    accumulate(std::string_view(v).substr(2), 2);
  } else if (v.rfind("0x", 0) == 0) {
    accumulate(std::string_view(v).substr(2), 16);
  } else if (v[0] == '0') {
    accumulate(std::string_view(v).substr(1), 8);
  } else if (v.find(':') != std::string::npos) {
    // Sexagesimal: 1:30 is 90.
    for (const auto& part : util::split(v, ':')) {
      uint64_t digit = 0;
      std::from_chars(part.data(), part.data() + part.size(), digit);
      approx = approx * 60 + static_cast<double>(digit);
      if (__builtin_mul_overflow(magnitude, 60u, &magnitude) ||
          __builtin_add_overflow(magnitude, digit, &magnitude)) {
        overflow = true;
      }
    }
  } else {
    accumulate(v, 10);
  }
  if (!overflow) {
    if (!negative) {
      if (magnitude <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return static_cast<int64_t>(magnitude);
      }
      return magnitude;
    }
    if (magnitude <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1) {
      return static_cast<int64_t>(0 - magnitude);
    }
  }
  return negative ? -approx : approx;
}

// PyYAML's construct_yaml_float.
Value construct_float(std::string_view text) {
  std::string v = util::to_lower(without_underscores(text));
  double sign = 1;
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) {
    if (v[0] == '-') sign = -1;
    v.erase(0, 1);
  }
  if (v == ".inf") return sign * std::numeric_limits<double>::infinity();
  if (v == ".nan") return std::numeric_limits<double>::quiet_NaN();
  double result = 0;
  if (v.find(':') != std::string::npos) {
    auto parts = util::split(v, ':');
    for (size_t i = 0; i < parts.size(); ++i) {
      double digit = 0;
      std::from_chars(parts[i].data(), parts[i].data() + parts[i].size(), digit);
      result = result * 60 + digit;
    }
  } else {
    std::from_chars(v.data(), v.data() + v.size(), result);
  }
  return sign * result;
}

Value resolve_plain(const std::string& s) {
  if (s.empty()) return nullptr;
  if (is_one_of(s, {"~", "null", "Null", "NULL"})) return nullptr;
  if (is_one_of(s, {"yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False",
                    "FALSE", "on", "On", "ON", "off", "Off", "OFF"})) {
    char c = s[0];
    return c == 'y' || c == 'Y' || c == 't' || c == 'T' || s == "on" || s == "On" || s == "ON";
  }
  char c = s[0];
  bool numeric_start = (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
  if (numeric_start && is_yaml_float(s)) return construct_float(s);
  if (numeric_start && is_yaml_int(s)) return construct_int(s);
  return s;
}

constexpr std::string_view k_core_tag = "tag:yaml.org,2002:";

}  // namespace

Value resolve_scalar(const YAML::Node& node) {
  if (node.IsNull() || !node.IsDefined()) return nullptr;
  const std::string& tag = node.Tag();
  const std::string& s = node.Scalar();
  if (tag == "?") return resolve_plain(s);
  if (tag.rfind(k_core_tag, 0) == 0) {
    std::string_view type = std::string_view(tag).substr(k_core_tag.size());
    Value v = resolve_plain(s);
    if ((type == "int" && v.is_number_integer()) || (type == "float" && v.is_number()) ||
        (type == "bool" && v.is_boolean()) || (type == "null" && v.is_null())) {
      return type == "float" ? Value(v.get<double>()) : v;
    }
  }
  return s;  // quoted, block, !!str and unknown tags
}

namespace {

// Merge keys follow aliases too: `a: &x {<<: *x}` merges itself forever.
// Merges of merges multiply like aliases: bound the entries one top-level
// mapping may collect.
constexpr int k_max_merge_depth = 64;
constexpr size_t k_max_merged_entries = 2000;  // per top-level mapping; real projects merge dozens
thread_local int t_merge_depth = 0;
thread_local size_t t_merged_entries = 0;

void count_merged(const YAML::Node& at, size_t n) {
  t_merged_entries += n;
  if (t_merged_entries > k_max_merged_entries) {
    const YAML::Mark m = at.Mark();
    throw UsageError(fmt::format("line {}, column {}: YAML merge keys (<<) expand to more than {} "
                                 "entries (merges of merges?)",
                                 m.line + 1, m.column + 1, k_max_merged_entries),
                     "write the values out instead of nesting merges");
  }
}

struct MergeLevel {
  explicit MergeLevel(const YAML::Node& at) {
    if (t_merge_depth == 0) t_merged_entries = 0;
    if (++t_merge_depth > k_max_merge_depth) {
      --t_merge_depth;
      const YAML::Mark m = at.Mark();
      throw UsageError(fmt::format("line {}, column {}: YAML merge keys (<<) nested more than {} "
                                   "levels deep (a mapping merged into itself?)",
                                   m.line + 1, m.column + 1, k_max_merge_depth),
                       "write the values out instead of nesting merges");
    }
  }
  ~MergeLevel() { --t_merge_depth; }
  MergeLevel(const MergeLevel&) = delete;
  MergeLevel& operator=(const MergeLevel&) = delete;
};

}  // namespace

std::vector<std::pair<YAML::Node, YAML::Node>> map_entries(const YAML::Node& map,
                                                           const DuplicateHandler& on_duplicate) {
  // PyYAML's flatten_mapping: merged mappings come first (for a list of them,
  // the first listed wins), then the mapping's own entries; later entries
  // overwrite earlier ones but keep the first one's position.
  std::vector<std::pair<YAML::Node, YAML::Node>> flat;
  std::vector<std::pair<YAML::Node, YAML::Node>> own;
  for (const auto& entry : map) {
    // Copies: the iterator's pair is a temporary proxy.
    YAML::Node key = entry.first;
    YAML::Node value = entry.second;
    if (key.IsScalar() && key.Tag() == "?" && key.Scalar() == "<<" &&
        (value.IsMap() || value.IsSequence())) {
      std::vector<YAML::Node> sources;
      if (value.IsMap()) {
        sources.push_back(value);
      } else {
        for (const auto& sub : value) {
          if (sub.IsMap()) sources.insert(sources.begin(), sub);
        }
      }
      MergeLevel level(value);
      for (const auto& source : sources) {
        auto sub_entries = map_entries(source);
        count_merged(value, sub_entries.size());
        flat.insert(flat.end(), sub_entries.begin(), sub_entries.end());
      }
      continue;
    }
    own.emplace_back(key, value);
  }
  size_t merged = flat.size();
  flat.insert(flat.end(), own.begin(), own.end());

  std::vector<std::pair<YAML::Node, YAML::Node>> result;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < flat.size(); ++i) {
    std::string name =
        flat[i].first.IsScalar() ? flat[i].first.Scalar() : YAML::Dump(flat[i].first);
    auto [pos, inserted] = index.emplace(name, result.size());
    if (inserted) {
      result.push_back(flat[i]);
      continue;
    }
    // A duplicate written in this mapping itself (not one coming from a merge).
    if (i >= merged && pos->second < result.size() && on_duplicate) {
      bool earlier_own = false;
      for (size_t j = merged; j < i; ++j) {
        if (flat[j].first.IsScalar() && flat[j].first.Scalar() == name) earlier_own = true;
      }
      if (earlier_own) on_duplicate(flat[i].first, name);
    }
    result[pos->second].second = flat[i].second;
  }
  return result;
}

namespace {

// Aliases make a YAML graph, not a tree: an anchor used inside itself is a
// cycle, and aliases of aliases multiply ("billion laughs"). A Value is a
// tree, so the conversion is bounded in depth and in size.
constexpr int k_max_yaml_depth = 512;
constexpr size_t k_max_yaml_values = 50000;

struct Converter {
  size_t values = 0;

  Value convert(const YAML::Node& node, int depth) {
    if (depth > k_max_yaml_depth || ++values > k_max_yaml_values) {
      const YAML::Mark m = node.Mark();
      throw UsageError(
          fmt::format("line {}, column {}: YAML {} (a recursive alias, or aliases of aliases?)",
                      m.line + 1, m.column + 1,
                      depth > k_max_yaml_depth
                          ? fmt::format("nested more than {} levels deep", k_max_yaml_depth)
                          : fmt::format("expands to more than {} values", k_max_yaml_values)),
          "write the values out instead of nesting aliases");
    }
    switch (node.Type()) {
      case YAML::NodeType::Map: {
        Value obj = Value::object();
        for (const auto& [key, value] : map_entries(node)) {
          std::string name = key.IsScalar() ? key.Scalar() : YAML::Dump(key);
          obj[name] = convert(value, depth + 1);
        }
        return obj;
      }
      case YAML::NodeType::Sequence: {
        Value arr = Value::array();
        for (const auto& item : node) arr.push_back(convert(item, depth + 1));
        return arr;
      }
      default:
        return node_to_value(node);
    }
  }
};

}  // namespace

Value node_to_value(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
    case YAML::NodeType::Sequence:
      return Converter().convert(node, 0);
    case YAML::NodeType::Scalar:
      return resolve_scalar(node);
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return nullptr;
}

std::string python_str(const Value& v) {
  if (v.is_null()) return "None";
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return v.dump();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
    // fmt's shortest form is Python's repr but for the ".0" of integral values.
    std::string s = fmt::format("{}", d);
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
  }
  return v.dump();
}

bool python_truthy(const Value& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) return v.get<int64_t>() != 0 || v.is_number_unsigned();
  if (v.is_number_float()) return v.get<double>() != 0.0;
  if (v.is_string()) return !v.get_ref<const std::string&>().empty();
  return !v.empty();
}

std::string type_name(const Value& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number_integer()) return "an integer";
  if (v.is_number_float()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "a list";
  return "a mapping";
}

std::pair<int, int> line_column(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {0, 0};
  return {mark.line + 1, mark.column + 1};
}

}  // namespace handoff::project::detail
