// The v0.1.x templating: Python's str.format(**params) over named fields.
// Supports {name}, {name[key]}, {name!s}/{name!r} and the {{ }} escapes;
// format specs and attribute access are rejected rather than half-done.
#include <fmt/format.h>

#include "template/python.h"
#include "template/template.h"
#include "util/error.h"

namespace handoff::tmpl {
namespace {

constexpr std::string_view k_format_hint = "write literal braces as {{ and }}";

[[noreturn]] void fail(std::string_view source, const std::string& what, std::string hint) {
  throw UsageError(fmt::format("{}: {}", source, what), std::move(hint));
}

// One replacement field's text (between the braces) to its string.
std::string field_value(std::string_view field, const Value& params, std::string_view source) {
  char conversion = 's';
  size_t bang = field.find('!');
  size_t colon = field.find(':');
  if (colon != std::string_view::npos && (bang == std::string_view::npos || colon < bang)) {
    fail(source, fmt::format("format spec in '{{{}}}' is not supported", field), std::string(k_format_hint));
  }
  if (bang != std::string_view::npos) {
    std::string_view conv = field.substr(bang + 1);
    if (conv != "s" && conv != "r") {
      fail(source, fmt::format("unknown conversion '!{}' in '{{{}}}'", conv, field), "use !s or !r");
    }
    conversion = conv[0];
    field = field.substr(0, bang);
  }
  size_t end = field.find_first_of(".[");
  std::string name(field.substr(0, end));
  if (name.empty()) {
    fail(source, fmt::format("positional field '{{{}}}' is not supported", field),
         "name the field, e.g. {name}; " + std::string(k_format_hint));
  }
  auto it = params.is_object() ? params.find(name) : params.end();
  if (it == params.end()) {
    fail(source, fmt::format("unknown field '{}'", name),
         fmt::format("pass it in the data (-d '{{\"{}\": ...}}'), or {}", name, k_format_hint));
  }
  const Value* v = &*it;
  std::string_view rest = end == std::string_view::npos ? std::string_view() : field.substr(end);
  while (!rest.empty()) {
    size_t close = rest.find(']');
    if (rest[0] != '[' || close == std::string_view::npos) {
      fail(source, fmt::format("unsupported field '{{{}}}'", field), std::string(k_format_hint));
    }
    std::string key(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    bool digits = !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
    if (v->is_array() && digits && std::stoull(key) < v->size()) {
      v = &(*v)[std::stoull(key)];
    } else if (v->is_object() && v->contains(key)) {
      v = &(*v)[key];
    } else {
      fail(source, fmt::format("unknown key '{}' in field '{{{}}}'", key, field), std::string(k_format_hint));
    }
  }
  return conversion == 'r' ? python_repr(*v) : to_python_str(*v);
}

}  // namespace

std::string render_format(std::string_view text, const Value& params, std::string_view source) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      fail(source, "single '}' encountered in format string", std::string(k_format_hint));
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    size_t close = text.find('}', i + 1);
    size_t nested = text.find('{', i + 1);
    if (close == std::string_view::npos || (nested != std::string_view::npos && nested < close)) {
      fail(source, "single '{' encountered in format string", std::string(k_format_hint));
    }
    out += field_value(text.substr(i + 1, close - i - 1), params, source);
    i = close;
  }
  return out;
}

}  // namespace handoff::tmpl
