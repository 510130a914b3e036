#include "aws/cloudformation.h"

#include <pugixml.hpp>

#include "util/error.h"
#include "util/strings.h"

namespace handoff::aws {

namespace {

constexpr const char* k_version = "2010-05-15";

// pugixml keeps the default namespace out of element names, so the
// documented names work as they are.
std::string child_text(const pugi::xml_node& node, const char* name) {
  return node.child(name).text().get();
}

pugi::xml_document load(const std::string& xml, const char* operation) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) {
    throw Error(std::string("cloudformation ") + operation + " returned a body that is not XML",
                "check AWS_ENDPOINT_URL: the endpoint may not be CloudFormation");
  }
  return doc;
}

std::string subject_of(const std::string& name) { return "stack " + util::quote(name); }

}  // namespace

QueryParams stack_request_params(const StackRequest& r) {
  QueryParams p;
  p.emplace_back("StackName", r.name);
  p.emplace_back("TemplateBody", r.template_body);
  for (size_t i = 0; i < r.parameters.size(); ++i) {
    std::string base = "Parameters.member." + std::to_string(i + 1) + ".";
    p.emplace_back(base + "ParameterKey", r.parameters[i].first);
    p.emplace_back(base + "ParameterValue", r.parameters[i].second);
  }
  if (r.named_iam) p.emplace_back("Capabilities.member.1", "CAPABILITY_NAMED_IAM");
  for (size_t i = 0; i < r.tags.size(); ++i) {
    std::string base = "Tags.member." + std::to_string(i + 1) + ".";
    p.emplace_back(base + "Key", r.tags[i].first);
    p.emplace_back(base + "Value", r.tags[i].second);
  }
  return p;
}

std::optional<Stack> parse_describe_stacks(const std::string& xml) {
  pugi::xml_document doc = load(xml, "DescribeStacks");
  pugi::xpath_node member = doc.select_node("//Stacks/member");
  if (!member) return std::nullopt;
  pugi::xml_node m = member.node();
  Stack s;
  s.id = child_text(m, "StackId");
  s.name = child_text(m, "StackName");
  s.status = child_text(m, "StackStatus");
  s.status_reason = child_text(m, "StackStatusReason");
  s.creation_time = child_text(m, "CreationTime");
  s.last_updated_time = child_text(m, "LastUpdatedTime");
  for (pugi::xml_node p : m.child("Parameters").children("member")) {
    s.parameters.emplace_back(child_text(p, "ParameterKey"), child_text(p, "ParameterValue"));
  }
  for (pugi::xml_node o : m.child("Outputs").children("member")) {
    s.outputs.push_back({child_text(o, "OutputKey"), child_text(o, "OutputValue"),
                         child_text(o, "Description"), child_text(o, "ExportName")});
  }
  return s;
}

StackEventsPage parse_describe_stack_events(const std::string& xml) {
  pugi::xml_document doc = load(xml, "DescribeStackEvents");
  StackEventsPage page;
  pugi::xml_node result = doc.select_node("//DescribeStackEventsResult").node();
  for (pugi::xml_node m : result.child("StackEvents").children("member")) {
    StackEvent e;
    e.id = child_text(m, "EventId");
    e.timestamp = child_text(m, "Timestamp");
    e.logical_id = child_text(m, "LogicalResourceId");
    e.physical_id = child_text(m, "PhysicalResourceId");
    e.resource_type = child_text(m, "ResourceType");
    e.status = child_text(m, "ResourceStatus");
    e.reason = child_text(m, "ResourceStatusReason");
    page.events.push_back(std::move(e));
  }
  page.next_token = child_text(result, "NextToken");
  return page;
}

std::string parse_stack_id(const std::string& xml) {
  pugi::xml_document doc = load(xml, "CreateStack");
  pugi::xpath_node id = doc.select_node("//StackId");
  return id ? id.node().text().get() : "";
}

bool is_missing_stack(const AwsError& e) {
  return e.code() == "ValidationError" && std::string_view(e.what()).find("does not exist") !=
                                              std::string_view::npos;
}

bool is_no_updates(const AwsError& e) {
  return e.code() == "ValidationError" &&
         std::string_view(e.what()).find("No updates are to be performed") != std::string_view::npos;
}

std::string CloudFormation::create_stack(const StackRequest& request) {
  std::string xml = client_.call_query("cloudformation", "CreateStack", k_version,
                                       stack_request_params(request), subject_of(request.name));
  return parse_stack_id(xml);
}

std::optional<std::string> CloudFormation::update_stack(const StackRequest& request) {
  try {
    std::string xml = client_.call_query("cloudformation", "UpdateStack", k_version,
                                         stack_request_params(request), subject_of(request.name));
    return parse_stack_id(xml);
  } catch (const AwsError& e) {
    if (is_no_updates(e)) return std::nullopt;
    throw;
  }
}

void CloudFormation::delete_stack(const std::string& name_or_id) {
  client_.call_query("cloudformation", "DeleteStack", k_version, {{"StackName", name_or_id}},
                     subject_of(name_or_id));
}

std::optional<Stack> CloudFormation::describe_stack(const std::string& name_or_id) {
  try {
    return parse_describe_stacks(client_.call_query("cloudformation", "DescribeStacks", k_version,
                                                    {{"StackName", name_or_id}},
                                                    subject_of(name_or_id)));
  } catch (const AwsError& e) {
    if (is_missing_stack(e)) return std::nullopt;
    throw;
  }
}

std::vector<StackEvent> CloudFormation::describe_stack_events(
    const std::string& name_or_id, const std::function<bool(const StackEvent&)>& stop_at) {
  std::vector<StackEvent> out;
  std::string token;
  do {
    QueryParams params = {{"StackName", name_or_id}};
    if (!token.empty()) params.emplace_back("NextToken", token);
    StackEventsPage page = parse_describe_stack_events(client_.call_query(
        "cloudformation", "DescribeStackEvents", k_version, params, subject_of(name_or_id)));
    for (auto& e : page.events) {
      if (stop_at && stop_at(e)) return out;
      out.push_back(std::move(e));
    }
    token = page.next_token;
  } while (!token.empty());
  return out;
}

}  // namespace handoff::aws
