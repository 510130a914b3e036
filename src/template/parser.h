#pragma once
// Recursive-descent parser over the lexer's tokens, with Jinja2's operator
// precedence: if-else < or < and < not < comparisons/in < + - < ~ < * / // %
// < ** < unary - < postfix (. [] ()) and filters/tests.
#include <memory>
#include <string>
#include <vector>

#include "template/ast.h"
#include "template/lexer.h"

namespace handoff::tmpl {

/// Parse a token list (ending in eof) into a NodeKind::list root. Filters are
/// resolved here. Throws handoff::Error (exit 2) on the first syntax error.
std::unique_ptr<Node> parse_tokens(std::vector<Token> tokens, const std::string& source);

}  // namespace handoff::tmpl
