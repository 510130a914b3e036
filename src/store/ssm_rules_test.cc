#include "store/ssm_rules.h"

#include <gtest/gtest.h>

#include <string>

#include "util/error.h"

namespace handoff::store {
namespace {

// The message of the Error that f throws ("" when it throws none).
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

template <typename F>
std::string hint_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.hint();
  }
  return "";
}

TEST(SsmRules, AcceptsHierarchicalAndFlatNames) {
  EXPECT_NO_THROW(check_parameter_name("/handoff/dev-handoff-etl/exchange-rates/password"));
  EXPECT_NO_THROW(check_parameter_name("/handoff/dev-handoff-etl/google_client_secret"));
  EXPECT_NO_THROW(check_parameter_name("my-stack_config"));
  EXPECT_NO_THROW(check_parameter_name("/a.b-c_D9"));
}

TEST(SsmRules, RefusesCharactersOutsideTheAllowedSet) {
  EXPECT_EQ(error_of([] { check_parameter_name("/handoff/my key"); }),
            "parameter name '/handoff/my key' has a character SSM does not allow: ' '");
  EXPECT_EQ(hint_of([] { check_parameter_name("/handoff/my key"); }), "use only letters, digits and _ . - /");
  EXPECT_NE(error_of([] { check_parameter_name("/a/b+c"); }), "");
  EXPECT_NE(error_of([] { check_parameter_name("/a/b@c"); }), "");
  EXPECT_NE(error_of([] { check_parameter_name("/a/\xc3\xa9"); }), "");
}

TEST(SsmRules, HierarchyMustBeFullyQualifiedWithoutEmptyLevels) {
  EXPECT_EQ(error_of([] { check_parameter_name("handoff/x"); }),
            "parameter name 'handoff/x' has a hierarchy but does not start with '/'");
  EXPECT_EQ(hint_of([] { check_parameter_name("handoff/x"); }), "write it fully qualified: '/handoff/x'");
  EXPECT_EQ(error_of([] { check_parameter_name("/a//b"); }), "parameter name '/a//b' has an empty level");
  EXPECT_NE(error_of([] { check_parameter_name("/a/"); }), "");
  EXPECT_NE(error_of([] { check_parameter_name("/"); }), "");
  EXPECT_EQ(error_of([] { check_parameter_name(""); }), "parameter name is empty");
}

TEST(SsmRules, AllowsAtMostFifteenLevels) {
  std::string name;
  for (int i = 0; i < 15; ++i) name += "/l" + std::to_string(i);
  EXPECT_NO_THROW(check_parameter_name(name));
  name += "/l15";
  EXPECT_EQ(error_of([&] { check_parameter_name(name); }),
            "parameter name '" + name + "' has 16 levels, more than the 15 SSM allows");
}

TEST(SsmRules, AllowsAtMost2048Characters) {
  std::string name = "/" + std::string(2047, 'x');
  EXPECT_NO_THROW(check_parameter_name(name));
  name += "x";
  EXPECT_EQ(error_of([&] { check_parameter_name(name); }),
            "parameter name '/" + std::string(39, 'x') +
                "'... is 2049 characters, more than the 2048 SSM allows");
}

TEST(SsmRules, RefusesTheReservedPrefixes) {
  EXPECT_EQ(error_of([] { check_parameter_name("/AWS/x"); }),
            "parameter name '/AWS/x' starts with 'aws', which SSM reserves");
  EXPECT_NE(error_of([] { check_parameter_name("ssmthing"); }), "");
  EXPECT_NE(error_of([] { check_parameter_name("/awsome/x"); }), "");
  EXPECT_NO_THROW(check_parameter_name("/handoff/aws"));
}

TEST(SsmRules, PathsForGetByPath) {
  EXPECT_NO_THROW(check_parameter_path("/"));
  EXPECT_NO_THROW(check_parameter_path("/handoff/rg"));
  EXPECT_NO_THROW(check_parameter_path("/handoff/rg/"));
  EXPECT_EQ(error_of([] { check_parameter_path("handoff"); }),
            "parameter path 'handoff' does not start with '/'");
  EXPECT_NE(error_of([] { check_parameter_path("/a//b"); }), "");
  EXPECT_NE(error_of([] { check_parameter_path("/a b"); }), "");
}

TEST(SsmRules, StandardTierHoldsUpTo4096Bytes) {
  EXPECT_NO_THROW(check_parameter("/p", std::string(4096, 'a'), ParameterTier::standard));
  auto over = [] { check_parameter("/p", std::string(4097, 'a'), ParameterTier::standard); };
  EXPECT_EQ(error_of(over),
            "parameter '/p' is 4097 bytes, over the Standard tier's limit of 4096 bytes (nothing was written)");
  EXPECT_EQ(hint_of(over),
            "pass --allow-advanced-tier (-t) to store it in the Advanced tier (up to 8192 bytes)");
  EXPECT_NO_THROW(check_parameter("/p", std::string(4097, 'a'), ParameterTier::advanced));
}

TEST(SsmRules, NoTierHoldsMoreThan8192Bytes) {
  EXPECT_NO_THROW(check_parameter("/p", std::string(8192, 'a'), ParameterTier::advanced));
  for (auto tier : {ParameterTier::standard, ParameterTier::advanced}) {
    auto over = [tier] { check_parameter("/p", std::string(8193, 'a'), tier); };
    EXPECT_EQ(error_of(over),
              "parameter '/p' is 8193 bytes, over SSM's limit of 8192 bytes in any tier (nothing was written)");
    EXPECT_EQ(hint_of(over), "make the value smaller: keep large files in S3 (files push), not in a parameter");
  }
}

TEST(SsmRules, SizeIsCountedInUtf8Bytes) {
  std::string e_acute = "\xc3\xa9";  // é: one character, two bytes
  std::string value;
  for (int i = 0; i < 2049; ++i) value += e_acute;  // 2049 characters, 4098 bytes
  EXPECT_EQ(error_of([&] { check_parameter("/p", value, ParameterTier::standard); }),
            "parameter '/p' is 4098 bytes, over the Standard tier's limit of 4096 bytes (nothing was written)");
}

TEST(SsmRules, RefusesAnEmptyValueAndABadNameBeforeTheSize) {
  EXPECT_EQ(error_of([] { check_parameter("/p", "", ParameterTier::standard); }),
            "parameter '/p' has an empty value (nothing was written)");
  EXPECT_EQ(error_of([] { check_parameter("/a b", std::string(9000, 'a'), ParameterTier::standard); }),
            "parameter name '/a b' has a character SSM does not allow: ' '");
}

TEST(SsmRules, SpellsTypesAndTiersAsSsm) {
  EXPECT_EQ(to_string(ParameterType::string), "String");
  EXPECT_EQ(to_string(ParameterType::secure_string), "SecureString");
  EXPECT_EQ(to_string(ParameterTier::standard), "Standard");
  EXPECT_EQ(to_string(ParameterTier::advanced), "Advanced");
}

}  // namespace
}  // namespace handoff::store
