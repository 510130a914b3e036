// Expression half of the parser: Jinja2's precedence climbing, postfix
// access, calls, filters and tests.
#include <charconv>
#include <optional>

#include "template/filters.h"
#include "template/parser_impl.h"

namespace handoff::tmpl::detail {
namespace {

const std::vector<std::string> k_tests = {"defined",  "undefined", "none",    "string",  "number",
                                          "integer",  "float",     "boolean", "mapping", "sequence",
                                          "iterable", "true",      "false"};

std::unique_ptr<Expr> make(ExprKind kind, Pos pos) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->pos = pos;
  return e;
}

std::unique_ptr<Expr> make(ExprKind kind, Pos pos, std::unique_ptr<Expr> a,
                           std::unique_ptr<Expr> b = nullptr) {
  auto e = make(kind, pos);
  e->args.push_back(std::move(a));
  if (b) e->args.push_back(std::move(b));
  return e;
}

std::unique_ptr<Expr> literal(Pos pos, Value v) {
  auto e = make(ExprKind::literal, pos);
  e->value = std::move(v);
  return e;
}

std::unique_ptr<Expr> binary(Op op, Pos pos, std::unique_ptr<Expr> a, std::unique_ptr<Expr> b) {
  auto e = make(ExprKind::binary, pos, std::move(a), std::move(b));
  e->op = op;
  return e;
}

}  // namespace

std::unique_ptr<Expr> Parser::parse_expression() {
  Deeper deeper(*this);
  std::unique_ptr<Expr> e = parse_or();
  while (is_name("if")) {
    deeper.more();
    Pos pos = next().pos;
    auto c = make(ExprKind::cond, pos, std::move(e), parse_or());
    if (is_name("else")) {
      next();
      c->args.push_back(parse_expression());
    } else {
      c->args.push_back(nullptr);
    }
    e = std::move(c);
  }
  return e;
}

std::unique_ptr<Expr> Parser::parse_or() {
  std::unique_ptr<Expr> e = parse_and();
  Deeper chain(*this, false);
  while (is_name("or")) {
    chain.more();
    Pos pos = next().pos;
    e = binary(Op::or_, pos, std::move(e), parse_and());
  }
  return e;
}

std::unique_ptr<Expr> Parser::parse_and() {
  std::unique_ptr<Expr> e = parse_not();
  Deeper chain(*this, false);
  while (is_name("and")) {
    chain.more();
    Pos pos = next().pos;
    e = binary(Op::and_, pos, std::move(e), parse_not());
  }
  return e;
}

std::unique_ptr<Expr> Parser::parse_not() {
  if (is_name("not")) {
    Deeper deeper(*this);
    Pos pos = next().pos;
    return make(ExprKind::logic_not, pos, parse_not());
  }
  return parse_compare();
}

std::unique_ptr<Expr> Parser::parse_compare() {
  std::unique_ptr<Expr> first = parse_level(0);
  std::unique_ptr<Expr> chain;
  static const std::pair<std::string_view, Op> k_ops[] = {{"==", Op::eq}, {"!=", Op::ne}, {"<", Op::lt},
                                                          {">", Op::gt},  {"<=", Op::le}, {">=", Op::ge}};
  while (true) {
    Pos pos = cur().pos;
    std::optional<Op> op;
    for (const auto& [text, o] : k_ops) {
      if (is_op(text)) op = o;
    }
    if (op) {
      next();
    } else if (is_name("in")) {
      next();
      op = Op::in;
    } else if (is_name("not") && peek().kind == Tok::name && peek().text == "in") {
      next();
      next();
      op = Op::not_in;
    } else {
      break;
    }
    if (!chain) chain = make(ExprKind::compare, pos, std::move(first));
    chain->ops.push_back(*op);
    chain->args.push_back(parse_level(0));
  }
  return chain ? std::move(chain) : std::move(first);
}

