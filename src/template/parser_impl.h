#pragma once
// Private to parser.cc (statements) and parse_expr.cc (expressions).
#include <algorithm>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "template/ast.h"
#include "template/lexer.h"

namespace handoff::tmpl::detail {

inline constexpr std::string_view k_syntax_hint =
    "templates use Jinja2 syntax; to output literal braces, wrap them in {% raw %}...{% endraw %}";

/// "did you mean 'x'?" when word is close to one of known, else the list.
std::string spell_hint(const std::string& word, const std::vector<std::string>& known, std::string_view kind);

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::string& source) : toks_(std::move(tokens)), source_(source) {}
  std::unique_ptr<Node> run();

 private:
  // The open block a body belongs to, for "expected 'endif'" messages.
  struct Open {
    std::string_view tag;     ///< "if", "for"
    std::string_view closer;  ///< "endif", "endfor"
    Pos pos;
  };

  const Token& cur() const { return toks_[i_]; }
  const Token& peek() const { return toks_[std::min(i_ + 1, toks_.size() - 1)]; }
  /// Consume the current token (eof stays current).
  Token next() { return i_ + 1 < toks_.size() ? toks_[i_++] : toks_[i_]; }
  bool is_name(std::string_view n) const { return cur().kind == Tok::name && cur().text == n; }
  bool is_op(std::string_view o) const { return cur().kind == Tok::op && cur().text == o; }

  [[noreturn]] void fail(const Token& t, const std::string& what,
                         std::string hint = std::string(k_syntax_hint)) const {
    fail_at(source_, t.pos, what, std::move(hint));
  }
  void expect_op(std::string_view o);
  void expect_block_end();
  std::string expect_name(std::string_view what);

  // Statements (parser.cc).
  NodeList parse_body(const Open* open, std::initializer_list<std::string_view> end_tags,
                      std::string* ended_by = nullptr);
  std::string open_hint(const Open& open) const;
  std::unique_ptr<Node> parse_statement(Pos pos, const Open* open);
  std::unique_ptr<Node> parse_if(Pos pos);
  std::unique_ptr<Node> parse_for(Pos pos);
  std::unique_ptr<Node> parse_set(Pos pos);

  // Expressions, lowest precedence first (parse_expr.cc).
  std::unique_ptr<Expr> parse_expression();
  std::unique_ptr<Expr> parse_or();
  std::unique_ptr<Expr> parse_and();
  std::unique_ptr<Expr> parse_not();
  std::unique_ptr<Expr> parse_compare();
  std::unique_ptr<Expr> parse_level(int level);
  std::unique_ptr<Expr> parse_unary(bool with_filter);
  std::unique_ptr<Expr> parse_primary();
  std::unique_ptr<Expr> parse_postfix(std::unique_ptr<Expr> e);
  std::unique_ptr<Expr> parse_call(std::unique_ptr<Expr> callee);
  std::unique_ptr<Expr> parse_filters(std::unique_ptr<Expr> e);
  void parse_filter_args(Expr& e);

  /// How deep the tree under construction may get: nesting (parentheses,
  /// unary operators, blocks) plus chains (a + b + c, x|f|g, a.b.c), each of
  /// which is one more level for the recursive renderer and destructors. A
  /// bound keeps a hostile or generated template from overflowing the stack.
  static constexpr int k_max_depth = 256;
  /// One more level while alive; more() adds one per link of a chain.
  class Deeper {
   public:
    /// enter: one level now (nesting); false for a chain, which adds per link.
    explicit Deeper(Parser& p, bool enter = true) : p_(p) {
      if (enter) more();
    }
    ~Deeper() { p_.depth_ -= added_; }
    Deeper(const Deeper&) = delete;
    Deeper& operator=(const Deeper&) = delete;
    void more() {
      ++added_;
      if (++p_.depth_ > k_max_depth) {
        p_.fail(p_.cur(), "template nested too deeply (more than " + std::to_string(k_max_depth) +
                              " levels of blocks, parentheses, operators or filters)",
                "split the expression, or set intermediate results with {% set %}");
      }
    }

   private:
    Parser& p_;
    int added_ = 0;
  };

  std::vector<Token> toks_;
  size_t i_ = 0;
  const std::string& source_;
  int depth_ = 0;
};

}  // namespace handoff::tmpl::detail
