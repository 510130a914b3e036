// Jinja2 3.1's filters of the same names, reduced to the arguments handoff
// templates use. Values go through Python's str() first where Jinja's do.
#include "template/filters.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>

#include "template/python.h"

namespace handoff::tmpl {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
         (c >= '\x1c' && c <= '\x1f');
}

// Jinja's soft_str: str() of the value; an undefined value is "".
std::string str_of(const Value* v) { return v ? to_python_str(*v) : std::string(); }

std::vector<std::string> code_points(std::string_view s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    decode_utf8(s, i);
    out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

int64_t int_arg(const Value* v, int64_t fallback, std::string_view what) {
  if (!v) return fallback;
  if (v->is_number_integer() || v->is_boolean()) return v->is_boolean() ? v->get<bool>() : v->get<int64_t>();
  throw OpError(std::string(what) + " must be an integer, not " + python_type(*v));
}

// Python's int(s, base): whitespace, sign, optional 0x/0o/0b prefix matching
// base, digits with single '_' between them. Empty optional when invalid.
std::optional<int64_t> parse_int(std::string_view s, int base) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  bool neg = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    neg = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.size() > 2 && s[0] == '0') {
    char p = static_cast<char>(s[1] | 0x20);
    if ((p == 'x' && base == 16) || (p == 'o' && base == 8) || (p == 'b' && base == 2)) {
      s.remove_prefix(2);
      if (s.front() == '_') s.remove_prefix(1);
    }
  }
  if (s.empty() || s.front() == '_' || s.back() == '_') return std::nullopt;
  int64_t acc = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      if (s[i + 1] == '_') return std::nullopt;
      continue;
    }
    int d = (c >= '0' && c <= '9')                   ? c - '0'
            : (c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? (c | 0x20) - 'a' + 10
                                                     : 99;
    if (d >= base) return std::nullopt;
    if (__builtin_mul_overflow(acc, base, &acc) || __builtin_add_overflow(acc, d, &acc)) {
      throw OpError("integer value is too large");
    }
  }
  return neg ? -acc : acc;
}

// Python's float(s) for decimal literals (digits, '_', '.', exponent, inf, nan).
std::optional<double> parse_float(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  std::string clean;
  bool digit_before = false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool digit = s[i] >= '0' && s[i] <= '9';
    if (s[i] == '_') {
      if (!digit_before || i + 1 >= s.size() || !(s[i + 1] >= '0' && s[i + 1] <= '9')) return std::nullopt;
      continue;
    }
    if (!digit && std::string_view("+-.eEinfatyINFATY").find(s[i]) == std::string_view::npos)
      return std::nullopt;
    digit_before = digit;
    clean += s[i];
  }
  if (clean.empty() || clean.find("0x") != std::string::npos) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(clean.c_str(), &end);
  if (end != clean.c_str() + clean.size()) return std::nullopt;
  return d;
}

Value int_from_double(double d, int64_t fallback) {
  if (std::isnan(d)) return fallback;
  if (std::isinf(d)) throw OpError("cannot convert float infinity to integer");
  if (d >= 9.2233720368547758e18 || d < -9.2233720368547758e18) throw OpError("integer value is too large");
  return static_cast<int64_t>(d);
}

Value f_default(const Value* input, const std::vector<const Value*>& args) {
  // The renderer handles undefined input itself (that case is never reported).
  if (args[1] && truthy(*args[1]) && !truthy(*input)) return args[0] ? *args[0] : Value("");
  return *input;
}

