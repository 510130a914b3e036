#pragma once
// The account's default VPC and its subnets, where the resources stack runs
// tasks unless --new-vpc is given: EC2 DescribeVpcs (isDefault=true) and
// DescribeSubnets (vpc-id), query protocol version 2016-11-15.
#include <optional>
#include <string>
#include <vector>

#include "aws/client.h"

namespace handoff::cloud {

struct DefaultVpc {
  std::string id;
  std::vector<std::string> subnet_ids;  ///< sorted, so an update sends the same list
};

/// The default VPC's id from a DescribeVpcs response ("" when there is none).
std::string parse_vpc_id(const std::string& xml);
/// Every subnetId of a DescribeSubnets response (one page), and its nextToken.
std::vector<std::string> parse_subnet_ids(const std::string& xml, std::string* next_token);

/// nullopt when the region has no default VPC; throws AwsError when EC2 says no.
std::optional<DefaultVpc> find_default_vpc(aws::Client& client);

}  // namespace handoff::cloud
