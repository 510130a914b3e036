// Tests of the EC2 response parsing behind the default VPC lookup, on
// responses in the documented shape (ec2 2016-11-15).
#include "cloud/default_vpc.h"

#include <gtest/gtest.h>

namespace handoff::cloud {
namespace {

TEST(DefaultVpc, FindsTheDefaultVpcId) {
  const char* xml = R"(<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
    <vpcSet>
      <item><vpcId>vpc-0aaa</vpcId><state>available</state><isDefault>false</isDefault></item>
      <item><vpcId>vpc-1a2b3c4d</vpcId><state>available</state><cidrBlock>172.31.0.0/16</cidrBlock>
        <isDefault>true</isDefault></item>
    </vpcSet>
  </DescribeVpcsResponse>)";
  EXPECT_EQ(parse_vpc_id(xml), "vpc-1a2b3c4d");
  EXPECT_EQ(parse_vpc_id("<DescribeVpcsResponse><vpcSet/></DescribeVpcsResponse>"), "");
}

TEST(DefaultVpc, ListsSubnetsAndTheNextToken) {
  const char* xml = R"(<DescribeSubnetsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
    <subnetSet>
      <item><subnetId>subnet-9d4a7b6c</subnetId><vpcId>vpc-1a2b3c4d</vpcId>
        <tagSet><item><key>Name</key><value>x</value></item></tagSet></item>
      <item><subnetId>subnet-6e7f829e</subnetId><vpcId>vpc-1a2b3c4d</vpcId></item>
    </subnetSet>
    <nextToken>tok2</nextToken>
  </DescribeSubnetsResponse>)";
  std::string token;
  EXPECT_EQ(parse_subnet_ids(xml, &token), (std::vector<std::string>{"subnet-9d4a7b6c", "subnet-6e7f829e"}));
  EXPECT_EQ(token, "tok2");
}

}  // namespace
}  // namespace handoff::cloud
