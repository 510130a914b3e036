#include "template/parser.h"

#include "template/parser_impl.h"
#include "util/edit_distance.h"

namespace handoff::tmpl {
namespace detail {
namespace {

const std::vector<std::string> k_tags = {"if",     "elif", "else", "endif", "for",
                                         "endfor", "set",  "raw",  "endraw"};

}  // namespace

std::string spell_hint(const std::string& word, const std::vector<std::string>& known,
                       std::string_view kind) {
  std::string guess = util::spellcheck(word, known);
  if (!guess.empty()) return "did you mean '" + guess + "'?";
  std::string all;
  for (const std::string& k : known) all += (all.empty() ? "" : ", ") + k;
  return "known " + std::string(kind) + ": " + all;
}

std::unique_ptr<Node> Parser::run() {
  auto root = std::make_unique<Node>();
  root->kind = NodeKind::list;
  root->body = parse_body(nullptr, {});
  return root;
}

void Parser::expect_op(std::string_view o) {
  if (!is_op(o)) fail(cur(), "expected '" + std::string(o) + "', got " + describe(cur()));
  next();
}
void Parser::expect_block_end() {
  if (cur().kind != Tok::block_end) fail(cur(), "expected end of statement block, got " + describe(cur()));
  next();
}
std::string Parser::expect_name(std::string_view what) {
  if (cur().kind != Tok::name) fail(cur(), "expected " + std::string(what) + ", got " + describe(cur()));
  return next().text;
}

// Nodes up to one of end_tags (the tag name is consumed and stored in
// *ended_by, the rest of that tag is left to the caller) or the end of input.
NodeList Parser::parse_body(const Open* open, std::initializer_list<std::string_view> end_tags,
                            std::string* ended_by) {
  NodeList body;
  while (true) {
    const Token& t = cur();
    if (t.kind == Tok::eof) {
      if (!open) return body;
      fail(t, "unexpected end of template, expected '" + std::string(open->closer) + "'", open_hint(*open));
    }
    if (t.kind == Tok::data) {
      auto n = std::make_unique<Node>();
      n->kind = NodeKind::text;
      n->pos = t.pos;
      n->text = next().text;
      body.push_back(std::move(n));
    } else if (t.kind == Tok::var_begin) {
      auto n = std::make_unique<Node>();
      n->kind = NodeKind::output;
      n->pos = next().pos;
      n->expr = parse_expression();
      if (cur().kind != Tok::var_end) fail(cur(), "expected end of print statement, got " + describe(cur()));
      next();
      body.push_back(std::move(n));
    } else {  // block_begin
      Pos pos = next().pos;
      const Token& tag = cur();
      if (tag.kind != Tok::name) fail(tag, "expected a tag name, got " + describe(tag));
      for (std::string_view end : end_tags) {
        if (tag.text == end) {
          *ended_by = next().text;
          return body;
        }
      }
      body.push_back(parse_statement(pos, open));
    }
  }
}

std::string Parser::open_hint(const Open& open) const {
  return "the '" + std::string(open.tag) + "' at line " + std::to_string(open.pos.line) + ", column " +
         std::to_string(open.pos.column) + " needs a matching {% " + std::string(open.closer) + " %}";
}

std::unique_ptr<Node> Parser::parse_statement(Pos pos, const Open* open) {
  Deeper deeper(*this);
  const Token& tag = cur();
  if (tag.text == "if") return parse_if(pos);
  if (tag.text == "for") return parse_for(pos);
  if (tag.text == "set") return parse_set(pos);
  bool known = std::find(k_tags.begin(), k_tags.end(), tag.text) != k_tags.end();
  if (!known) fail(tag, "unknown tag '" + tag.text + "'", spell_hint(tag.text, k_tags, "tags"));
  if (open)
    fail(tag, "unexpected '" + tag.text + "', expected '" + std::string(open->closer) + "'",
         open_hint(*open));
  fail(tag, "unexpected '" + tag.text + "'", "there is no open block for it to close or continue");
}

std::unique_ptr<Node> Parser::parse_if(Pos pos) {
  auto n = std::make_unique<Node>();
  n->kind = NodeKind::if_;
  n->pos = pos;
  Open open{"if", "endif", pos};
  next();
  std::unique_ptr<Expr> cond = parse_expression();
  while (true) {
    expect_block_end();
    std::string ended;
    NodeList body = parse_body(&open, {"elif", "else", "endif"}, &ended);
    n->branches.push_back(Branch{std::move(cond), std::move(body)});
    if (ended == "elif") {
      cond = parse_expression();
      continue;
    }
    if (ended == "else") {
      expect_block_end();
      n->branches.push_back(Branch{nullptr, parse_body(&open, {"endif"}, &ended)});
    }
    expect_block_end();
    return n;
  }
}

std::unique_ptr<Node> Parser::parse_for(Pos pos) {
  auto n = std::make_unique<Node>();
  n->kind = NodeKind::for_;
  n->pos = pos;
  Open open{"for", "endfor", pos};
  next();
  n->targets.push_back(expect_name("a loop variable"));
  while (is_op(",")) {
    next();
    n->targets.push_back(expect_name("a loop variable"));
  }
  if (!is_name("in")) fail(cur(), "expected 'in', got " + describe(cur()));
  next();
  n->expr = parse_or();
  if (is_name("if") || is_name("recursive")) {
    fail(cur(), "'" + cur().text + "' in a for loop is not supported", "use an {% if %} inside the loop");
  }
  expect_block_end();
  std::string ended;
  n->body = parse_body(&open, {"else", "endfor"}, &ended);
  if (ended == "else") {
    expect_block_end();
    n->else_body = parse_body(&open, {"endfor"}, &ended);
  }
  expect_block_end();
  return n;
}

std::unique_ptr<Node> Parser::parse_set(Pos pos) {
  auto n = std::make_unique<Node>();
  n->kind = NodeKind::set;
  n->pos = pos;
  next();
  n->targets.push_back(expect_name("a variable name"));
  if (!is_op("=")) {
    fail(cur(), "expected '=', got " + describe(cur()), "write {% set name = value %}");
  }
  next();
  n->expr = parse_expression();
  expect_block_end();
  return n;
}

}  // namespace detail

std::unique_ptr<Node> parse_tokens(std::vector<Token> tokens, const std::string& source) {
  return detail::Parser(std::move(tokens), source).run();
}

}  // namespace handoff::tmpl
