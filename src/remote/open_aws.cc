// The one file that reaches the AWS backend (store/aws_store.h) and the AWS
// client: opening the store and `handoff aws env`.
#include <fmt/format.h>

#include "aws/client.h"
#include "remote/layout.h"
#include "remote/store_select.h"
#include "store/aws_store.h"
#include "util/error.h"
#include "util/log.h"
#include "util/strings.h"

namespace handoff::remote {

Store open_aws_store() {
  auto backend = store::open_aws_backend();
  Store s;
  s.kind = StoreKind::aws;
  s.params = std::move(backend.params);
  s.objects = std::move(backend.objects);
  auto client = backend.client;
  s.derive_bucket = [client](const std::string& rg) { return derived_bucket(rg, client->account_id()); };
  try {
    const auto& region = client->region();
    s.describe = fmt::format("AWS (region {} from {})", region.value, region.source);
  } catch (const Error&) {
    s.describe = "AWS";  // the first call says what is missing
  }
  log::info("AWS store: {}", s.describe);
  return s;
}

std::string aws_env_exports(std::string* source) {
  aws::Client client;
  auto creds = client.credentials();
  *source = creds.source;
  std::string out;
  out += "export AWS_ACCESS_KEY_ID=" + util::shell_quote(creds.credentials.access_key_id) + "\n";
  out += "export AWS_SECRET_ACCESS_KEY=" + util::shell_quote(creds.credentials.secret_access_key) + "\n";
  if (!creds.credentials.session_token.empty()) {
    out += "export AWS_SESSION_TOKEN=" + util::shell_quote(creds.credentials.session_token) + "\n";
  } else {
    out += "unset AWS_SESSION_TOKEN\n";  // a stale token would break long-term keys
  }
  try {
    out += "export AWS_REGION=" + util::shell_quote(client.region().value) + "\n";
  } catch (const Error& e) {
    log::warning("no region to export: {}", e.what());
  }
  return out;
}

}  // namespace handoff::remote
