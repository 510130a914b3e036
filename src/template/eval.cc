// Expression evaluation. Undefined values follow Jinja's Undefined: they act
// as "" / empty / false where Jinja's do (and are reported), and raise where
// Jinja's raise (arithmetic, ordering, int, tojson). `a.b` on an undefined
// `a` stays undefined (Jinja raises), reporting the root name once.
#include <fmt/format.h>

#include "template/filters.h"
#include "template/render_impl.h"

namespace handoff::tmpl::detail {
namespace {

// How a use of a value is written, for undefined-variable reports: a.b, a[0].
std::string spelled(const Expr& e) {
  switch (e.kind) {
    case ExprKind::name:
      return e.name;
    case ExprKind::getattr:
      return spelled(*e.args[0]) + "." + e.name;
    case ExprKind::getitem:
      return spelled(*e.args[0]) + "[" +
             (e.args[1]->kind == ExprKind::literal ? python_repr(e.args[1]->value) : "...") + "]";
    default:
      return "(expression)";
  }
}

const Value k_empty_string = "";

}  // namespace

Result Renderer::eval(const Expr& e) {
  switch (e.kind) {
    case ExprKind::literal:
      return Result::borrow(e.value);
    case ExprKind::name:
      return lookup(e);
    case ExprKind::getattr: {
      Result base = eval(*e.args[0]);
      if (base.undefined) return base;
      const Value& v = base.get();
      if (v.is_object()) {
        auto it = v.find(e.name);
        if (it != v.end()) return child(base, *it);
      }
      return Result::undef(spelled(e), e.pos);
    }
    case ExprKind::getitem:
      return eval_getitem(e);
    case ExprKind::method: {
      Result base = eval(*e.args[0]);
      if (base.undefined) raise_undefined(base);
      const Value& v = base.get();
      if (!v.is_object()) {
        fail_at(source_, e.pos, "'" + python_type(v) + "' object has no attribute '" + e.name + "'");
      }
      Value out = Value::array();
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (e.name == "items") {
          out.push_back(Value::array({it.key(), it.value()}));
        } else {
          out.push_back(e.name == "keys" ? Value(it.key()) : it.value());
        }
      }
      return Result::own(std::move(out));
    }
    case ExprKind::range: {
      int64_t a[3] = {0, 0, 1};
      for (size_t k = 0; k < e.args.size(); ++k) {
        Result r = eval(*e.args[k]);
        if (r.undefined) raise_undefined(r);
        if (!r.get().is_number_integer()) {
          fail_at(source_, e.pos, "range() needs integers, not " + python_type(r.get()));
        }
        a[e.args.size() == 1 ? 1 : k] = r.get().get<int64_t>();
      }
      if (a[2] == 0) fail_at(source_, e.pos, "range() arg 3 must not be zero");
      Value out = Value::array();
      for (int64_t i = a[0]; a[2] > 0 ? i < a[1] : i > a[1]; i += a[2]) {
        if (out.size() >= 1000000) fail_at(source_, e.pos, "range() is too large");
        out.push_back(i);
      }
      return Result::own(std::move(out));
    }
    case ExprKind::filter:
      return eval_filter(e);
    case ExprKind::test: {
      Result r = eval(*e.args[0]);  // a test never reports: `x is defined`
      return Result::own(run_test(e, r) != e.negated);
    }
    case ExprKind::logic_not: {
      Result r = eval(*e.args[0]);
      return Result::own(!truthy_of(r));
    }
    case ExprKind::negate: {
      Result r = eval(*e.args[0]);
      if (r.undefined) raise_undefined(r);
      try {
        return Result::own(python_negate(r.get(), e.name == "-"));
      } catch (const OpError& err) {
        fail_at(source_, e.pos, err.what());
      }
    }
    case ExprKind::binary:
      return eval_binary(e);
    case ExprKind::compare: {
      Result left = eval(*e.args[0]);
      for (size_t k = 0; k < e.ops.size(); ++k) {
        Result right = eval(*e.args[k + 1]);
        try {
          if (!compare(e.ops[k], left, right)) return Result::own(false);
        } catch (const OpError& err) {
          fail_at(source_, e.args[k + 1]->pos, err.what());
        }
        left = std::move(right);
      }
      return Result::own(true);
    }
    case ExprKind::cond: {
      Result c = eval(*e.args[1]);
      if (truthy_of(c)) return eval(*e.args[0]);
      if (e.args[2]) return eval(*e.args[2]);
      return Result::undef("", e.pos, true);  // `x if c` without else: Jinja's silent undefined
    }
    case ExprKind::list: {
      Value out = Value::array();
      for (const auto& a : e.args) {
        Result r = eval(*a);
        report(r);
        out.push_back(r.undefined ? k_empty_string : r.get());
      }
      return Result::own(std::move(out));
    }
    case ExprKind::dict: {
      Value out = Value::object();
      for (size_t k = 0; k + 1 < e.args.size(); k += 2) {
        Result key = eval(*e.args[k]);
        Result val = eval(*e.args[k + 1]);
        report(key);
        report(val);
        if (!key.undefined && !key.get().is_string()) {
          fail_at(source_, e.args[k]->pos, "mapping keys must be strings, not " + python_type(key.get()));
        }
        out[key.undefined ? std::string() : key.get().get<std::string>()] =
            val.undefined ? k_empty_string : val.get();
      }
      return Result::own(std::move(out));
    }
  }
  return Result::own(nullptr);
}

