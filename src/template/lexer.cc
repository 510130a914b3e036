#include "template/lexer.h"

#include <algorithm>
#include <cstdint>

namespace handoff::tmpl {
namespace {

constexpr std::string_view k_brace_hint = "to output literal braces, wrap them in {% raw %}...{% endraw %}";

// Python's str.isspace() over ASCII, which is what Jinja's strip and \s use.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
         (c >= '\x1c' && c <= '\x1f');
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }
int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Jinja decodes string literals with Python's "unicode-escape" codec: the
// usual escapes, \xHH, \uHHHH, \UHHHHHHHH, octal; unknown escapes stay as written.
std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case '\n':
        break;  // line continuation
      case '\\':
        out += '\\';
        break;
      case '\'':
        out += '\'';
        break;
      case '"':
        out += '"';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x':
      case 'u':
      case 'U': {
        size_t len = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        uint32_t cp = 0;
        bool ok = i + len < s.size();
        for (size_t k = 1; ok && k <= len; ++k) {
          int h = hex_value(s[i + k]);
          if (h < 0) ok = false;
          cp = cp * 16 + static_cast<uint32_t>(h < 0 ? 0 : h);
        }
        if (ok && cp <= 0x10FFFF) {
          append_utf8(out, cp);
          i += len;
        } else {
          out += '\\';
          out += c;
        }
        break;
      }
      default:
        if (c >= '0' && c <= '7') {
          uint32_t cp = 0;
          size_t k = 0;
          for (; k < 3 && i + k < s.size() && s[i + k] >= '0' && s[i + k] <= '7'; ++k) {
            cp = cp * 8 + static_cast<uint32_t>(s[i + k] - '0');
          }
          append_utf8(out, cp);
          i += k - 1;
        } else {
          out += '\\';
          out += c;
        }
    }
  }
  return out;
}

