#pragma once
// The CloudFormation templates of cloud/templates/, compiled into the binary
// (cmake/EmbedTemplates.cmake), so an installed handoff needs no repository.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace handoff::cloud {

struct EmbeddedTemplate {
  std::string_view name;  ///< file name: "bucket.yml"
  std::string_view body;  ///< the file's text, byte for byte
};

/// Every embedded template, sorted by name.
std::vector<EmbeddedTemplate> embedded_templates();

/// The text of the embedded template `name` ("task.yml"). Throws
/// handoff::Error naming the templates there are when it is not embedded.
std::string embedded_template(std::string_view name);

/// The template a stack command sends: the file given with --template-file
/// when file is not empty (read whole; Error when unreadable), else the
/// embedded `name`. *source says which, for the log and --dry-run.
std::string load_template(std::string_view name, const std::filesystem::path& file,
                          std::string* source);

namespace detail {
/// Defined in the generated embedded_templates.cc.
extern const EmbeddedTemplate k_embedded_templates[];
extern const size_t k_embedded_template_count;
}  // namespace detail

}  // namespace handoff::cloud
