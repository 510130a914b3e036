// Rendering: a tree walk over the parsed template. Values are borrowed from
// the caller's variables by pointer wherever possible; only computed values
// (filter results, literals built at run time) are owned. `{% set %}` and
// loop variables live in small frames searched before the variables.
#include <fmt/format.h>

#include "template/lexer.h"
#include "template/parser.h"
#include "template/render_impl.h"
#include "util/error.h"

namespace handoff::tmpl {
namespace detail {

void Renderer::exec(const Node& n) {
  switch (n.kind) {
    case NodeKind::text:
      out_.text += n.text;
      return;
    case NodeKind::output: {
      Result r = eval(*n.expr);
      report(r);
      append(out_.text, r);
      return;
    }
    case NodeKind::if_:
      for (const Branch& b : n.branches) {
        if (!b.cond) {
          run(b.body);
          return;
        }
        Result c = eval(*b.cond);
        if (truthy_of(c)) {
          run(b.body);
          return;
        }
      }
      return;
    case NodeKind::for_:
      exec_for(n);
      return;
    case NodeKind::set: {
      Result r = eval(*n.expr);
      report(r);
      auto frame = bindings_.begin() + static_cast<std::ptrdiff_t>(frame_starts_.back());
      auto it =
          std::find_if(frame, bindings_.end(), [&](const Binding& b) { return b.name == n.targets[0]; });
      if (it == bindings_.end()) it = bindings_.insert(bindings_.end(), Binding{n.targets[0]});
      // Always a copy: a later set could overwrite what a borrow points at.
      it->ref = nullptr;
      it->owned = r.get();
      it->undefined = r.undefined;
      return;
    }
    case NodeKind::list:
      run(n.body);
      return;
  }
}

// Bind the loop variable(s) of n to item in the current (iteration) frame.
void Renderer::bind_item(const Node& n, const Value& item) {
  if (n.targets.size() == 1) {
    bindings_.push_back(Binding{n.targets[0], &item});
    return;
  }
  size_t want = n.targets.size();
  if (!item.is_array()) {
    fail_at(source_, n.pos, "cannot unpack non-iterable " + python_type(item) + " object");
  }
  if (item.size() != want) {
    fail_at(source_, n.pos,
            item.size() < want
                ? fmt::format("not enough values to unpack (expected {}, got {})", want, item.size())
                : fmt::format("too many values to unpack (expected {})", want));
  }
  for (size_t k = 0; k < want; ++k) bindings_.push_back(Binding{n.targets[k], &item[k]});
}

void Renderer::exec_for(const Node& n) {
  const Expr& iter_expr = *n.expr;
  Result iter = eval(iter_expr);
  report(iter);
  const Value& seq = iter.get();
  if (iter.undefined || (seq.is_array() && seq.empty()) || (seq.is_object() && seq.empty()) ||
      (seq.is_string() && seq.get_ref<const std::string&>().empty())) {
    run(n.else_body);
    return;
  }
  if (!seq.is_array() && !seq.is_object() && !seq.is_string()) {
    fail_at(source_, iter_expr.pos, "'" + python_type(seq) + "' object is not iterable");
  }
  // Mapping keys and string characters are made once up front; list items
  // are borrowed in place.
  std::vector<Value> made;
  if (seq.is_object()) {
    for (auto it = seq.begin(); it != seq.end(); ++it) made.emplace_back(it.key());
  } else if (seq.is_string()) {
    const std::string& s = seq.get_ref<const std::string&>();
    for (size_t i = 0; i < s.size();) {
      size_t start = i;
      decode_utf8(s, i);
      made.emplace_back(s.substr(start, i - start));
    }
  }
  size_t length = seq.is_array() ? seq.size() : made.size();
  for (size_t i = 0; i < length; ++i) {
    // A fresh frame per iteration: Jinja's `set` inside a loop body does not
    // survive into the next iteration or after the loop.
    frame_starts_.push_back(bindings_.size());
    bind_item(n, seq.is_array() ? seq[i] : made[i]);
    Binding loop{"loop"};
    loop.is_loop = true;
    loop.index = i;
    loop.length = length;
    bindings_.push_back(std::move(loop));
    run(n.body);
    bindings_.resize(frame_starts_.back());
    frame_starts_.pop_back();
  }
}

Result Renderer::lookup(const Expr& e) const {
  for (auto b = bindings_.rbegin(); b != bindings_.rend(); ++b) {
    if (b->name != e.name) continue;
    // Set from an undefined value: stays undefined, already reported.
    if (b->undefined) return Result::undef(e.name, e.pos, true);
    if (b->is_loop) {
      size_t i = b->index;
      size_t n = b->length;
      return Result::own(Value{{"index", i + 1},
                               {"index0", i},
                               {"revindex", n - i},
                               {"revindex0", n - i - 1},
                               {"first", i == 0},
                               {"last", i + 1 == n},
                               {"length", n}});
    }
    return Result::borrow(b->ref ? *b->ref : b->owned);
  }
  if (vars_.is_object()) {
    auto it = vars_.find(e.name);
    if (it != vars_.end()) return Result::borrow(*it);
  }
  return Result::undef(e.name, e.pos);
}

}  // namespace detail

void fail_at(const std::string& source, Pos pos, const std::string& what, std::string hint) {
  throw UsageError(fmt::format("{}:{}:{}: {}", source, pos.line, pos.column, what), std::move(hint));
}

Template Template::parse(std::string_view text, std::string source) {
  Template t;
  t.source_ = std::move(source);
  t.literal_ = text.find("{{") == std::string_view::npos && text.find("{%") == std::string_view::npos &&
               text.find("{#") == std::string_view::npos;
  t.root_ = parse_tokens(tokenize(normalize_newlines(text), t.source_), t.source_);
  return t;
}

RenderResult Template::render(const Value& vars, bool strict) const {
  RenderResult out;
  detail::Renderer(vars, strict, source_, out).run(root_->body);
  return out;
}

bool Template::is_literal() const { return literal_; }

RenderResult render(std::string_view text, const Value& vars, std::string source, bool strict) {
  return Template::parse(text, std::move(source)).render(vars, strict);
}

}  // namespace handoff::tmpl
