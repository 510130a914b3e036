// AWS and the store for the doctor: the credential chain and region exactly
// as every command resolves them (aws::Client), then the store the remote
// commands would pick. Probes get short timeouts and one attempt, so an
// unreachable endpoint costs a few seconds. Secrets never leave this file:
// the report shows a credential's source and a masked access key id.
#include <unistd.h>

#include <chrono>
#include <system_error>

#include <fmt/format.h>

#include "aws/client.h"
#include "aws/s3.h"
#include "remote/store_select.h"
#include "setup/doctor.h"
#include "store/local_store.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace handoff::setup {
namespace {

// The HTTP seam with the doctor's timeouts on every request.
class ShortTimeouts : public aws::HttpClient {
 public:
  ShortTimeouts(std::shared_ptr<aws::HttpClient> inner, double seconds)
      : inner_(std::move(inner)), seconds_(seconds) {}
  aws::HttpResponse send(const aws::HttpRequest& req) override {
    aws::HttpRequest r = req;
    r.connect_timeout = std::min(r.connect_timeout, seconds_);
    r.stall_timeout = std::min(r.stall_timeout, seconds_);
    return inner_->send(r);
  }

 private:
  std::shared_ptr<aws::HttpClient> inner_;
  double seconds_;
};

const char* k_region_fix = "export AWS_REGION (e.g. eu-west-1), or set region in ~/.aws/config";

// The nearest folder that exists, for a store dir that is made on first use.
fs::path existing_ancestor(fs::path p) {
  std::error_code ec;
  while (!p.empty() && !fs::exists(p, ec)) {
    if (p == p.parent_path()) break;
    p = p.parent_path();
  }
  return p;
}

CheckResult check_local_store(const std::string& reason) {
  CheckResult c{"store", CheckStatus::ok, "", ""};
  fs::path dir = store::default_store_dir();
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec) || ::access(dir.c_str(), W_OK | X_OK) != 0) {
      c.status = CheckStatus::fail;
      c.detail = fmt::format("local store {} is not a writable folder ({})", dir.string(), reason);
      c.fix = "fix its permissions, or export HO_STORE_DIR=/a/writable/folder";
      return c;
    }
    c.detail = fmt::format("local store {} is writable ({})", dir.string(), reason);
    return c;
  }
  fs::path base = existing_ancestor(dir.parent_path());
  if (base.empty() || ::access(base.c_str(), W_OK | X_OK) != 0) {
    c.status = CheckStatus::fail;
    c.detail = fmt::format("local store {} cannot be created: {} is not writable ({})", dir.string(),
                           base.string(), reason);
    c.fix = "export HO_STORE_DIR=/a/writable/folder";
    return c;
  }
  c.detail = fmt::format("local store {} will be created on first use ({})", dir.string(), reason);
  return c;
}

std::string endpoint_text(const aws::Endpoint& e) {
  std::string hostport = e.port ? fmt::format("{}:{}", e.host, e.port) : e.host;
  return fmt::format("{}://{}{} from {}", e.scheme, hostport, e.base_path, e.source);
}

CheckResult check_aws_store(aws::Client& client, const std::string& bucket, const std::string& reason) {
  CheckResult c{"store", CheckStatus::ok, "", ""};
  try {
    std::string sts = endpoint_text(client.endpoint("sts"));
    std::string account = client.account_id();
    c.detail = fmt::format("AWS ({}): STS GetCallerIdentity answered, account {} ({})", reason, account, sts);
  } catch (const Error& e) {
    c.status = CheckStatus::fail;
    c.detail = fmt::format("AWS ({}): {}", reason, e.what());
    c.fix = e.hint().empty() ? "check the network, AWS_ENDPOINT_URL and the credentials" : e.hint();
    return c;
  }
  if (bucket.empty()) return c;
  try {
    aws::s3::Addressing a{client.endpoint("s3"), client.region().value};
    client.call(aws::s3::object_call(a, "HEAD", "HeadBucket", bucket, ""));
    c.detail += fmt::format("; bucket {} is reachable", bucket);
  } catch (const aws::AwsError& e) {
    c.status = CheckStatus::fail;
    c.detail += fmt::format("; bucket {}: {}", bucket,
                            e.status() == 404   ? std::string("does not exist")
                            : e.status() == 403 ? std::string("access denied")
                                                : std::string(e.what()));
    c.fix = e.status() == 404 ? "create it (handoff cloud bucket create) or pass the right --bucket"
                              : "check the bucket name and your permissions on it";
  } catch (const Error& e) {
    c.status = CheckStatus::fail;
    c.detail += fmt::format("; bucket {}: {}", bucket, e.what());
    c.fix = e.hint();
  }
  return c;
}

}  // namespace

