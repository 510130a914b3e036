#include "history/lookup.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "util/edit_distance.h"
#include "util/error.h"

namespace handoff::history {

std::vector<std::string> nearest_ids(const std::vector<Run>& runs, const std::string& id, size_t count) {
  struct Scored {
    size_t common;
    int distance;
    const std::string* id;
  };
  std::vector<Scored> scored;
  for (const auto& r : runs) {
    const std::string& c = r.record.id;
    size_t common = 0;
    while (common < c.size() && common < id.size() && c[common] == id[common]) ++common;
    scored.push_back({common, util::edit_distance(id, c.substr(0, std::max(id.size(), common))), &c});
  }
  std::stable_sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
    if (a.common != b.common) return a.common > b.common;
    return a.distance < b.distance;
  });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && out.size() < count; ++i) out.push_back(*scored[i].id);
  return out;
}

const Run& find_run(const std::vector<Run>& runs, const std::string& id, const std::string& how_to_make_one) {
  if (runs.empty()) throw Error("no runs yet", how_to_make_one);
  if (id == "last") return runs.back();
  std::vector<const Run*> matches;
  for (const auto& r : runs) {
    if (r.record.id == id) return r;
    if (!id.empty() && r.record.id.rfind(id, 0) == 0) matches.push_back(&r);
  }
  if (matches.size() == 1) return *matches.front();
  if (matches.size() > 1) {
    std::vector<std::string> ids;
    for (size_t i = 0; i < matches.size() && i < 5; ++i) ids.push_back(matches[i]->record.id);
    throw UsageError(fmt::format("run id prefix '{}' matches {} runs: {}{}", id, matches.size(),
                                 fmt::join(ids, ", "), matches.size() > ids.size() ? ", …" : ""),
                     "type more of the id");
  }
  throw UsageError(fmt::format("no run with id '{}'", id),
                   fmt::format("nearest ids: {} (handoff runs list shows them all)",
                               fmt::join(nearest_ids(runs, id, 3), ", ")));
}

}  // namespace handoff::history
