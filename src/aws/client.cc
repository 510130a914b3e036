// The AWS client: endpoints, region, credentials, signing, retries and the
// services' error shapes, in one place for every service.
#include "aws/client.h"

#include <pugixml.hpp>

#include <nlohmann/json.hpp>
#include <thread>

#include "util/log.h"
#include "util/redact.h"
#include "util/strings.h"

namespace handoff::aws {
namespace {

using std::chrono::steady_clock;

constexpr const char* k_sts_version = "2011-06-15";

// The service's error code and message from a JSON-protocol body
// ({"__type": "ns#Code", "message": ...}), the x-amzn-ErrorType header, or an
// XML body (S3's <Error><Code>, the query protocol's <ErrorResponse><Error>).
std::pair<std::string, std::string> error_of(const HttpResponse& r) {
  std::string code = r.header("x-amzn-errortype");
  std::string message;
  if (!r.body.empty() && r.body.front() == '{') {
    nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_object()) {
      for (const char* k : {"__type", "code", "Code"}) {
        if (j.contains(k) && j[k].is_string()) {
          code = j[k].get<std::string>();
          break;
        }
      }
      for (const char* k : {"message", "Message", "errorMessage"}) {
        if (j.contains(k) && j[k].is_string()) {
          message = j[k].get<std::string>();
          break;
        }
      }
    }
  } else if (!r.body.empty() && r.body.find('<') != std::string::npos) {
    pugi::xml_document doc;
    if (doc.load_buffer(r.body.data(), r.body.size())) {
      pugi::xpath_node c = doc.select_node("//Code");
      pugi::xpath_node m = doc.select_node("//Message");
      if (c) code = c.node().text().get();
      if (m) message = m.node().text().get();
    }
  }
  // "com.amazonaws.ssm#ParameterNotFound" and "Code:http://..." forms.
  if (size_t hash = code.rfind('#'); hash != std::string::npos) code = code.substr(hash + 1);
  if (size_t colon = code.find(':'); colon != std::string::npos) code = code.substr(0, colon);
  if (code.empty()) {
    switch (r.status) {
      case 403: code = "AccessDenied"; break;
      case 404: code = "NotFound"; break;
      default: break;
    }
  }
  return {code, message};
}

std::string hint_for(const std::string& code, const std::string& operation,
                     const std::string& cred_source) {
  if (code == "SignatureDoesNotMatch" || code == "InvalidSignatureException" ||
      code == "IncompleteSignature") {
    return "the secret key does not match the access key (credentials from " + cred_source +
           "): check AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key";
  }
  if (code == "InvalidClientTokenId" || code == "UnrecognizedClientException" ||
      code == "InvalidAccessKeyId") {
    return "AWS does not know this access key (credentials from " + cred_source +
           "): check AWS_ACCESS_KEY_ID, AWS_PROFILE and AWS_ENDPOINT_URL";
  }
  if (code == "ExpiredToken" || code == "ExpiredTokenException" || code == "RequestExpired" ||
      code == "TokenRefreshRequired") {
    return "the temporary credentials from " + cred_source +
           " have expired: get new ones (eval \"$(handoff aws env)\", aws sso login, ...)";
  }
  if (code == "AccessDenied" || code == "AccessDeniedException") {
    return "the credentials from " + cred_source + " may not call " + operation +
           ": ask for the permission, or use another profile (AWS_PROFILE)";
  }
  if (code == "RequestTimeTooSkewed" || code == "SignatureExpired") {
    return "this machine's clock is off: sync it (timedatectl, ntp)";
  }
  return {};
}

std::string xml_child_text(const pugi::xml_node& parent, const char* path) {
  return parent.select_node(path) ? parent.select_node(path).node().text().get() : "";
}

thread_local std::mt19937_64 t_rng{std::random_device{}()};

// How long a request may go without a byte moving before it is given up and
// retried: HO_HTTP_STALL_SECONDS, else 60 s (the fault-injection tests stall
// a few seconds, not a minute).
double stall_seconds(const Env& env) {
  constexpr double k_default = 60;
  std::optional<std::string> v = env("HO_HTTP_STALL_SECONDS");
  if (!v || v->empty()) return k_default;
  char* end = nullptr;
  double s = std::strtod(v->c_str(), &end);
  return *end == '\0' && s >= 1 && s <= 3600 ? s : k_default;
}

}  // namespace

std::optional<Endpoint> parse_endpoint_url(std::string_view url) {
  Endpoint e;
  if (url.starts_with("https://")) {
    e.scheme = "https";
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    e.scheme = "http";
    url.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  size_t slash = url.find('/');
  std::string_view hostport = url.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : url.substr(slash);
  while (path.ends_with('/')) path.remove_suffix(1);
  e.base_path = std::string(path);
  if (hostport.empty()) return std::nullopt;
  size_t colon = hostport.rfind(':');
  if (colon != std::string_view::npos && hostport.find(']') == std::string_view::npos) {
    std::string port(hostport.substr(colon + 1));
    char* end = nullptr;
    long p = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || p <= 0 || p > 65535) return std::nullopt;
    e.port = static_cast<int>(p);
    hostport = hostport.substr(0, colon);
  }
  e.host = util::to_lower(hostport);
  e.custom = true;
  return e;
}

