// What AWS services answer, through the real client (signing, retries, the
// error shapes of client.cc) and each service's response handling: SSM, ECS
// and Logs (JSON protocol), CloudFormation and STS (query protocol, XML), S3
// (REST, XML and headers). Only the HTTP seam is replaced: it plays back the
// responses in the input.
//
// Input: the first line names the call (an unknown name picks one by hash, so
// every input exercises something); then responses separated by "%%" lines,
// each "STATUS\nheader: value\n...\n\nbody" (a first line that is not a
// status makes the whole part a 200 body). When the responses run out, the
// connection is refused.
#include <map>
#include <nlohmann/json.hpp>

#include "aws/client.h"
#include "aws/cloudformation.h"
#include "aws/ecs.h"
#include "aws/logs.h"
#include "aws/s3.h"
#include "aws/ssm.h"
#include "fuzz_util.h"

using namespace handoff;
using namespace handoff::aws;

namespace {

struct Playback : HttpClient {
  std::vector<HttpResponse> responses;
  size_t next = 0;

  HttpResponse send(const HttpRequest& req) override {
    if (next >= responses.size()) throw TransportError{TransportError::Kind::connect, "refused"};
    HttpResponse r = responses[next++];
    if (req.on_body && r.status >= 200 && r.status < 300) {
      if (!req.on_body(r.body.data(), r.body.size())) {
        throw TransportError{TransportError::Kind::aborted, "aborted by the sink"};
      }
      r.body.clear();
    }
    return r;
  }
};

HttpResponse parse_response(std::string_view part) {
  HttpResponse r;
  size_t nl = part.find('\n');
  std::string_view first = part.substr(0, nl);
  if (first.empty() || first.size() > 3 || first.find_first_not_of("0123456789") != first.npos) {
    r.status = 200;
    r.body = part;
    return r;
  }
  r.status = std::stoi(std::string(first));
  part = nl == part.npos ? std::string_view() : part.substr(nl + 1);
  while (!part.empty()) {
    nl = part.find('\n');
    std::string_view line = part.substr(0, nl);
    part = nl == part.npos ? std::string_view() : part.substr(nl + 1);
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == line.npos) continue;
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (value.starts_with(' ')) value.remove_prefix(1);
    r.headers.push_back({name, std::string(value)});
  }
  r.body = part;
  return r;
}

using Call = void (*)(Client&);

const std::vector<std::pair<std::string, Call>>& calls() {
  static const std::vector<std::pair<std::string, Call>> k_calls = {
      {"ssm.get_parameter", [](Client& c) { ssm::get_parameter(c, "/handoff/x", true); }},
      {"ssm.get_parameters_by_path",
       [](Client& c) { ssm::get_parameters_by_path(c, "/handoff/", true, true); }},
      {"ssm.put_parameter",
       [](Client& c) { ssm::put_parameter(c, "/handoff/x", "v", "SecureString", "Standard", true); }},
      {"ssm.delete_parameter", [](Client& c) { ssm::delete_parameter(c, "/handoff/x"); }},
      {"ecs.list_task_definitions", [](Client& c) { ecs::list_task_definitions(c, "handoff"); }},
      {"ecs.run_task",
       [](Client& c) {
         ecs::RunTaskInput in;
         in.cluster = "c";
         in.task_definition = "handoff:1";
         in.container = "handoff";
         in.subnets = {"subnet-1"};
         ecs::run_task(c, in);
       }},
      {"ecs.list_tasks", [](Client& c) { ecs::list_tasks(c, "c", "RUNNING", "handoff"); }},
      {"ecs.describe_tasks", [](Client& c) { ecs::describe_tasks(c, "c", {"t1", "t2"}); }},
      {"ecs.stop_task", [](Client& c) { ecs::stop_task(c, "c", "t1", "stopped by fuzz"); }},
      {"logs.filter_log_events",
       [](Client& c) {
         logs::FilterInput in;
         in.log_group = "/handoff/x";
         logs::filter_log_events(c, in);
       }},
      {"cfn.create_stack", [](Client& c) { CloudFormation(c).create_stack({"s", "{}", {}, {}, true}); }},
      {"cfn.update_stack", [](Client& c) { CloudFormation(c).update_stack({"s", "{}", {}, {}, true}); }},
      {"cfn.describe_stack", [](Client& c) { CloudFormation(c).describe_stack("s"); }},
      {"cfn.describe_stack_events", [](Client& c) { CloudFormation(c).describe_stack_events("s"); }},
      {"sts.account_id", [](Client& c) { c.account_id(); }},
  };
  return k_calls;
}

