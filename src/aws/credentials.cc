#include "aws/credentials.h"

#include <stdio.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "aws/sigv4.h"
#include "util/edit_distance.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/redact.h"
#include "util/strings.h"

namespace handoff::aws {
namespace {

using std::chrono::system_clock;

constexpr const char* k_no_credentials_hint =
    "set AWS_PROFILE to a profile of ~/.aws/credentials or ~/.aws/config, or "
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys)";

std::optional<std::string> env_value(const Env& env, const std::string& name) {
  std::optional<std::string> v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

// Every secret is masked in logs from the moment it is known.
Credentials remember(Credentials c) {
  util::redactor().add(c.secret_access_key);
  if (!c.session_token.empty()) util::redactor().add(c.session_token);
  return c;
}

std::string profile_label(const Profile& p, const ProfileValue& v) {
  return "profile '" + p.name + "' in " + v.origin;
}

// Credentials from the JSON that credential_process, the container endpoint
// and instance metadata print. `what` names the source in errors; the body is
// never quoted, it holds the secret.
Credentials credentials_from_json(std::string_view body, const std::string& what,
                                  const char* token_field) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw Error(what + " did not return a JSON object");
  auto field = [&](const char* name) -> std::string {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string()) return {};
    return it->get<std::string>();
  };
  Credentials c;
  c.access_key_id = field("AccessKeyId");
  c.secret_access_key = field("SecretAccessKey");
  c.session_token = field(token_field);
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    throw Error(what + " returned no AccessKeyId or SecretAccessKey");
  }
  if (std::string exp = field("Expiration"); !exp.empty()) {
    c.expiration = parse_aws_time(exp);
    if (!c.expiration) throw Error(what + " returned an invalid Expiration " + util::quote(exp));
  }
  return remember(std::move(c));
}

// ---- step 1: environment --------------------------------------------------

std::optional<ResolvedCredentials> from_environment(const Env& env) {
  std::optional<std::string> key = env_value(env, "AWS_ACCESS_KEY_ID");
  std::optional<std::string> secret = env_value(env, "AWS_SECRET_ACCESS_KEY");
  if (!key && !secret) return std::nullopt;
  if (!key || !secret) {
    throw Error(std::string(key ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") + " is set but " +
                    (key ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is not",
                "set both, or unset both to use a profile");
  }
  Credentials c;
  c.access_key_id = *key;
  c.secret_access_key = *secret;
  if (auto t = env_value(env, "AWS_SESSION_TOKEN")) {
    c.session_token = *t;
  } else if (auto legacy = env_value(env, "AWS_SECURITY_TOKEN")) {
    c.session_token = *legacy;
  }
  if (auto exp = env_value(env, "AWS_CREDENTIAL_EXPIRATION")) {
    c.expiration = parse_aws_time(*exp);
    if (!c.expiration)
      throw Error("AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time: " + util::quote(*exp));
  }
  return ResolvedCredentials{remember(std::move(c)), "environment"};
}

// ---- step 2b: credential_process ----------------------------------------

// Runs the command through /bin/sh as the AWS CLI does (it splits the line
// like a shell). Its stderr goes to ours, so the user sees its prompts and
// errors; its stdout is the JSON and is never echoed.
Credentials run_credential_process(const std::string& command, const std::string& what) {
  FILE* p = ::popen(command.c_str(), "re");
  if (p == nullptr) throw Error("cannot start " + what + ": " + util::errno_text(errno));
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string how = WIFEXITED(status)
                          ? "exited with status " + std::to_string(WEXITSTATUS(status))
                          : "was killed";
    throw Error(what + " " + how, "run the command yourself to see why: " + command);
  }
  nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("Version") || j["Version"] != 1) {
    throw Error(
        what + " did not print a JSON object with \"Version\": 1",
        "see "
        "https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html");
  }
  return credentials_from_json(out, what, "SessionToken");
}

// ---- steps 3 and 4: container credentials and instance metadata ---------