Client::Client(ClientConfig config) : config_(std::move(config)) {
  if (!config_.http) config_.http = make_curl_client();
  CredentialSources sources;
  sources.env = config_.env;
  sources.now = config_.now;
  auto http = config_.http;
  // Container credentials and instance metadata: short timeouts, one try, so
  // a laptop without them moves on quickly.
  sources.http = [http](const HttpCall& c) -> std::optional<HttpReply> {
    HttpRequest req;
    req.method = c.method;
    req.url = c.url;
    for (const auto& [k, v] : c.headers) req.headers.push_back({k, v});
    if (c.method == "PUT") req.headers.push_back({"Content-Type", "text/plain"});
    req.connect_timeout = 1;
    req.stall_timeout = 2;
    try {
      HttpResponse r = http->send(req);
      return HttpReply{r.status, std::move(r.body)};
    } catch (const TransportError&) {
      return std::nullopt;
    }
  };
  sources.assume_role = [this](const AssumeRoleRequest& ar, const Credentials& source) {
    Call call;
    call.service = "sts";
    call.operation = "AssumeRole";
    call.subject = "role " + util::quote(ar.role_arn);
    call.request.method = "POST";
    call.request.headers.push_back(
        {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"});
    call.request.body = assume_role_form_body(ar);
    std::string region = ar.region.empty() ? this->region().value : ar.region;
    HttpResponse r = send_signed(call, source, "the role's source profile", region);
    pugi::xml_document doc;
    doc.load_buffer(r.body.data(), r.body.size());
    pugi::xml_node c = doc.select_node("//Credentials").node();
    Credentials out;
    out.access_key_id = xml_child_text(c, "AccessKeyId");
    out.secret_access_key = xml_child_text(c, "SecretAccessKey");
    out.session_token = xml_child_text(c, "SessionToken");
    out.expiration = parse_aws_time(xml_child_text(c, "Expiration"));
    if (out.access_key_id.empty() || out.secret_access_key.empty()) {
      throw Error("sts AssumeRole of role " + util::quote(ar.role_arn) +
                  " returned no credentials");
    }
    return out;
  };
  credentials_ = std::make_unique<CredentialCache>(std::move(sources));
}

const SharedConfig& Client::shared_config() {
  std::call_once(shared_once_, [this] { shared_ = load_shared_config(config_.env); });
  return *shared_;
}

const Resolved& Client::region() {
  const SharedConfig& shared = shared_config();
  std::lock_guard lock(mutex_);
  if (!region_) region_ = require_region(config_.env, shared);
  return *region_;
}

Endpoint Client::endpoint(const std::string& service) {
  if (auto custom = resolve_endpoint(service, config_.env, shared_config())) {
    std::optional<Endpoint> e = parse_endpoint_url(custom->value);
    if (!e) {
      throw Error(custom->source + " is not an http(s) URL: " + util::quote(custom->value),
                  "use a URL such as http://127.0.0.1:5000");
    }
    e->source = custom->source;
    return *e;
  }
  Endpoint e;
  const std::string& r = region().value;
  e.host = service + "." + r + ".amazonaws.com";
  if (r.starts_with("cn-")) e.host += ".cn";
  e.source = "default for " + r;
  return e;
}

ResolvedCredentials Client::credentials() { return credentials_->get(); }

HttpResponse Client::call(const Call& c) {
  ResolvedCredentials creds = credentials();
  return send_signed(c, creds.credentials, creds.source, region().value);
}

HttpResponse Client::send_signed(const Call& c, const Credentials& creds,
                                 const std::string& cred_source, const std::string& region_name) {
  Endpoint ep = endpoint(c.service);
  Request base = c.request;
  if (base.host.empty()) {
    base.scheme = ep.scheme;
    base.host = ep.host;
    base.port = ep.port;
    base.path = ep.base_path + (base.path.empty() ? "/" : base.path);
  }
  if (!c.body_file.empty() && base.payload_sha256.empty() &&
      c.mode != PayloadMode::unsigned_payload_header) {
    throw std::logic_error("internal: a streamed body needs its SHA-256 or UNSIGNED-PAYLOAD");
  }
  const std::string what =
      c.service + " " + c.operation + (c.subject.empty() ? "" : " of " + c.subject);
  const auto started = steady_clock::now();
  std::string last_problem;
  int attempt = 0;
  for (;;) {
    ++attempt;
    if (attempt > 1) stats_.retries++;
    stats_.requests++;
    if (c.on_attempt) c.on_attempt();
    Request req = base;
    SignedHeaders signed_headers =
        sign(req, creds, region_name, c.service, config_.now(), c.mode);
    HttpRequest http;
    http.method = req.method;
    http.url = wire_url(req);
    http.headers = req.headers;
    for (auto& h : signed_headers.headers) http.headers.push_back(std::move(h));
    http.body = req.body;
    http.body_file = c.body_file;
    http.body_offset = c.body_offset;
    http.body_length = c.body_length;
    http.on_body = c.on_body;
    http.on_upload = c.on_upload;
    http.stall_timeout = stall_seconds(config_.env);

    Outcome outcome;
    std::string code, message;
    int status = 0;
    std::optional<HttpResponse> resp;
    const auto t0 = steady_clock::now();
    try {
      resp = config_.http->send(http);
      status = resp->status;
      bool accepted = std::find(c.accept_status.begin(), c.accept_status.end(), status) !=
                      c.accept_status.end();
      if ((status >= 200 && status < 300) || accepted) {
        log::debug("{} {} -> {} ({} ms)", c.service, c.operation, status,
                   std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - t0)
                       .count());
        return std::move(*resp);
      }
      std::tie(code, message) = error_of(*resp);
      outcome = classify(status, code);
      last_problem = "HTTP " + std::to_string(status) + (code.empty() ? "" : " " + code) +
                     (message.empty() ? "" : ": " + message);
    } catch (const TransportError& e) {
      if (e.kind == TransportError::Kind::aborted) {
        throw Error(what + " was aborted: " + e.message);
      }
      outcome = e.kind == TransportError::Kind::timeout ? Outcome::timeout : Outcome::transport;
      last_problem = e.message;
    }
    const auto elapsed = steady_clock::now() - started;
    if (retryable(outcome) && attempt < config_.retry.max_attempts &&
        elapsed < config_.retry.budget) {
      auto wait = backoff(config_.retry, attempt + 1, t_rng);
      log::debug("{} failed ({}); attempt {} of {} in {} ms", what, last_problem, attempt + 1,
                 config_.retry.max_attempts, wait.count());
      std::this_thread::sleep_for(wait);
      continue;
    }
    stats_.failures++;
    std::string tries = attempt > 1 ? " (after " + std::to_string(attempt) + " attempts)" : "";
    if (status == 0) {
      throw AwsError("cannot reach " + c.service + " at " + host_header(base) + " for " +
                         c.operation + ": " + last_problem + tries,
                     "check the network, AWS_ENDPOINT_URL and AWS_REGION (endpoint from " +
                         ep.source + ")",
                     "", 0);
    }
    std::string hint = hint_for(code, c.operation, cred_source);
    if (hint.empty() && outcome == Outcome::throttled) {
      hint = "AWS kept throttling: try again later, or with fewer parallel transfers (--jobs)";
    }
    throw AwsError(what + " failed: " + last_problem + tries, hint, code, status);
  }
}

nlohmann::json Client::call_json(const std::string& service, const std::string& target_prefix,
                                 const std::string& operation, const nlohmann::json& body,
                                 const std::string& subject) {
  Call c;
  c.service = service;
  c.operation = operation;
  c.subject = subject;
  c.request.method = "POST";
  c.request.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                       {"X-Amz-Target", target_prefix + "." + operation}};
  c.request.body = body.dump();
  HttpResponse r = call(c);
  if (r.body.empty()) return nlohmann::json::object();
  nlohmann::json out = nlohmann::json::parse(r.body, nullptr, false);
  // Callers index the answer by name: an array or a scalar would throw
  // nlohmann's type_error there instead of this message.
  if (out.is_discarded() || !out.is_object()) {
    throw Error(service + " " + operation + " returned a body that is not a JSON object");
  }
  return out;
}

std::string Client::call_query(const std::string& service, const std::string& action,
                               const std::string& version,
                               const std::vector<std::pair<std::string, std::string>>& params,
                               const std::string& subject) {
  Call c;
  c.service = service;
  c.operation = action;
  c.subject = subject;
  c.request.method = "POST";
  c.request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  std::string body = "Action=" + uri_encode(action, true) + "&Version=" + uri_encode(version, true);
  for (const auto& [k, v] : params) body += "&" + uri_encode(k, true) + "=" + uri_encode(v, true);
  c.request.body = std::move(body);
  return call(c).body;
}

std::string Client::account_id() {
  {
    std::lock_guard lock(mutex_);
    if (account_id_) return *account_id_;
  }
  std::string xml = call_query("sts", "GetCallerIdentity", k_sts_version, {});
  pugi::xml_document doc;
  doc.load_buffer(xml.data(), xml.size());
  std::string id = doc.select_node("//Account") ? doc.select_node("//Account").node().text().get()
                                                : "";
  if (id.empty()) throw Error("sts GetCallerIdentity returned no Account");
  std::lock_guard lock(mutex_);
  account_id_ = id;
  return id;
}

}  // namespace handoff::aws
