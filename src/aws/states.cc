#include "aws/states.h"

#include "util/strings.h"

namespace handoff::aws::states {
namespace {

/// j[key] as a string; "" when missing or null (moto sends "NextToken": null).
std::string str(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

std::string subject(const std::string& arn) { return "state machine " + util::quote(arn); }

bool not_found(const AwsError& e) {
  return e.code() == "StateMachineDoesNotExist" || e.code() == "ResourceNotFound";
}

}  // namespace

nlohmann::json call(Client& client, const std::string& operation, const nlohmann::json& body,
                    const std::string& what) {
  Call c;
  c.service = "states";
  c.operation = operation;
  c.subject = what;
  c.request.method = "POST";
  c.request.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                       {"X-Amz-Target", "AWSStepFunctions." + operation}};
  c.request.body = body.dump();
  HttpResponse r = client.call(c);
  if (r.body.empty()) return nlohmann::json::object();
  nlohmann::json out = nlohmann::json::parse(r.body, nullptr, false);
  if (out.is_discarded()) throw Error("states " + operation + " returned a body that is not JSON");
  return out;
}

std::string state_machine_arn(const std::string& region, const std::string& account,
                              const std::string& name) {
  return "arn:aws:states:" + region + ":" + account + ":stateMachine:" + name;
}

std::string create_state_machine(Client& client, const std::string& name, const std::string& definition,
                                 const std::string& role_arn, const nlohmann::json& logging) {
  nlohmann::json body = {{"name", name}, {"definition", definition}, {"roleArn", role_arn},
                         {"type", "STANDARD"}};
  if (!logging.is_null()) body["loggingConfiguration"] = logging;
  return str(call(client, "CreateStateMachine", body, "state machine " + util::quote(name)),
             "stateMachineArn");
}

void update_state_machine(Client& client, const std::string& arn, const std::string& definition,
                          const std::string& role_arn, const nlohmann::json& logging) {
  nlohmann::json body = {{"stateMachineArn", arn}, {"definition", definition}, {"roleArn", role_arn}};
  if (!logging.is_null()) body["loggingConfiguration"] = logging;
  call(client, "UpdateStateMachine", body, subject(arn));
}

std::optional<StateMachine> describe_state_machine(Client& client, const std::string& arn) {
  try {
    nlohmann::json r = call(client, "DescribeStateMachine", {{"stateMachineArn", arn}}, subject(arn));
    return StateMachine{arn, str(r, "name"), str(r, "definition"),
                        str(r, "roleArn"), str(r, "status")};
  } catch (const AwsError& e) {
    if (not_found(e)) return std::nullopt;
    throw;
  }
}

bool delete_state_machine(Client& client, const std::string& arn) {
  try {
    call(client, "DeleteStateMachine", {{"stateMachineArn", arn}}, subject(arn));
    return true;
  } catch (const AwsError& e) {
    if (not_found(e)) return false;
    throw;
  }
}

}  // namespace handoff::aws::states
