#include "cloud/templates.h"

#include <fstream>
#include <sstream>

#include "util/error.h"
#include "util/strings.h"

namespace handoff::cloud {

std::vector<EmbeddedTemplate> embedded_templates() {
  std::vector<EmbeddedTemplate> out;
  for (size_t i = 0; i < detail::k_embedded_template_count; ++i) {
    out.push_back(detail::k_embedded_templates[i]);
  }
  return out;
}

std::string embedded_template(std::string_view name) {
  std::vector<std::string> names;
  for (const auto& t : embedded_templates()) {
    if (t.name == name) return std::string(t.body);
    names.emplace_back(t.name);
  }
  throw Error("no embedded template " + util::quote(name) + " (embedded: " +
                  (names.empty() ? "none" : util::join(names, ", ")) + ")",
              "this handoff was built without cloud/templates/" + std::string(name) +
                  ": rebuild it, or pass --template-file PATH");
}

std::string load_template(std::string_view name, const std::filesystem::path& file,
                          std::string* source) {
  if (file.empty()) {
    if (source) *source = "embedded " + std::string(name);
    return embedded_template(name);
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw UsageError("cannot read the template file " + util::quote(file.string()),
                     "check the path given with --template-file");
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (source) *source = file.string();
  return text.str();
}

}  // namespace handoff::cloud
