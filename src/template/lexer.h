#pragma once
// Splits template text into tokens the way Jinja2's lexer does: data between
// tags, and expression tokens inside {{ }} and {% %}. Comments and raw blocks
// are resolved here, and so is whitespace control ('-' on a tag).
#include <string>
#include <string_view>
#include <vector>

#include "template/ast.h"

namespace handoff::tmpl {

enum class Tok {
  data,         ///< literal text (also the inside of {% raw %})
  var_begin,    ///< {{
  var_end,      ///< }}
  block_begin,  ///< {%
  block_end,    ///< %}
  name,         ///< identifier or keyword (and, or, not, in, is, if, else, true, …)
  string,       ///< text holds the unescaped value
  integer,      ///< text holds the digits without '_'
  floating,     ///< text holds the literal without '_'
  op,           ///< operator or bracket, text holds it
  eof,
};

struct Token {
  Tok kind = Tok::eof;
  std::string text;
  Pos pos;
};

/// Jinja's newline handling: "\r\n" and "\r" become "\n", then exactly one
/// trailing newline is dropped (keep_trailing_newline off).
std::string normalize_newlines(std::string_view text);

/// Tokenize normalized text. The result always ends with an eof token.
/// Throws handoff::Error (exit 2) for unclosed tags, comments, raw blocks and
/// strings, and for characters that cannot start a token.
std::vector<Token> tokenize(const std::string& text, const std::string& source);

/// Human name of a token for messages: 'end of print statement', 'foo', …
std::string describe(const Token& t);

}  // namespace handoff::tmpl