Result Renderer::eval_getitem(const Expr& e) {
  Result base = eval(*e.args[0]);
  Result index = eval(*e.args[1]);
  if (base.undefined) return base;
  report(index);
  const Value& v = base.get();
  const Value& i = index.get();
  if (!index.undefined && v.is_object() && i.is_string()) {
    auto it = v.find(i.get_ref<const std::string&>());
    if (it != v.end()) return child(base, *it);
  } else if (!index.undefined && (v.is_array() || v.is_string()) &&
             (i.is_number_integer() || i.is_boolean())) {
    int64_t k = i.is_boolean() ? i.get<bool>() : i.get<int64_t>();
    if (v.is_array()) {
      int64_t n = static_cast<int64_t>(v.size());
      if (k < 0) k += n;  // Python's negative indexes
      if (k >= 0 && k < n) return child(base, v[static_cast<size_t>(k)]);
    } else {
      const std::string& s = v.get_ref<const std::string&>();
      int64_t n = static_cast<int64_t>(utf8_length(s));
      if (k < 0) k += n;
      size_t pos = 0;
      for (int64_t c = 0; k >= 0 && c < k && pos < s.size(); ++c) decode_utf8(s, pos);
      if (k >= 0 && k < n) {
        size_t start = pos;
        decode_utf8(s, pos);
        return Result::own(s.substr(start, pos - start));
      }
    }
  }
  return Result::undef(spelled(e), e.pos);
}

Result Renderer::eval_filter(const Expr& e) {
  const FilterDef& f = *e.filter;
  Result input = eval(*e.args[0]);
  std::vector<Result> args;
  args.reserve(e.args.size() - 1);
  std::vector<const Value*> ptrs;
  for (size_t k = 1; k < e.args.size(); ++k) {
    if (!e.args[k]) {
      ptrs.push_back(nullptr);
      continue;
    }
    args.push_back(eval(*e.args[k]));
    report(args.back());
    ptrs.push_back(args.back().undefined ? &k_empty_string : &args.back().get());
  }
  if (f.name == "default") {
    // An undefined input is the point of `default`: never reported.
    bool boolean = ptrs[1] && truthy(*ptrs[1]);
    if (input.undefined || (boolean && !truthy(input.get()))) {
      return ptrs[0] ? (args[0].ref ? Result::borrow(*ptrs[0]) : Result::own(*ptrs[0])) : Result::own("");
    }
    return input;
  }
  if (input.undefined) {
    if (f.needs_defined) raise_undefined(input);
    report(input);
  }
  try {
    return Result::own(f.apply(input.undefined ? nullptr : &input.get(), ptrs));
  } catch (const OpError& err) {
    fail_at(source_, e.pos, "filter '" + e.name + "': " + err.what());
  }
}

Result Renderer::eval_binary(const Expr& e) {
  Result left = eval(*e.args[0]);
  if (e.op == Op::and_ || e.op == Op::or_) {
    // Python returns the deciding operand itself, not a bool.
    bool t = truthy_of(left);
    if ((e.op == Op::and_) != t) return left;
    return eval(*e.args[1]);
  }
  Result right = eval(*e.args[1]);
  if (e.op == Op::concat) {
    report(left);
    report(right);
    std::string s;
    append(s, left);
    append(s, right);
    return Result::own(std::move(s));
  }
  if (left.undefined) raise_undefined(left);
  if (right.undefined) raise_undefined(right);
  try {
    return Result::own(python_arith(e.op, left.get(), right.get()));
  } catch (const OpError& err) {
    fail_at(source_, e.pos, err.what());
  }
}

bool Renderer::compare(Op op, Result& a, Result& b) {
  switch (op) {
    case Op::eq:
    case Op::ne: {
      report(a);
      report(b);
      // Jinja: an undefined equals only another undefined.
      bool eq = a.undefined || b.undefined ? a.undefined && b.undefined : python_eq(a.get(), b.get());
      return eq == (op == Op::eq);
    }
    case Op::in:
    case Op::not_in: {
      report(a);
      report(b);
      bool in = !a.undefined && !b.undefined && python_contains(b.get(), a.get());
      return in == (op == Op::in);
    }
    default:
      if (a.undefined) raise_undefined(a);
      if (b.undefined) raise_undefined(b);
      return python_order(op, a.get(), b.get());
  }
}

bool Renderer::run_test(const Expr& e, const Result& r) const {
  const std::string& t = e.name;
  if (t == "defined") return !r.undefined;
  if (t == "undefined") return r.undefined;
  // Jinja's Undefined has __iter__ and __len__, so it passes these two.
  if (r.undefined) return t == "iterable" || t == "sequence";
  const Value& v = r.get();
  if (t == "none") return v.is_null();
  if (t == "string") return v.is_string();
  if (t == "number") return v.is_number() || v.is_boolean();  // Python's bool is a Number
  if (t == "integer") return v.is_number_integer();
  if (t == "float") return v.is_number_float();
  if (t == "boolean") return v.is_boolean();
  if (t == "mapping") return v.is_object();
  if (t == "sequence" || t == "iterable") return v.is_string() || v.is_array() || v.is_object();
  if (t == "true") return v.is_boolean() && v.get<bool>();
  if (t == "false") return v.is_boolean() && !v.get<bool>();
  return false;
}

}  // namespace handoff::tmpl::detail
