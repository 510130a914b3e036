#pragma once
// "Did you mean …?" suggestions, as ninja's SpellcheckString.
#include <string>
#include <string_view>
#include <vector>

namespace handoff::util {

/// Levenshtein distance between a and b.
int edit_distance(std::string_view a, std::string_view b);
/// The candidate closest to word, or "" when none is close enough to suggest.
std::string spellcheck(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace handoff::util
