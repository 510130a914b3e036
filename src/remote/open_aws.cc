// The one file that reaches the AWS backend (store/aws_store.h). Until that
// backend is built, a stub says so.
#include <fmt/format.h>

#include "remote/store_select.h"
#include "util/error.h"

namespace handoff::remote {

Store open_aws_store() {
  throw Error("the AWS store is not built into this handoff yet",
              "use the local store: pass --store local (or export HO_STORE=local)");
}

std::string aws_env_exports(std::string* source) {
  (void)source;
  throw Error("the AWS client is not built into this handoff yet");
}

}  // namespace handoff::remote
