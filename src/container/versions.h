#pragma once
// Image versions (spec §7.7): the increment rule of `container build`, the
// latest of a set of tags, and `<image>:<version>` references.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace handoff::container {

/// The original's rule: split on '.', add one to the last numeric component
/// scanning from the right but never the first ("0.1" → "0.2", "1.2.rc" →
/// "1.3.rc"); when none is numeric append ".1" ("1" → "1.1", "v1.a" →
/// "v1.a.1"). An empty version (no image yet) gives "0.1".
std::string increment_version(std::string_view version);

/// Version order: components split on '.', numbers compared as numbers,
/// other components as text, a number above text, a longer version above its
/// prefix: "0.9" < "0.9.rc" < "0.10".
bool version_less(std::string_view a, std::string_view b);

/// The highest version among tags, ignoring "latest", "<none>" and empty
/// tags; nullopt when none is left.
std::optional<std::string> latest_version(const std::vector<std::string>& tags);

/// True when tag is a valid Docker tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
bool is_valid_tag(std::string_view tag);

/// "<image>:<version>".
inline std::string image_ref(const std::string& image, const std::string& version) {
  return image + ":" + version;
}

}  // namespace handoff::container
