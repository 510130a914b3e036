#include "container/versions.h"

#include <algorithm>
#include <cctype>

#include "util/strings.h"

namespace handoff::container {
namespace {

bool is_number(std::string_view s) {
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// -1, 0, 1 for one component.
int compare_component(std::string_view a, std::string_view b) {
  bool na = is_number(a);
  bool nb = is_number(b);
  if (na && nb) {
    long long x = std::stoll(std::string(a));
    long long y = std::stoll(std::string(b));
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (na != nb) return na ? 1 : -1;
  return a < b ? -1 : (a > b ? 1 : 0);
}

}  // namespace

std::string increment_version(std::string_view version) {
  if (version.empty()) return "0.1";
  std::vector<std::string> parts = util::split(version, '.');
  // Index 0 is never incremented: "1" becomes "1.1", not "2".
  for (size_t i = parts.size(); i-- > 1;) {
    if (!is_number(parts[i])) continue;
    parts[i] = std::to_string(std::stoll(parts[i]) + 1);
    return util::join(parts, ".");
  }
  return std::string(version) + ".1";
}

bool version_less(std::string_view a, std::string_view b) {
  std::vector<std::string> pa = util::split(a, '.');
  std::vector<std::string> pb = util::split(b, '.');
  size_t n = std::min(pa.size(), pb.size());
  for (size_t i = 0; i < n; ++i) {
    int c = compare_component(pa[i], pb[i]);
    if (c != 0) return c < 0;
  }
  return pa.size() < pb.size();
}

std::optional<std::string> latest_version(const std::vector<std::string>& tags) {
  std::optional<std::string> best;
  for (const std::string& t : tags) {
    if (t.empty() || t == "latest" || t == "<none>") continue;
    if (!best || version_less(*best, t)) best = t;
  }
  return best;
}

bool is_valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(tag[0])) return false;
  return std::all_of(tag.begin() + 1, tag.end(), [&](char c) { return word(c) || c == '.' || c == '-'; });
}

}  // namespace handoff::container
