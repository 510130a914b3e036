#pragma once
// The parsed template tree, shared by the parser and the renderer. Nodes are
// immutable after parsing, so one parsed Template can render concurrently.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "template/value.h"

namespace handoff::tmpl {

/// A 1-based place in the (newline-normalized) template text.
struct Pos {
  int line = 0;
  int column = 0;
};

enum class ExprKind {
  literal,    ///< value
  name,       ///< name
  getattr,    ///< args[0].name (a.b, also a.0)
  getitem,    ///< args[0][args[1]]
  method,     ///< args[0].name() for items/keys/values
  range,      ///< range(args...)
  filter,     ///< args[0] | name(args[1..]); a null arg was not given
  test,       ///< args[0] is [not] name
  logic_not,  ///< not args[0]
  negate,     ///< -args[0] (or +args[0] when name == "+")
  binary,     ///< args[0] op args[1]
  compare,    ///< chained: args[0] ops[0] args[1] ops[1] args[2] …
  cond,       ///< args[0] if args[1] else args[2] (args[2] may be null)
  list,       ///< [args...] and (args,...)
  dict,       ///< {args[0]: args[1], args[2]: args[3], ...}
};

enum class Op {
  and_,
  or_,
  eq,
  ne,
  lt,
  gt,
  le,
  ge,
  in,
  not_in,
  concat,
  add,
  sub,
  mul,
  div,
  floordiv,
  mod,
  pow,
};

struct FilterDef;

struct Expr {
  ExprKind kind = ExprKind::literal;
  Pos pos;
  Value value;                              ///< literal
  std::string name;                         ///< name, attribute, method, filter, test
  Op op = Op::eq;                           ///< binary
  std::vector<Op> ops;                      ///< compare
  bool negated = false;                     ///< test: `is not`
  const FilterDef* filter = nullptr;        ///< filter: resolved at parse time
  std::vector<std::unique_ptr<Expr>> args;  ///< operands; see ExprKind
};

enum class NodeKind { text, output, if_, for_, set, list };

struct Node;
using NodeList = std::vector<std::unique_ptr<Node>>;

struct Branch {
  std::unique_ptr<Expr> cond;  ///< null for the final else
  NodeList body;
};

struct Node {
  NodeKind kind = NodeKind::list;
  Pos pos;
  std::string text;                  ///< text
  std::unique_ptr<Expr> expr;        ///< output, set value, for iterable
  std::vector<std::string> targets;  ///< for loop variables, set name
  std::vector<Branch> branches;      ///< if/elif/else
  NodeList body;                     ///< for and list bodies
  NodeList else_body;                ///< for … else (empty iterable)
};

/// Throw the handoff::Error (exit 2) for a problem at pos in the template
/// named source: "<source>:<line>:<column>: <what>".
[[noreturn]] void fail_at(const std::string& source, Pos pos, const std::string& what, std::string hint = {});

}  // namespace handoff::tmpl