AwsChecks check_aws(const DoctorOptions& options, const std::string& deploy_provider, const aws::Env& env) {
  AwsChecks out;
  out.credentials = {"aws credentials", CheckStatus::ok, "", ""};
  out.region = {"aws region", CheckStatus::ok, "", ""};

  remote::StoreChoice choice;
  try {
    choice = remote::choose_store(options.store, "", deploy_provider, [&env](const std::string& name) {
      auto v = env(name);
      return v && !v->empty() ? v : std::nullopt;
    });
  } catch (const Error& e) {
    out.store = {"store", CheckStatus::fail, e.what(), e.hint()};
    choice.kind = remote::StoreKind::aws;  // checked as if AWS was meant
  }
  const bool aws_needed = choice.kind == remote::StoreKind::aws;
  const CheckStatus missing = aws_needed ? CheckStatus::fail : CheckStatus::warn;
  const std::string unneeded = aws_needed ? "" : " (not needed by the local store)";

  aws::ClientConfig config;
  config.env = env;
  config.http = std::make_shared<ShortTimeouts>(aws::make_curl_client(), options.timeout);
  config.retry.max_attempts = 1;
  config.retry.budget = std::chrono::milliseconds(static_cast<int64_t>(options.timeout * 1000));
  aws::Client client(config);

  bool have_credentials = false;
  try {
    aws::ResolvedCredentials rc = client.credentials();
    const auto& cr = rc.credentials;
    out.credentials.detail = fmt::format("{} from {}", mask_key_id(cr.access_key_id), rc.source);
    if (!cr.session_token.empty()) out.credentials.detail += ", temporary (with a session token)";
    if (cr.expiration) {
      auto left =
          std::chrono::duration_cast<std::chrono::minutes>(*cr.expiration - std::chrono::system_clock::now());
      out.credentials.detail += fmt::format(", expire in {} min", left.count());
    }
    have_credentials = true;
  } catch (const Error& e) {
    out.credentials.status = missing;
    out.credentials.detail = e.what() + unneeded;
    out.credentials.fix = e.hint().empty()
                              ? "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws configure"
                              : e.hint();
  }

  bool have_region = false;
  try {
    if (auto r = aws::resolve_region(env, client.shared_config())) {
      out.region.detail = fmt::format("{} from {}", r->value, r->source);
      have_region = true;
    } else {
      out.region.status = missing;
      out.region.detail = "no region set (AWS_REGION, AWS_DEFAULT_REGION or the profile's region)" + unneeded;
      out.region.fix = k_region_fix;
    }
  } catch (const Error& e) {
    out.region.status = missing;
    out.region.detail = e.what() + unneeded;
    out.region.fix = e.hint().empty() ? k_region_fix : e.hint();
  }

  if (!out.store.name.empty()) return out;  // an unknown --store / HO_STORE
  if (!aws_needed) {
    out.store = check_local_store(choice.reason);
    return out;
  }
  if (!have_credentials || !have_region) {
    out.store = {"store", CheckStatus::fail,
                 fmt::format("AWS ({}) cannot be reached without {}", choice.reason,
                             !have_credentials ? "credentials" : "a region"),
                 "fix the lines above, then run handoff doctor again"};
    return out;
  }
  std::string bucket = options.bucket;
  if (bucket.empty()) bucket = env("HO_BUCKET").value_or("");
  out.store = check_aws_store(client, bucket, choice.reason);
  return out;
}

}  // namespace handoff::setup