Value f_upper(const Value* input, const std::vector<const Value*>&) {
  std::string s = str_of(input);
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

Value f_lower(const Value* input, const std::vector<const Value*>&) {
  std::string s = str_of(input);
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

Value f_trim(const Value* input, const std::vector<const Value*>& args) {
  std::string s = str_of(input);
  if (!args[0] || args[0]->is_null()) {
    size_t b = 0;
    size_t e = s.size();
    while (b < e && is_space(s[b])) ++b;
    while (e > b && is_space(s[e - 1])) --e;
    return s.substr(b, e - b);
  }
  std::vector<std::string> chars = code_points(str_of(args[0]));
  std::vector<std::string> cps = code_points(s);
  auto strip = [&](const std::string& cp) {
    return std::find(chars.begin(), chars.end(), cp) != chars.end();
  };
  size_t b = 0;
  size_t e = cps.size();
  while (b < e && strip(cps[b])) ++b;
  while (e > b && strip(cps[e - 1])) --e;
  std::string out;
  for (size_t i = b; i < e; ++i) out += cps[i];
  return out;
}

Value f_replace(const Value* input, const std::vector<const Value*>& args) {
  std::string s = str_of(input);
  std::string from = str_of(args[0]);
  std::string to = str_of(args[1]);
  int64_t count = args[2] && !args[2]->is_null() ? int_arg(args[2], -1, "count") : -1;
  std::string out;
  if (from.empty()) {  // Python inserts `to` around every character
    std::vector<std::string> cps = code_points(s);
    for (size_t i = 0; i <= cps.size(); ++i) {
      if (count < 0 || static_cast<int64_t>(i) < count) out += to;
      if (i < cps.size()) out += cps[i];
    }
    return out;
  }
  size_t pos = 0;
  for (int64_t n = 0; count < 0 || n < count; ++n) {
    size_t hit = s.find(from, pos);
    if (hit == std::string::npos) break;
    out.append(s, pos, hit - pos);
    out += to;
    pos = hit + from.size();
  }
  out.append(s, pos, std::string::npos);
  return out;
}

Value f_tojson(const Value* input, const std::vector<const Value*>& args) {
  int64_t indent = args[0] && !args[0]->is_null() ? int_arg(args[0], -1, "indent") : -1;
  return to_json(*input, static_cast<int>(std::max<int64_t>(std::min<int64_t>(indent, 1000), -1)));
}

Value f_join(const Value* input, const std::vector<const Value*>& args) {
  if (args[1]) throw OpError("the 'attribute' argument is not supported");
  std::string sep = args[0] ? str_of(args[0]) : std::string();
  std::string out;
  if (!input) return out;
  if (input->is_string()) {
    std::vector<std::string> cps = code_points(input->get_ref<const std::string&>());
    for (size_t i = 0; i < cps.size(); ++i) out += (i ? sep : std::string()) + cps[i];
  } else if (input->is_array()) {
    for (size_t i = 0; i < input->size(); ++i) out += (i ? sep : std::string()) + to_python_str((*input)[i]);
  } else if (input->is_object()) {
    for (auto it = input->begin(); it != input->end(); ++it)
      out += (it != input->begin() ? sep : std::string()) + it.key();
  } else {
    throw OpError("'" + python_type(*input) + "' object is not iterable");
  }
  return out;
}

Value f_int(const Value* input, const std::vector<const Value*>& args) {
  int64_t fallback = int_arg(args[0], 0, "default");
  int64_t base = int_arg(args[1], 10, "base");
  if (base < 2 || base > 36) throw OpError("int() base must be >= 2 and <= 36");
  const Value& v = *input;
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  if (v.is_number_integer()) return v;
  if (v.is_number_float()) return int_from_double(v.get<double>(), fallback);
  if (!v.is_string()) return fallback;
  // Jinja: int(s, base), then int(float(s)), then the default.
  if (auto i = parse_int(v.get_ref<const std::string&>(), static_cast<int>(base))) return *i;
  if (auto d = parse_float(v.get_ref<const std::string&>())) return int_from_double(*d, fallback);
  return fallback;
}

Value f_length(const Value* input, const std::vector<const Value*>&) {
  if (!input) return 0;
  if (input->is_string()) return utf8_length(input->get_ref<const std::string&>());
  if (input->is_array() || input->is_object()) return input->size();
  throw OpError("object of type '" + python_type(*input) + "' has no len()");
}

const std::vector<FilterDef>& table() {
  static const std::vector<FilterDef> k_filters = {
      {"default", {"default_value", "boolean"}, 0, false, f_default},
      {"upper", {}, 0, false, f_upper},
      {"lower", {}, 0, false, f_lower},
      {"replace", {"old", "new", "count"}, 2, false, f_replace},
      {"trim", {"chars"}, 0, false, f_trim},
      {"tojson", {"indent"}, 0, true, f_tojson},
      {"join", {"d", "attribute"}, 0, false, f_join},
      {"int", {"default", "base"}, 0, true, f_int},
      {"length", {}, 0, false, f_length},
  };
  return k_filters;
}

}  // namespace

const FilterDef* find_filter(std::string_view name) {
  if (name == "d") name = "default";  // Jinja's alias
  if (name == "count") name = "length";
  for (const FilterDef& f : table()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::vector<std::string> filter_names() {
  std::vector<std::string> out;
  for (const FilterDef& f : table()) out.emplace_back(f.name);
  return out;
}

}  // namespace handoff::tmpl
