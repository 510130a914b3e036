#pragma once
// JSON text exactly as Python's json.dumps(value) writes it with its defaults:
// ", " and ": " separators, keys in the value's order, every non-ASCII
// character as \uXXXX (UTF-16 surrogate pairs above U+FFFF), floats as
// Python's repr (1.0, 1e-05, 1e+16), NaN/Infinity spelled as Python does.
// The seed's compiled config is stored in SSM as this text, byte for byte.
#include <string>

#include "template/value.h"

namespace handoff::remote {

std::string python_json_dumps(const tmpl::Value& value);

/// Python's repr() of a float.
std::string python_float_repr(double d);

}  // namespace handoff::remote