// Left-associative binary levels: + -, then ~, then * / // %, then **.
std::unique_ptr<Expr> Parser::parse_level(int level) {
  static const std::vector<std::pair<std::string_view, Op>> k_levels[] = {
      {{"+", Op::add}, {"-", Op::sub}},
      {{"~", Op::concat}},
      {{"*", Op::mul}, {"/", Op::div}, {"//", Op::floordiv}, {"%", Op::mod}},
      {{"**", Op::pow}},
  };
  auto operand = [&] { return level == 3 ? parse_unary(true) : parse_level(level + 1); };
  std::unique_ptr<Expr> e = operand();
  Deeper chain(*this, false);
  while (true) {
    std::optional<Op> op;
    for (const auto& [text, o] : k_levels[level]) {
      if (is_op(text)) op = o;
    }
    if (!op) return e;
    chain.more();
    Pos pos = next().pos;
    e = binary(*op, pos, std::move(e), operand());
  }
}

std::unique_ptr<Expr> Parser::parse_unary(bool with_filter) {
  std::unique_ptr<Expr> e;
  if (is_op("-") || is_op("+")) {
    Deeper deeper(*this);
    Token t = next();
    e = make(ExprKind::negate, t.pos, parse_unary(false));
    e->name = t.text;
  } else {
    e = parse_primary();
  }
  e = parse_postfix(std::move(e));
  return with_filter ? parse_filters(std::move(e)) : std::move(e);
}

std::unique_ptr<Expr> Parser::parse_primary() {
  const Token& t = cur();
  Pos pos = t.pos;
  switch (t.kind) {
    case Tok::name: {
      std::string name = next().text;
      if (name == "true" || name == "True") return literal(pos, true);
      if (name == "false" || name == "False") return literal(pos, false);
      if (name == "none" || name == "None") return literal(pos, nullptr);
      auto e = make(ExprKind::name, pos);
      e->name = std::move(name);
      return e;
    }
    case Tok::string: {
      std::string s = next().text;
      while (cur().kind == Tok::string) s += next().text;  // 'a' 'b' is 'ab', as in Python
      return literal(pos, std::move(s));
    }
    case Tok::integer: {
      int64_t v = 0;
      auto res = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
      if (res.ec != std::errc()) fail(t, "integer literal " + t.text + " is too large");
      next();
      return literal(pos, v);
    }
    case Tok::floating: {
      double v = 0;
      std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
      next();
      return literal(pos, v);
    }
    default:
      break;
  }
  if (is_op("(") || is_op("[")) {  // tuples render as lists
    bool paren = is_op("(");
    next();
    auto list = make(ExprKind::list, pos);
    bool tuple = !paren;
    while (!is_op(paren ? ")" : "]")) {
      list->args.push_back(parse_expression());
      if (!is_op(",")) break;
      next();
      tuple = true;
    }
    expect_op(paren ? ")" : "]");
    if (paren && !tuple && list->args.size() == 1) return std::move(list->args[0]);
    return list;
  }
  if (is_op("{")) {
    next();
    auto dict = make(ExprKind::dict, pos);
    while (!is_op("}")) {
      dict->args.push_back(parse_expression());
      expect_op(":");
      dict->args.push_back(parse_expression());
      if (!is_op(",")) break;
      next();
    }
    expect_op("}");
    return dict;
  }
  fail(t, "expected an expression, got " + describe(t));
}

std::unique_ptr<Expr> Parser::parse_postfix(std::unique_ptr<Expr> e) {
  Deeper chain(*this, false);
  while (true) {
    if (is_op(".") || is_op("[") || is_op("(")) chain.more();
    Pos pos = cur().pos;
    if (is_op(".")) {
      next();
      if (cur().kind == Tok::integer) {  // a.0 is a[0]
        e = make(ExprKind::getitem, pos, std::move(e), parse_primary());
      } else {
        auto g = make(ExprKind::getattr, pos, std::move(e));
        g->name = expect_name("an attribute name after '.'");
        e = std::move(g);
      }
    } else if (is_op("[")) {
      next();
      auto g = make(ExprKind::getitem, pos, std::move(e), parse_expression());
      if (is_op(":")) fail(cur(), "slices are not supported");
      expect_op("]");
      e = std::move(g);
    } else if (is_op("(")) {
      e = parse_call(std::move(e));
    } else {
      return e;
    }
  }
}