class Lexer {
 public:
  Lexer(const std::string& text, const std::string& source) : text_(text), source_(source) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < text_.size(); ++i) {
      if (text_[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  std::vector<Token> run() {
    size_t i = 0;
    while (i < text_.size()) {
      size_t open = find_opener(i);
      bool rstrip = open != std::string::npos && at(open + 2, "-");
      emit_data(i, open == std::string::npos ? text_.size() : open, rstrip);
      if (open == std::string::npos) break;
      size_t k = open + 2;
      if (at(k, "-") || at(k, "+")) ++k;
      char kind = text_[open + 1];
      if (kind == '#') {
        i = lex_comment(open, k);
      } else if (kind != '%' || !lex_raw(open, k, &i)) {
        i = lex_tag(open, k, kind == '%');
      }
    }
    out_.push_back(Token{Tok::eof, "", pos_of(text_.size())});
    return std::move(out_);
  }

 private:
  bool at(size_t i, std::string_view s) const { return text_.compare(i, s.size(), s) == 0; }
  size_t skip_space(size_t i) const {
    while (i < text_.size() && is_space(text_[i])) ++i;
    return i;
  }

  Pos pos_of(size_t off) const {
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), off);
    size_t start = *(it - 1);
    int column = 1;
    // Tokens come in order: go on from the last position on the same line
    // (scanning from the line's start each time is quadratic on long lines).
    if (last_start_ == start && last_off_ <= off) {
      column = last_column_;
      start = last_off_;
    }
    for (size_t i = start; i < off; ++i) {
      // Count code points, not bytes: editors show columns in characters.
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
    }
    last_start_ = *(it - 1);
    last_off_ = off;
    last_column_ = column;
    return Pos{static_cast<int>(it - line_starts_.begin()), column};
  }

  size_t find_opener(size_t i) const {
    for (size_t p = text_.find('{', i); p != std::string::npos; p = text_.find('{', p + 1)) {
      if (p + 1 < text_.size() && (text_[p + 1] == '{' || text_[p + 1] == '%' || text_[p + 1] == '#')) {
        return p;
      }
    }
    return std::string::npos;
  }

  void emit_data(size_t begin, size_t end, bool rstrip) {
    while (rstrip && end > begin && is_space(text_[end - 1])) --end;
    if (end > begin) out_.push_back(Token{Tok::data, text_.substr(begin, end - begin), pos_of(begin)});
  }

  // Past the comment; "-#}" also eats the whitespace after it.
  size_t lex_comment(size_t open, size_t i) {
    for (; i < text_.size(); ++i) {
      if (at(i, "-#}")) return skip_space(i + 3);
      if (at(i, "+#}")) return i + 3;
      if (at(i, "#}")) return i + 2;
    }
    fail_at(source_, pos_of(open), "unclosed comment '{#'", "close it with '#}'");
  }

  // End of a block tag at i ("%}", "-%}", "+%}"): the index after it (and after
  // the whitespace '-' strips), or npos.
  size_t block_end_at(size_t i) const {
    if (at(i, "-%}")) return skip_space(i + 3);
    if (at(i, "+%}")) return i + 3;
    if (at(i, "%}")) return i + 2;
    return std::string::npos;
  }

  // {% raw %}…{% endraw %}: the inside is data, untouched. Returns false when
  // the tag at i is not "raw".
  bool lex_raw(size_t open, size_t i, size_t* next) {
    size_t p = skip_space(i);
    if (!at(p, "raw")) return false;
    size_t begin = block_end_at(skip_space(p + 3));
    if (begin == std::string::npos) return false;
    for (size_t q = text_.find("{%", begin); q != std::string::npos; q = text_.find("{%", q + 1)) {
      size_t m = q + 2;
      bool strip = at(m, "-");
      if (strip || at(m, "+")) ++m;
      m = skip_space(m);
      if (!at(m, "endraw")) continue;
      size_t end = block_end_at(skip_space(m + 6));
      if (end == std::string::npos) continue;
      emit_data(begin, q, strip);
      *next = end;
      return true;
    }
    fail_at(source_, pos_of(open), "unclosed '{% raw %}'", "close it with {% endraw %}");
  }

  size_t digits(size_t i) const {
    while (i < text_.size() &&
           (is_digit(text_[i]) || (text_[i] == '_' && i + 1 < text_.size() && is_digit(text_[i + 1]) &&
                                   i > 0 && is_digit(text_[i - 1])))) {
      ++i;
    }
    return i;
  }

  size_t lex_number(size_t s) {
    size_t i = digits(s);
    bool is_float = false;
    if (!(s > 0 && text_[s - 1] == '.')) {  // Jinja: `a.0.1` is two lookups
      if (at(i, ".") && i + 1 < text_.size() && is_digit(text_[i + 1])) {
        i = digits(i + 1);
        is_float = true;
      }
      if (i < text_.size() && (text_[i] == 'e' || text_[i] == 'E')) {
        size_t j = i + 1;
        if (at(j, "+") || at(j, "-")) ++j;
        if (j < text_.size() && is_digit(text_[j])) {
          i = digits(j);
          is_float = true;
        }
      }
    }
    std::string t = text_.substr(s, i - s);
    t.erase(std::remove(t.begin(), t.end(), '_'), t.end());
    out_.push_back(Token{is_float ? Tok::floating : Tok::integer, std::move(t), pos_of(s)});
    return i;
  }

  size_t lex_name(size_t s, bool block) {
    size_t i = s;
    while (i < text_.size() && is_name_char(text_[i])) ++i;
    std::string name = text_.substr(s, i - s);
    // Our rule (not Jinja's, where `{{ _stage- }}` is a syntax error): a name
    // directly followed by '-', whitespace, and then the end of the expression
    // is a name ending in '-', so the documented `{{ _stage- }}` works. `-}}`
    // written against the name stays whitespace control.
    if (at(i, "-") && i + 1 < text_.size() && is_space(text_[i + 1])) {
      size_t p = skip_space(i + 1);
      bool ends = block ? (at(p, "%}") || at(p, "-%}") || at(p, "+%}")) : (at(p, "}}") || at(p, "-}}"));
      if (ends || at(p, "|")) {
        name += '-';
        ++i;
      }
    }
    out_.push_back(Token{Tok::name, std::move(name), pos_of(s)});
    return i;
  }

  size_t lex_string(size_t s) {
    char q = text_[s];
    size_t i = s + 1;
    while (i < text_.size() && text_[i] != q) i += text_[i] == '\\' ? 2 : 1;
    if (i >= text_.size()) {
      fail_at(source_, pos_of(s), "unterminated string literal", std::string("close it with ") + q);
    }
    out_.push_back(Token{Tok::string, unescape(std::string_view(text_).substr(s + 1, i - s - 1)), pos_of(s)});
    return i + 1;
  }

  // Tokens of one {{ }} or {% %} tag; returns the index after its end.
  size_t lex_tag(size_t open, size_t i, bool block) {
    out_.push_back(Token{block ? Tok::block_begin : Tok::var_begin, "", pos_of(open)});
    std::string brackets;  // open (, [, { — the tag cannot end inside them
    while (true) {
      i = skip_space(i);
      if (i >= text_.size()) {
        fail_at(
            source_, pos_of(open), block ? "unclosed '{%'" : "unclosed '{{'",
            std::string(block ? "close it with '%}'; " : "close it with '}}'; ") + std::string(k_brace_hint));
      }
      if (brackets.empty()) {
        size_t end = std::string::npos;
        if (block) {
          end = block_end_at(i);
        } else if (at(i, "-}}")) {
          end = skip_space(i + 3);
        } else if (at(i, "}}")) {
          end = i + 2;
        }
        if (end != std::string::npos) {
          out_.push_back(Token{block ? Tok::block_end : Tok::var_end, "", pos_of(i)});
          return end;
        }
      }
      char c = text_[i];
      if (is_digit(c)) {
        i = lex_number(i);
      } else if (is_name_start(c)) {
        i = lex_name(i, block);
      } else if (c == '\'' || c == '"') {
        i = lex_string(i);
      } else {
        i = lex_operator(i, brackets);
      }
    }
  }

  size_t lex_operator(size_t i, std::string& brackets) {
    static constexpr std::string_view k_two[] = {"//", "**", "==", "!=", ">=", "<="};
    for (std::string_view op : k_two) {
      if (at(i, op)) {
        out_.push_back(Token{Tok::op, std::string(op), pos_of(i)});
        return i + 2;
      }
    }
    char c = text_[i];
    if (std::string_view("+-/*%~[](){}><=.:|,;").find(c) == std::string_view::npos) {
      size_t len = 1;  // the whole UTF-8 sequence, so the message stays valid text
      while (i + len < text_.size() && (static_cast<unsigned char>(text_[i + len]) & 0xC0) == 0x80) ++len;
      fail_at(source_, pos_of(i), "unexpected character '" + text_.substr(i, len) + "'",
              std::string(k_brace_hint));
    }
    if (c == '(' || c == '[' || c == '{') {
      brackets += c;
    } else if (c == ')' || c == ']' || c == '}') {
      char want = c == ')' ? '(' : c == ']' ? '[' : '{';
      if (brackets.empty() || brackets.back() != want) {
        fail_at(source_, pos_of(i), "unexpected '" + std::string(1, c) + "'", std::string(k_brace_hint));
      }
      brackets.pop_back();
    }
    out_.push_back(Token{Tok::op, std::string(1, c), pos_of(i)});
    return i + 1;
  }

  const std::string& text_;
  const std::string& source_;
  std::vector<size_t> line_starts_;
  // pos_of's last answer (line start, offset, column).
  mutable size_t last_start_ = std::string::npos;
  mutable size_t last_off_ = 0;
  mutable int last_column_ = 1;
  std::vector<Token> out_;
};

}  // namespace

std::string normalize_newlines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out += text[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::vector<Token> tokenize(const std::string& text, const std::string& source) {
  return Lexer(text, source).run();
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::data:
      return "template data";
    case Tok::var_begin:
      return "begin of print statement";
    case Tok::var_end:
      return "end of print statement";
    case Tok::block_begin:
      return "begin of statement block";
    case Tok::block_end:
      return "end of statement block";
    case Tok::string:
      return "string";
    case Tok::integer:
      return "integer";
    case Tok::floating:
      return "float";
    case Tok::eof:
      return "end of template";
    case Tok::name:
    case Tok::op:
      return "'" + t.text + "'";
  }
  return "token";
}

}  // namespace handoff::tmpl
