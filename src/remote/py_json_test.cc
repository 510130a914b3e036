#include "remote/py_json.h"

#include <gtest/gtest.h>

#include "project/load.h"
#include "remote/compiled_config.h"
#include "util/error.h"

namespace handoff::remote {
namespace {

TEST(PythonJson, SeparatorsAndKeyOrderAsJsonDumps) {
  auto v = tmpl::Value::parse(R"({"b": 1, "a": [true, false, null], "c": {}, "d": []})");
  EXPECT_EQ(python_json_dumps(v), R"({"b": 1, "a": [true, false, null], "c": {}, "d": []})");
}

TEST(PythonJson, NonAsciiAsLowerCaseEscapesWithSurrogatePairs) {
  tmpl::Value v = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \x7f";
  EXPECT_EQ(python_json_dumps(v), R"("caf\u00e9 \u20ac \ud83d\ude00 \u007f")");
}

TEST(PythonJson, ControlCharactersAndQuotes) {
  tmpl::Value v = std::string("a\"b\\c\n\t\r\b\f\x01", 11);
  EXPECT_EQ(python_json_dumps(v), R"("a\"b\\c\n\t\r\b\f\u0001")");
}

TEST(PythonJson, FloatsAsPythonRepr) {
  EXPECT_EQ(python_float_repr(1.0), "1.0");
  EXPECT_EQ(python_float_repr(0.1), "0.1");
  EXPECT_EQ(python_float_repr(-2.5), "-2.5");
  EXPECT_EQ(python_float_repr(100000.0), "100000.0");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1.5e16), "1.5e+16");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(0.00001), "1e-05");
  EXPECT_EQ(python_float_repr(123456789012345.6), "123456789012345.6");
  EXPECT_EQ(python_float_repr(0.0), "0.0");
  EXPECT_EQ(python_float_repr(-0.0), "-0.0");
}

// The seed document's example string (seed/000_287505419219ad50.txt), byte for byte.
TEST(CompiledConfig, SeedExampleByteForByte) {
  const char* yaml = R"(commands:
  - command: tap-exchangeratesapi
    args: --config config/tap-config.json
    venv: proc_01
    installs:
      - pip install tap-exchangeratesapi
  - command: files/stats_collector.py
    venv: proc_01
  - command: target-csv
    venv: proc_02
    installs:
      - pip install target-csv
)";
  auto project = project::load_project_text(yaml, "/nonexistent", "project.yml");
  project.config_files = {{"tap-config.json", "{ \"base\": \"JPY\", \"start_date\": \"2020-07-09\" }\n"}};
  EXPECT_EQ(compile_config(project),
            R"({"commands": [{"command": "tap-exchangeratesapi", "args": "--config config/tap-config.json", )"
            R"("venv": "proc_01", "installs": ["pip install tap-exchangeratesapi"]}, {"command": )"
            R"("files/stats_collector.py", "venv": "proc_01"}, {"command": "target-csv", "venv": "proc_02", )"
            R"("installs": ["pip install target-csv"]}], "files": [{"name": "tap-config.json", "value": )"
            R"("{ \"base\": \"JPY\", \"start_date\": \"2020-07-09\" }\n"}]})");
}

TEST(CompiledConfig, TierBySize) {
  EXPECT_EQ(tier_for("s_config", std::string(4096, 'x'), false), store::ParameterTier::standard);
  EXPECT_EQ(tier_for("s_config", std::string(4097, 'x'), true), store::ParameterTier::advanced);
  try {
    tier_for("s_config", std::string(5000, 'x'), false);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "parameter 's_config' is 5000 bytes, over the Standard tier's limit of 4096 bytes; "
                 "nothing was written");
    EXPECT_EQ(e.hint(), "pass -t/--allow-advanced-tier to store it in the Advanced tier (up to 8192 bytes)");
  }
  try {
    tier_for("s_config", std::string(9000, 'x'), true);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "parameter 's_config' is 9000 bytes, over SSM's limit of 8192 bytes (Advanced tier); "
                 "nothing was written");
  }
}

}  // namespace
}  // namespace handoff::remote