// Only the calls handoff templates need: range(...) and a mapping's
// .items(), .keys() and .values().
std::unique_ptr<Expr> Parser::parse_call(std::unique_ptr<Expr> callee) {
  const Token& paren = cur();
  bool method = callee->kind == ExprKind::getattr &&
                (callee->name == "items" || callee->name == "keys" || callee->name == "values");
  bool range = callee->kind == ExprKind::name && callee->name == "range";
  if (!method && !range) {
    fail(paren, "unsupported function call",
         "only range(...), .items(), .keys() and .values() can be called in templates");
  }
  next();
  std::vector<std::unique_ptr<Expr>> args;
  while (!is_op(")")) {
    args.push_back(parse_expression());
    if (!is_op(",")) break;
    next();
  }
  expect_op(")");
  if (method) {
    if (!args.empty()) fail(paren, "." + callee->name + "() takes no arguments");
    callee->kind = ExprKind::method;
    return callee;
  }
  if (args.empty() || args.size() > 3) fail(paren, "range() takes 1 to 3 arguments");
  auto e = make(ExprKind::range, callee->pos);
  e->args = std::move(args);
  return e;
}

std::unique_ptr<Expr> Parser::parse_filters(std::unique_ptr<Expr> e) {
  Deeper chain(*this, false);
  while (true) {
    if (is_op("|") || is_name("is")) chain.more();
    if (is_op("|")) {
      Pos pos = next().pos;
      const Token& name = cur();
      std::string n = expect_name("a filter name after '|'");
      const FilterDef* f = find_filter(n);
      if (!f) fail(name, "unknown filter '" + n + "'", spell_hint(n, filter_names(), "filters"));
      auto fe = make(ExprKind::filter, pos, std::move(e));
      fe->name = std::string(f->name);
      fe->filter = f;
      fe->args.resize(1 + f->params.size());
      if (is_op("(")) parse_filter_args(*fe);
      for (size_t k = 0; k < f->required; ++k) {
        if (!fe->args[1 + k])
          fail(name, "filter '" + n + "' needs the '" + std::string(f->params[k]) + "' argument");
      }
      e = std::move(fe);
    } else if (is_name("is")) {
      Pos pos = next().pos;
      auto te = make(ExprKind::test, pos, std::move(e));
      if (is_name("not")) {
        next();
        te->negated = true;
      }
      const Token& name = cur();
      te->name = expect_name("a test name after 'is'");
      if (std::find(k_tests.begin(), k_tests.end(), te->name) == k_tests.end()) {
        fail(name, "unknown test '" + te->name + "'", spell_hint(te->name, k_tests, "tests"));
      }
      e = std::move(te);
    } else {
      return e;
    }
  }
}

// (positional..., name=value...) mapped onto the filter's parameter slots.
void Parser::parse_filter_args(Expr& e) {
  const FilterDef& f = *e.filter;
  next();
  size_t positional = 0;
  while (!is_op(")")) {
    const Token& t = cur();
    size_t slot = positional;
    if (t.kind == Tok::name && peek().kind == Tok::op && peek().text == "=") {
      auto it = std::find(f.params.begin(), f.params.end(), t.text);
      if (it == f.params.end())
        fail(t, "filter '" + std::string(f.name) + "' has no argument '" + t.text + "'");
      slot = static_cast<size_t>(it - f.params.begin());
      next();
      next();
    } else {
      ++positional;
    }
    if (slot >= f.params.size()) {
      fail(t, "filter '" + std::string(f.name) + "' takes " +
                  (f.params.empty() ? std::string("no arguments")
                                    : "at most " + std::to_string(f.params.size()) + " argument" +
                                          (f.params.size() == 1 ? "" : "s")));
    }
    if (e.args[1 + slot])
      fail(t,
           "filter '" + std::string(f.name) + "' got argument '" + std::string(f.params[slot]) + "' twice");
    e.args[1 + slot] = parse_expression();
    if (!is_op(",")) break;
    next();
  }
  expect_op(")");
}

}  // namespace handoff::tmpl::detail
