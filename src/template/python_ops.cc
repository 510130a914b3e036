// Truthiness, comparison and arithmetic with Python's rules: bool counts as
// int, int and float mix, // and % floor, and mismatched types raise the
// TypeError text Python would print.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "template/python.h"

namespace handoff::tmpl {
namespace {

struct Num {
  bool is_int = true;
  int64_t i = 0;
  double d = 0;
};

bool is_num(const Value& v) { return v.is_number() || v.is_boolean(); }

Num to_num(const Value& v) {
  if (v.is_boolean()) return Num{true, v.get<bool>() ? 1 : 0, 0};
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    return Num{false, 0, static_cast<double>(v.get<uint64_t>())};
  }
  if (v.is_number_integer()) return Num{true, v.get<int64_t>(), 0};
  return Num{false, 0, v.get<double>()};
}

double as_double(const Num& n) { return n.is_int ? static_cast<double>(n.i) : n.d; }

const char* op_symbol(Op op) {
  switch (op) {
    case Op::lt:
      return "<";
    case Op::gt:
      return ">";
    case Op::le:
      return "<=";
    case Op::ge:
      return ">=";
    case Op::add:
      return "+";
    case Op::sub:
      return "-";
    case Op::mul:
      return "*";
    case Op::div:
      return "/";
    case Op::floordiv:
      return "//";
    case Op::mod:
      return "%";
    case Op::pow:
      return "**";
    default:
      return "?";
  }
}

template <typename T>
bool ordered(Op op, const T& a, const T& b) {
  switch (op) {
    case Op::lt:
      return a < b;
    case Op::gt:
      return b < a;
    case Op::le:
      return !(b < a);
    default:
      return !(a < b);
  }
}

OpError unsupported(Op op, const Value& a, const Value& b) {
  return OpError(std::string("unsupported operand type(s) for ") + op_symbol(op) + ": '" + python_type(a) +
                 "' and '" + python_type(b) + "'");
}

Value repeat(const Value& seq, int64_t n) {
  Value out = seq.is_string() ? Value("") : Value::array();
  for (int64_t k = 0; k < n; ++k) {
    if (seq.is_string()) {
      out.get_ref<std::string&>() += seq.get_ref<const std::string&>();
    } else {
      for (const Value& item : seq) out.push_back(item);
    }
  }
  return out;
}

// Integer arithmetic; falls back to float where Python would grow a bigint.
Value int_arith(Op op, int64_t a, int64_t b) {
  int64_t r = 0;
  switch (op) {
    case Op::add:
      if (!__builtin_add_overflow(a, b, &r)) return r;
      return static_cast<double>(a) + static_cast<double>(b);
    case Op::sub:
      if (!__builtin_sub_overflow(a, b, &r)) return r;
      return static_cast<double>(a) - static_cast<double>(b);
    case Op::mul:
      if (!__builtin_mul_overflow(a, b, &r)) return r;
      return static_cast<double>(a) * static_cast<double>(b);
    case Op::floordiv:
    case Op::mod: {
      if (b == 0) throw OpError("integer division or modulo by zero");
      if (a == INT64_MIN && b == -1) return op == Op::mod ? Value(0) : Value(-static_cast<double>(a));
      int64_t q = a / b;
      int64_t m = a % b;
      if (m != 0 && ((m < 0) != (b < 0))) {
        --q;
        m += b;
      }
      return op == Op::mod ? m : q;
    }
    default: {  // pow
      if (b < 0) return std::pow(static_cast<double>(a), static_cast<double>(b));
      int64_t acc = 1;
      for (int64_t k = 0; k < b; ++k) {
        if (__builtin_mul_overflow(acc, a, &acc)) {
          return std::pow(static_cast<double>(a), static_cast<double>(b));
        }
        if (acc == 0 || acc == 1) break;
      }
      return acc;
    }
  }
}

}  // namespace

bool truthy(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      return false;
    case Value::value_t::boolean:
      return v.get<bool>();
    case Value::value_t::number_integer:
      return v.get<int64_t>() != 0;
    case Value::value_t::number_unsigned:
      return v.get<uint64_t>() != 0;
    case Value::value_t::number_float:
      return v.get<double>() != 0.0;
    case Value::value_t::string:
      return !v.get_ref<const std::string&>().empty();
    case Value::value_t::array:
    case Value::value_t::object:
      return !v.empty();
    default:
      return false;
  }
}

