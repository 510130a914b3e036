#pragma once
// Python semantics of template values, as Jinja2 gets them from Python:
// str()/repr(), truthiness, ==, ordering, `in`, arithmetic and json.dumps.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "template/ast.h"
#include "template/value.h"

namespace handoff::tmpl {

/// What Python raises as TypeError/ValueError; the renderer adds the place.
class OpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Python's repr(): like to_python_str, but strings are quoted.
std::string python_repr(const Value& v);
/// Python's repr() of a float: shortest round-trip digits, "1.0", "1e+20".
std::string float_repr(double d);
/// The Python type name of the value: 'int', 'float', 'str', 'list', 'dict', …
std::string python_type(const Value& v);
/// Jinja's tojson: json.dumps(sort_keys=True) with <, >, & and ' escaped.
/// indent < 0 means compact.
std::string to_json(const Value& v, int indent);

/// Decode one UTF-8 code point at s[i] and advance i; an invalid byte decodes
/// as itself, so odd input never stops a render.
uint32_t decode_utf8(std::string_view s, size_t& i);
/// Number of code points, as Python's len() of the str.
size_t utf8_length(std::string_view s);

bool truthy(const Value& v);
bool python_eq(const Value& a, const Value& b);
/// a <op> b for lt, gt, le, ge; throws OpError for types Python cannot order.
bool python_order(Op op, const Value& a, const Value& b);
/// `item in container`; throws OpError when container cannot hold items.
bool python_contains(const Value& container, const Value& item);
/// a <op> b for add, sub, mul, div, floordiv, mod, pow.
Value python_arith(Op op, const Value& a, const Value& b);
/// -v (minus) or +v.
Value python_negate(const Value& v, bool minus);

}  // namespace handoff::tmpl
