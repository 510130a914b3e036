#pragma once
// Private to render.cc (statements) and eval.cc (expressions).
#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "template/ast.h"
#include "template/python.h"
#include "template/template.h"

namespace handoff::tmpl::detail {

// One evaluated expression: a borrowed value, an owned one, or undefined.
struct Result {
  const Value* ref = nullptr;  ///< borrowed; never points at `owned`
  Value owned;
  bool undefined = false;
  bool reported = false;  ///< undefined already listed (or not reportable)
  std::string name;       ///< undefined: the variable, as written
  Pos pos;                ///< undefined: where it was used

  const Value& get() const { return ref ? *ref : owned; }
  static Result borrow(const Value& v) {
    Result r;
    r.ref = &v;
    return r;
  }
  static Result own(Value v) {
    Result r;
    r.owned = std::move(v);
    return r;
  }
  static Result undef(std::string name, Pos pos, bool silent = false) {
    Result r;
    r.undefined = true;
    r.reported = silent;
    r.name = std::move(name);
    r.pos = pos;
    return r;
  }
};

// A `set` or loop variable. Borrowed bindings point into values that outlive
// the binding (the caller's variables, or the loop's iterable).
struct Binding {
  Binding() = default;
  explicit Binding(std::string_view n, const Value* r = nullptr) : name(n), ref(r) {}

  std::string_view name;
  const Value* ref = nullptr;
  Value owned;
  bool undefined = false;  ///< `set x = undefined_thing`
  bool is_loop = false;    ///< Jinja's `loop`, built only when a template reads it
  size_t index = 0;        ///< is_loop: 0-based iteration
  size_t length = 0;       ///< is_loop: number of iterations
};

class Renderer {
 public:
  Renderer(const Value& vars, bool strict, const std::string& source, RenderResult& out)
      : vars_(vars), strict_(strict), source_(source), out_(out) {}

  void run(const NodeList& nodes) {
    for (const auto& node : nodes) exec(*node);
  }

 private:
  void exec(const Node& n);
  void exec_for(const Node& n);
  void bind_item(const Node& n, const Value& item);
  Result eval(const Expr& e);
  Result eval_filter(const Expr& e);
  Result eval_getitem(const Expr& e);
  Result eval_binary(const Expr& e);
  bool compare(Op op, Result& a, Result& b);
  bool run_test(const Expr& e, const Result& r) const;
  Result lookup(const Expr& e) const;

  /// Child value of base: borrowed when base is, else a copy (base dies soon).
  static Result child(const Result& base, const Value& v) {
    return base.ref ? Result::borrow(v) : Result::own(v);
  }

  /// A use of an undefined value that renders or acts as empty.
  void report(Result& r) {
    if (!r.undefined || r.reported) return;
    r.reported = true;
    if (strict_) raise_undefined(r);
    out_.undefined.push_back(Undefined{r.name, r.pos.line, r.pos.column});
  }

  /// A use Jinja cannot make of an undefined value (arithmetic, ordering,
  /// int/tojson): an error even when not strict.
  [[noreturn]] void raise_undefined(const Result& r) const {
    bool plain = r.name.find_first_of(".[") == std::string::npos;
    fail_at(source_, r.pos, r.name.empty() ? "undefined value" : "undefined variable '" + r.name + "'",
            plain && !r.name.empty()
                ? "define it under vars:, in the secrets file, or pass -v " + r.name + "=VALUE"
                : "check the name and key, or give a fallback with '| default(...)'");
  }

  bool truthy_of(Result& r) {
    report(r);
    return !r.undefined && truthy(r.get());
  }

  /// Append str(value) to out, without copying strings.
  static void append(std::string& out, const Result& r) {
    if (r.undefined) return;
    const Value& v = r.get();
    if (v.is_string()) {
      out += v.get_ref<const std::string&>();
    } else {
      out += to_python_str(v);
    }
  }

  const Value& vars_;
  bool strict_;
  const std::string& source_;
  RenderResult& out_;
  // All frames' bindings, innermost last; frame_starts_ marks where each
  // loop iteration's frame begins. A deque, because push_back keeps earlier
  // bindings in place: borrowed pointers to them stay valid while a loop body
  // adds variables.
  std::deque<Binding> bindings_;
  std::vector<size_t> frame_starts_ = {0};
};

}  // namespace handoff::tmpl::detail