bool python_eq(const Value& a, const Value& b) {
  if (is_num(a) && is_num(b)) {
    Num x = to_num(a);
    Num y = to_num(b);
    return x.is_int && y.is_int ? x.i == y.i : as_double(x) == as_double(y);
  }
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!python_eq(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !python_eq(it.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

bool python_order(Op op, const Value& a, const Value& b) {
  if (is_num(a) && is_num(b)) {
    Num x = to_num(a);
    Num y = to_num(b);
    return x.is_int && y.is_int ? ordered(op, x.i, y.i) : ordered(op, as_double(x), as_double(y));
  }
  if (a.is_string() && b.is_string()) {
    return ordered(op, a.get_ref<const std::string&>(), b.get_ref<const std::string&>());
  }
  if (a.is_array() && b.is_array()) {
    // Python compares lists at their first differing item, else by length.
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
      if (!python_eq(a[i], b[i])) return python_order(op, a[i], b[i]);
    }
    return ordered(op, a.size(), b.size());
  }
  throw OpError(std::string("'") + op_symbol(op) + "' not supported between instances of '" + python_type(a) +
                "' and '" + python_type(b) + "'");
}

bool python_contains(const Value& container, const Value& item) {
  if (container.is_string()) {
    if (!item.is_string()) {
      throw OpError("'in <string>' requires string as left operand, not " + python_type(item));
    }
    return container.get_ref<const std::string&>().find(item.get_ref<const std::string&>()) !=
           std::string::npos;
  }
  if (container.is_array()) {
    for (const Value& v : container) {
      if (python_eq(v, item)) return true;
    }
    return false;
  }
  if (container.is_object()) {
    return item.is_string() && container.contains(item.get_ref<const std::string&>());
  }
  throw OpError("argument of type '" + python_type(container) + "' is not iterable");
}

Value python_arith(Op op, const Value& a, const Value& b) {
  if (is_num(a) && is_num(b)) {
    Num x = to_num(a);
    Num y = to_num(b);
    if (op == Op::div) {
      if (as_double(y) == 0.0) throw OpError("division by zero");
      return as_double(x) / as_double(y);
    }
    if (x.is_int && y.is_int) return int_arith(op, x.i, y.i);
    double p = as_double(x);
    double q = as_double(y);
    switch (op) {
      case Op::add:
        return p + q;
      case Op::sub:
        return p - q;
      case Op::mul:
        return p * q;
      case Op::pow:
        return std::pow(p, q);
      default: {  // floordiv, mod
        if (q == 0.0) throw OpError("float modulo or floor division by zero");
        // CPython's float_divmod, so 7.5 // -2 and -7.5 % 2 agree with Python.
        double m = std::fmod(p, q);
        double div = (p - m) / q;
        if (m != 0.0) {
          if ((q < 0) != (m < 0)) {
            m += q;
            div -= 1.0;
          }
        } else {
          m = std::copysign(0.0, q);
        }
        if (op == Op::mod) return m;
        if (div == 0.0) return std::copysign(0.0, p / q);
        double floored = std::floor(div);
        return div - floored > 0.5 ? floored + 1.0 : floored;
      }
    }
  }
  bool same_seq = (a.is_string() && b.is_string()) || (a.is_array() && b.is_array());
  if (op == Op::add && same_seq) {
    Value out = a;
    if (a.is_string()) {
      out.get_ref<std::string&>() += b.get_ref<const std::string&>();
    } else {
      for (const Value& v : b) out.push_back(v);
    }
    return out;
  }
  if (op == Op::mul && (a.is_string() || a.is_array()) && (b.is_number_integer() || b.is_boolean())) {
    return repeat(a, to_num(b).i);
  }
  if (op == Op::mul && (b.is_string() || b.is_array()) && (a.is_number_integer() || a.is_boolean())) {
    return repeat(b, to_num(a).i);
  }
  throw unsupported(op, a, b);
}

Value python_negate(const Value& v, bool minus) {
  if (!is_num(v)) {
    throw OpError(std::string("bad operand type for unary ") + (minus ? "-" : "+") + ": '" + python_type(v) +
                  "'");
  }
  Num n = to_num(v);
  if (!minus) return n.is_int ? Value(n.i) : Value(n.d);
  if (n.is_int) return n.i == INT64_MIN ? Value(-static_cast<double>(n.i)) : Value(-n.i);
  return -n.d;
}

}  // namespace handoff::tmpl