// botocore accepts a FULL_URI over http only on loopback or the ECS/EKS agent
// addresses, so a token is never sent in the clear across a network.
bool allowed_container_url(const std::string& url) {
  if (url.starts_with("https://")) return true;
  if (!url.starts_with("http://")) return false;
  std::string rest = url.substr(7);
  std::string host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.starts_with("[")) {
    host = host.substr(1, host.find(']') - 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  return host == "localhost" || host.starts_with("127.") || host == "::1" ||
         host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23";
}

std::optional<ResolvedCredentials> from_container(const CredentialSources& s) {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  if (auto rel = env_value(s.env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    url = "http://169.254.170.2" + *rel;
  } else if (auto full = env_value(s.env, "AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    url = *full;
    if (!allowed_container_url(url)) {
      throw Error("AWS_CONTAINER_CREDENTIALS_FULL_URI " + util::quote(url) +
                      " is neither https nor a loopback or ECS/EKS agent address",
                  "use https, or http on 127.0.0.1");
    }
    std::optional<std::string> token;
    if (auto file = env_value(s.env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
      token = std::string(util::trim(util::read_file(*file)));
    } else {
      token = env_value(s.env, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    }
    if (token) {
      util::redactor().add(*token);
      headers.emplace_back("Authorization", *token);
    }
  } else {
    return std::nullopt;
  }
  if (!s.http) throw Error("container credentials are configured but HTTP is not available");
  std::optional<HttpReply> reply = s.http({"GET", url, headers});
  if (!reply) throw Error("container credentials endpoint " + util::quote(url) + " did not answer");
  if (reply->status != 200) {
    throw Error("container credentials endpoint " + util::quote(url) + " answered HTTP " +
                std::to_string(reply->status));
  }
  return ResolvedCredentials{
      credentials_from_json(reply->body, "the container credentials endpoint", "Token"),
      "container credentials (" + url + ")"};
}

// IMDSv2 only: a session token first (PUT), then the role name, then its
// credentials. No answer to the PUT means "not on EC2": the step is skipped.
std::optional<ResolvedCredentials> from_instance_metadata(const CredentialSources& s) {
  if (auto disabled = env_value(s.env, "AWS_EC2_METADATA_DISABLED")) {
    if (util::to_lower(*disabled) == "true") return std::nullopt;
  }
  if (!s.http) return std::nullopt;
  std::string base =
      env_value(s.env, "AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("http://169.254.169.254");
  while (base.ends_with('/')) base.pop_back();
  std::optional<HttpReply> token = s.http(
      {"PUT", base + "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}}});
  if (!token || token->status != 200 || token->body.empty()) return std::nullopt;
  util::redactor().add(token->body);
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"X-aws-ec2-metadata-token", token->body}};
  const std::string creds_url = base + "/latest/meta-data/iam/security-credentials/";
  std::optional<HttpReply> roles = s.http({"GET", creds_url, auth});
  if (!roles || roles->status != 200) return std::nullopt;  // no instance profile attached
  std::string role(util::trim(util::split(roles->body, '\n').front()));
  if (role.empty()) return std::nullopt;
  std::optional<HttpReply> reply = s.http({"GET", creds_url + role, auth});
  if (!reply || reply->status != 200) {
    throw Error("instance metadata did not return credentials for role " + util::quote(role));
  }
  nlohmann::json j = nlohmann::json::parse(reply->body, nullptr, false);
  if (j.is_object() && j.contains("Code") && j["Code"] != "Success") {
    throw Error("instance metadata credentials for role " + util::quote(role) +
                " are not available (Code " + j["Code"].dump() + ")");
  }
  return ResolvedCredentials{credentials_from_json(reply->body, "instance metadata", "Token"),
                             "instance metadata (role " + role + ")"};
}

// ---- step 2: a profile --------------------------------------------------

std::optional<ResolvedCredentials> from_profile(const SharedConfig& cfg, const Profile& p,
                                                const CredentialSources& s,
                                                std::vector<std::string>& chain);

ResolvedCredentials static_keys(const Profile& p) {
  const ProfileValue* key = p.find("aws_access_key_id");
  const ProfileValue* secret = p.find("aws_secret_access_key");
  if (key == nullptr && secret == nullptr) {
    // A role profile whose source_profile is itself, without keys of its own.
    throw Error("profile '" + p.name + "' has no aws_access_key_id or aws_secret_access_key",
                "add the keys to the profile, or point source_profile at a profile that has them");
  }
  if (key == nullptr || secret == nullptr) {
    const ProfileValue* any = key != nullptr ? key : secret;
    throw Error(profile_label(p, *any) + " has " +
                    (key != nullptr ? "aws_access_key_id but no aws_secret_access_key"
                                    : "aws_secret_access_key but no aws_access_key_id"),
                "add the missing key to the profile");
  }
  Credentials c;
  c.access_key_id = key->value;
  c.secret_access_key = secret->value;
  if (const ProfileValue* t = p.find("aws_session_token")) {
    c.session_token = t->value;
  } else if (const ProfileValue* legacy = p.find("aws_security_token")) {
    c.session_token = legacy->value;
  }
  return {remember(std::move(c)), profile_label(p, *key)};
}

ResolvedCredentials assume_role(const SharedConfig& cfg, const Profile& p,
                                const CredentialSources& s, std::vector<std::string>& chain) {
  const ProfileValue& arn = *p.find("role_arn");
  const std::string where = profile_label(p, arn);
  if (p.find("mfa_serial") != nullptr) {
    throw Error(
        where + " needs an MFA code (mfa_serial), which handoff cannot ask for",
        "get temporary keys with `aws sts get-session-token` and export them as AWS_ACCESS_KEY_ID, "
        "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN");
  }
  const ProfileValue* source_profile = p.find("source_profile");
  const ProfileValue* credential_source = p.find("credential_source");
  if ((source_profile == nullptr) == (credential_source == nullptr)) {
    throw Error(
        where + " has role_arn and needs exactly one of source_profile or credential_source",
        "add `source_profile = <profile with keys>` to the profile");
  }

  // The credentials that call AssumeRole.
  std::optional<ResolvedCredentials> source;
  if (source_profile != nullptr) {
    const std::string& name = source_profile->value;
    if (name == p.name) {
      source = static_keys(p);  // a profile may assume a role with its own keys
    } else {
      if (std::find(chain.begin(), chain.end(), name) != chain.end()) {
        throw Error(where + ": source_profile " + util::quote(name) + " leads back to itself (" +
                        util::join(chain, " -> ") + " -> " + name + ")",
                    "break the cycle of source_profile settings");
      }
      const Profile* sp = cfg.find(name);
      if (sp == nullptr) {
        throw Error(where + ": source_profile " + util::quote(name) + " does not exist",
                    "define [" + name + "] in " + display_path(cfg.credentials_path, s.env));
      }
      source = from_profile(cfg, *sp, s, chain);
      if (!source) {
        throw Error(where + ": source_profile " + util::quote(name) + " has no credentials",
                    "give profile '" + name + "' aws_access_key_id and aws_secret_access_key");
      }
    }
  } else {
    const std::string& kind = credential_source->value;
    if (kind == "Environment") {
      source = from_environment(s.env);
    } else if (kind == "EcsContainer") {
      source = from_container(s);
    } else if (kind == "Ec2InstanceMetadata") {
      source = from_instance_metadata(s);
    } else {
      throw Error(where + ": unknown credential_source " + util::quote(kind),
                  "use Environment, EcsContainer or Ec2InstanceMetadata");
    }
    if (!source)
      throw Error(where + ": credential_source " + util::quote(kind) + " gave no credentials");
  }

  AssumeRoleRequest req;
  req.role_arn = arn.value;
  if (const ProfileValue* n = p.find("role_session_name")) {
    req.role_session_name = n->value;
  } else {
    req.role_session_name =
        "handoff-" +
        std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(s.now().time_since_epoch()).count());
  }
  if (const ProfileValue* e = p.find("external_id")) req.external_id = e->value;
  if (const ProfileValue* d = p.find("duration_seconds")) {
    char* end = nullptr;
    long v = std::strtol(d->value.c_str(), &end, 10);
    if (end == d->value.c_str() || *end != '\0' || v < 900 || v > 43200) {
      throw Error(where + ": duration_seconds " + util::quote(d->value) +
                  " is not a number of seconds from 900 to 43200");
    }
    req.duration_seconds = static_cast<int>(v);
  }
  if (const ProfileValue* r = p.find("region")) req.region = r->value;
  if (!s.assume_role) throw Error(where + " assumes a role, but STS is not available here");
  Credentials assumed = remember(s.assume_role(req, source->credentials));
  return {std::move(assumed), "role " + arn.value + " (" + where + ") from " + source->source};
}

// Within a profile, botocore's order: role_arn, keys in the credentials
// file, credential_process, keys in the config file.
std::optional<ResolvedCredentials> from_profile(const SharedConfig& cfg, const Profile& p,
                                                const CredentialSources& s,
                                                std::vector<std::string>& chain) {
  chain.push_back(p.name);
  std::optional<ResolvedCredentials> out;
  const ProfileValue* key = p.find("aws_access_key_id");
  const std::string creds_file = display_path(cfg.credentials_path, s.env);
  if (p.find("role_arn") != nullptr) {
    out = assume_role(cfg, p, s, chain);
  } else if (key != nullptr && key->origin == creds_file) {
    out = static_keys(p);
  } else if (const ProfileValue* proc = p.find("credential_process")) {
    std::string what = "credential_process of profile '" + p.name + "'";
    out = ResolvedCredentials{run_credential_process(proc->value, what), what};
  } else if (key != nullptr || p.find("aws_secret_access_key") != nullptr) {
    out = static_keys(p);
  }
  chain.pop_back();
  return out;
}

}  // namespace

std::string assume_role_form_body(const AssumeRoleRequest& req) {
  std::string body =
      "Action=AssumeRole&Version=2011-06-15&RoleArn=" + uri_encode(req.role_arn, true) +
      "&RoleSessionName=" + uri_encode(req.role_session_name, true);
  if (!req.external_id.empty()) body += "&ExternalId=" + uri_encode(req.external_id, true);
  if (req.duration_seconds) body += "&DurationSeconds=" + std::to_string(*req.duration_seconds);
  return body;
}

std::optional<system_clock::time_point> parse_aws_time(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, consumed = 0;
  std::string str(s);
  if (sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &consumed) !=
          6 ||
      consumed != 19) {
    return std::nullopt;
  }
  std::string_view rest = std::string_view(str).substr(19);
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') rest.remove_prefix(1);
  }
  int offset_minutes = 0;
  if (rest == "Z" || rest == "z" || rest.empty()) {
    // UTC
  } else if ((rest.front() == '+' || rest.front() == '-') && rest.size() == 6 && rest[3] == ':') {
    int oh = 0, om = 0;
    if (sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &oh, &om) != 2) return std::nullopt;
    offset_minutes = (rest.front() == '+' ? 1 : -1) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year(y),
                                  std::chrono::month(static_cast<unsigned>(mo)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  // system_clock counts nanoseconds: years past 2262 overflow it.
  if (!ymd.ok() || y < 1900 || y > 2200 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  return system_clock::time_point(std::chrono::sys_days(ymd)) + std::chrono::hours(h) +
         std::chrono::minutes(mi - offset_minutes) + std::chrono::seconds(sec);
}

// The chain. The first step that yields credentials wins; a step that is
// configured but broken is an error, not a reason to fall through (a typo in
// a profile must not silently pick up other keys).
//
//   1. Environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY
//      (+ AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION).
//   2. Profile AWS_PROFILE (or AWS_DEFAULT_PROFILE, else "default") from
//      AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials) and AWS_CONFIG_FILE
//      (~/.aws/config), in this order within the profile:
//        a. role_arn: AssumeRole through STS with the credentials of
//           source_profile (itself resolved by this step, so roles chain) or
//           credential_source, and external_id, role_session_name,
//           duration_seconds;
//        b. aws_access_key_id / aws_secret_access_key in the credentials file;
//        c. credential_process: run it, read its JSON (Version 1);
//        d. aws_access_key_id / aws_secret_access_key in the config file.
//      A profile named by AWS_PROFILE must exist; "default" may be absent.
//   3. ECS container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, or
//      AWS_CONTAINER_CREDENTIALS_FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN
//      (or _TOKEN_FILE).
//   4. EC2 instance metadata, IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT,
//      skipped when AWS_EC2_METADATA_DISABLED=true).
ResolvedCredentials resolve_credentials(const CredentialSources& s) {
  if (auto r = from_environment(s.env)) return *r;

  SharedConfig cfg = load_shared_config(s.env);
  if (const Profile* p = cfg.find(cfg.profile_name)) {
    std::vector<std::string> chain;
    if (auto r = from_profile(cfg, *p, s, chain)) return *r;
  } else if (cfg.profile_explicit) {
    std::string suggestion = util::spellcheck(cfg.profile_name, cfg.profile_names());
    throw Error("AWS profile " + util::quote(cfg.profile_name) + " not found in " +
                    display_path(cfg.credentials_path, s.env) + " or " +
                    display_path(cfg.config_path, s.env),
                suggestion.empty() ? std::string(k_no_credentials_hint)
                                   : "did you mean '" + suggestion + "'?");
  }

  if (auto r = from_container(s)) return *r;
  if (auto r = from_instance_metadata(s)) return *r;

  throw Error("no AWS credentials found (tried the environment, profile '" + cfg.profile_name +
                  "', container credentials and instance metadata)",
              k_no_credentials_hint);
}

ResolvedCredentials CredentialCache::get() {
  std::lock_guard lock(mutex_);
  if (cached_) {
    const auto& exp = cached_->credentials.expiration;
    if (!exp || sources_.now() + k_refresh_margin < *exp) return *cached_;
  }
  cached_ = resolve_credentials(sources_);
  return *cached_;
}

}  // namespace handoff::aws
