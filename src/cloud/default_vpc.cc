#include "cloud/default_vpc.h"

#include <algorithm>

#include <pugixml.hpp>

#include "util/error.h"

namespace handoff::cloud {

namespace {

constexpr const char* k_ec2_version = "2016-11-15";

pugi::xml_document load(const std::string& xml, const char* operation) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) {
    throw Error(std::string("ec2 ") + operation + " returned a body that is not XML",
                "check AWS_ENDPOINT_URL: the endpoint may not be EC2");
  }
  return doc;
}

}  // namespace

std::string parse_vpc_id(const std::string& xml) {
  pugi::xml_document doc = load(xml, "DescribeVpcs");
  for (pugi::xpath_node n : doc.select_nodes("//vpcSet/item")) {
    pugi::xml_node item = n.node();
    if (std::string(item.child("isDefault").text().get()) == "true") {
      return item.child("vpcId").text().get();
    }
  }
  return "";
}

std::vector<std::string> parse_subnet_ids(const std::string& xml, std::string* next_token) {
  pugi::xml_document doc = load(xml, "DescribeSubnets");
  std::vector<std::string> ids;
  for (pugi::xpath_node n : doc.select_nodes("//subnetSet/item/subnetId")) {
    ids.emplace_back(n.node().text().get());
  }
  if (next_token) {
    pugi::xpath_node t = doc.select_node("/*/nextToken");
    *next_token = t ? t.node().text().get() : "";
  }
  return ids;
}

std::optional<DefaultVpc> find_default_vpc(aws::Client& client) {
  std::string vpcs = client.call_query(
      "ec2", "DescribeVpcs", k_ec2_version,
      {{"Filter.1.Name", "isDefault"}, {"Filter.1.Value.1", "true"}}, "the default VPC");
  DefaultVpc vpc;
  vpc.id = parse_vpc_id(vpcs);
  if (vpc.id.empty()) return std::nullopt;
  std::string token;
  do {
    std::vector<std::pair<std::string, std::string>> params = {{"Filter.1.Name", "vpc-id"},
                                                               {"Filter.1.Value.1", vpc.id}};
    if (!token.empty()) params.emplace_back("NextToken", token);
    std::string xml = client.call_query("ec2", "DescribeSubnets", k_ec2_version, params,
                                        "subnets of " + vpc.id);
    for (auto& id : parse_subnet_ids(xml, &token)) vpc.subnet_ids.push_back(std::move(id));
  } while (!token.empty());
  std::sort(vpc.subnet_ids.begin(), vpc.subnet_ids.end());
  return vpc;
}

}  // namespace handoff::cloud
