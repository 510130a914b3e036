#pragma once
// The keys of project.yml and of the secrets file, with what each means: one
// table that the loader checks unknown keys against and that
// `handoff reference project-yml` prints, so docs/reference/project-yml.md
// cannot drift from what the loader accepts.
#include <string>
#include <string_view>
#include <vector>

namespace handoff::project::schema {

struct Key {
  std::string_view name;
  std::string_view type;
  std::string_view meaning;
};

struct Section {
  std::string_view id;     ///< what the loader asks for: "top", "task", "step", ...
  std::string_view title;  ///< where the keys are written, e.g. "tasks[]"
  std::string_view intro;
  std::vector<Key> keys;
};

/// Every section, in the order the reference prints them.
const std::vector<Section>& sections();

/// The key names of one section (what the loader accepts there). An unknown id
/// is a programming error and throws std::logic_error.
std::vector<std::string> key_names(std::string_view section_id);

/// The reference as Markdown (docs/reference/project-yml.md).
std::string markdown();

}  // namespace handoff::project::schema
