// The templater: parse, render (lenient and strict) and the old str.format
// placeholders. Input: the template text, then optionally "%%" and the
// variables as a JSON object (a fixed set when absent or not an object).
#include "fuzz_util.h"
#include "template/template.h"

using namespace handoff;

namespace {

tmpl::Value default_vars() {
  return tmpl::Value::parse(R"({"name": "x", "n": 3, "f": 1.5, "t": true, "z": null,
    "list": [1, "two", [3], {"k": "v"}], "map": {"a": {"b": "c"}, "n": 0},
    "_stage": "dev", "_stage-": "dev-", "empty": "", "s": "a,b,c"})");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::reset_process_state();
  std::vector<std::string_view> parts = fuzz::split_parts(fuzz::as_view(data, size), 2);
  static const tmpl::Value k_defaults = default_vars();
  tmpl::Value vars = k_defaults;
  if (parts.size() == 2) {
    tmpl::Value v = tmpl::Value::parse(parts[1], nullptr, false);
    if (v.is_object()) vars = std::move(v);
  }
  fuzz::expect_clean([&] {
    tmpl::Template t = tmpl::Template::parse(parts[0], "project.yml:1:1 tasks[0].command");
    t.render(vars, false);
    fuzz::expect_clean([&] { t.render(vars, true); });
  });
  fuzz::expect_clean([&] { tmpl::render_format(parts[0], vars, "config/x.json"); });
  return 0;
}