using S3Call = void (*)(s3::S3Client&);

const std::vector<std::pair<std::string, S3Call>>& s3_calls() {
  static const std::vector<std::pair<std::string, S3Call>> k_calls = {
      {"s3.list_all", [](s3::S3Client& c) { c.list_all("bucket", "prefix/"); }},
      {"s3.head_object", [](s3::S3Client& c) { c.head_object("bucket", "k"); }},
      {"s3.get_object",
       [](s3::S3Client& c) {
         c.get_object("bucket", "k", [](const char*, size_t) { return true; }, [] {});
       }},
      {"s3.put_if_absent", [](s3::S3Client& c) { c.put_if_absent("bucket", "k", "bytes"); }},
      {"s3.create_multipart", [](s3::S3Client& c) { c.create_multipart("bucket", "k", "text/plain"); }},
      {"s3.complete_multipart",
       [](s3::S3Client& c) { c.complete_multipart("bucket", "k", "upload-1", {"e1", "e2"}); }},
      {"s3.copy_object", [](s3::S3Client& c) { c.copy_object("bucket", "a", "b"); }},
      {"s3.delete_objects", [](s3::S3Client& c) { c.delete_objects("bucket", {"a", "b"}); }},
      {"s3.delete_object", [](s3::S3Client& c) { c.delete_object("bucket", "a"); }},
      {"s3.abort_multipart", [](s3::S3Client& c) { c.abort_multipart("bucket", "k", "upload-1"); }},
  };
  return k_calls;
}

Env fixed_env() {
  static const std::map<std::string, std::string> k_env = {
      {"AWS_ACCESS_KEY_ID", "AKIAFUZZ"},
      {"AWS_SECRET_ACCESS_KEY", "fuzz-secret"},
      {"AWS_REGION", "eu-west-1"},
      {"AWS_ENDPOINT_URL", "http://127.0.0.1:9"},
      {"AWS_CONFIG_FILE", "/nonexistent/config"},
      {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"},
      {"AWS_EC2_METADATA_DISABLED", "true"},
  };
  return [](const std::string& name) -> std::optional<std::string> {
    auto it = k_env.find(name);
    if (it == k_env.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::reset_process_state();
  std::string_view text = fuzz::as_view(data, size);
  size_t nl = text.find('\n');
  std::string name(text.substr(0, nl));
  text = nl == text.npos ? std::string_view() : text.substr(nl + 1);

  auto http = std::make_shared<Playback>();
  if (!text.empty()) {
    for (std::string_view part : fuzz::split_parts(text, 64)) {
      http->responses.push_back(parse_response(part));
    }
  }
  ClientConfig config;
  config.env = fixed_env();
  config.http = http;
  // One retry with no wait: the retry path runs, the fuzzer does not sleep.
  config.retry.max_attempts = 2;
  config.retry.base = std::chrono::milliseconds(0);
  config.retry.cap = std::chrono::milliseconds(0);
  config.now = [] { return std::chrono::system_clock::time_point(std::chrono::seconds(1800000000)); };
  auto client = std::make_shared<Client>(config);

  const auto& general = calls();
  const auto& on_s3 = s3_calls();
  size_t total = general.size() + on_s3.size();
  size_t pick = std::hash<std::string>{}(name) % total;
  for (size_t i = 0; i < total; ++i) {
    const std::string& n = i < general.size() ? general[i].first : on_s3[i - general.size()].first;
    if (n == name) pick = i;
  }
  fuzz::expect_clean([&] {
    if (pick < general.size()) {
      general[pick].second(*client);
    } else {
      s3::S3Client s3_client(client);
      on_s3[pick - general.size()].second(s3_client);
    }
  });
  return 0;
}
