#pragma once
// A hand-written Jinja2 subset (no Debian package offers one). Parse once,
// render many times (foreach renders each command once per line).
//
// Supported: {{ expr }} with dotted and indexed access, string/number literals;
// filters default, upper, lower, replace, trim, tojson, join, int, length;
// {% if %}/{% elif %}/{% else %}/{% endif %} with ==, !=, <, >, <=, >=, not,
// and, or, in, `is defined`, `is not defined`, ~ (concatenation);
// {% for x in xs %}…{% endfor %}, {% set x = expr %}, {# comments #},
// {% raw %}…{% endraw %}, whitespace control with '-' on any tag.
// `{{ _stage- }}` (the name followed by a space or the closing braces) names the
// reserved variable `_stage-`; `-}}` written against a name is whitespace control.
// Jinja's default of dropping exactly one trailing newline of the template applies.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "template/value.h"

namespace handoff::tmpl {

struct Node;  // the parsed tree, private to the implementation

/// One use of an undefined variable: its name and where it was used.
struct Undefined {
  std::string name;
  int line = 0;    ///< 1-based line in the template text
  int column = 0;  ///< 1-based column
};

struct RenderResult {
  std::string text;
  std::vector<Undefined> undefined;  ///< each undefined variable that rendered empty
};

class Template {
 public:
  /// Parse text. source names it in errors (a file path, or "project.yml:12:7
  /// tasks[0].pipeline[1].command"). A syntax error throws handoff::Error with
  /// exit code 2: "<source>:<line>:<column>: <what> " with a hint.
  static Template parse(std::string_view text, std::string source);

  /// Render with the given variables (a JSON object). An undefined variable
  /// renders empty and is listed in the result; with strict, it throws
  /// handoff::Error (exit 2) naming the variable and its place instead.
  /// Type errors at render time (e.g. `length` of a number) throw handoff::Error (exit 2);
  /// `int` of "abc" is 0, as in Jinja.
  RenderResult render(const Value& vars, bool strict = false) const;

  /// True when the text has no {{, {% or {# at all (rendering is the identity
  /// apart from the trailing-newline rule).
  bool is_literal() const;
  const std::string& source() const { return source_; }

 private:
  std::shared_ptr<const Node> root_;
  std::string source_;
  bool literal_ = false;
};

/// Convenience: parse and render in one step.
RenderResult render(std::string_view text, const Value& vars, std::string source,
                    bool strict = false);

/// The old (v0.1.x) templating: Python str.format over named fields, `{name}`,
/// with `{{` and `}}` as literal braces. An unknown name throws handoff::Error
/// (exit 2) naming the field, as the original's KeyError did.
std::string render_format(std::string_view text, const Value& params, std::string_view source);

}  // namespace handoff::tmpl
