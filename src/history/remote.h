#pragma once
// Pushed runs: each archive under the layout's archives/ prefix that holds a
// `_handoff_run.json` (remote/artifacts.cc writes it) is one run. Only the
// record and the manifest of each archive are fetched, never the artifacts,
// and both are remembered in the ObjectCache by ETag.
#include <vector>

#include "history/cache.h"
#include "history/run.h"
#include "remote/layout.h"
#include "store/store.h"

namespace handoff::history {

/// Every pushed run of the layout's task, oldest first. cache may be null.
/// An archive without a run record (pushed by the Python tool, or `artifacts
/// archive` of a last/ without one) is not a run and is skipped; a record
/// that is not valid is skipped with a warning.
std::vector<Run> list_remote(store::ObjectStore& objects, const remote::Layout& layout, ObjectCache* cache,
                             int jobs = 8);

}  // namespace handoff::history
