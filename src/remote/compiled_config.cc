#include "remote/compiled_config.h"

#include <fmt/format.h>

#include "remote/py_json.h"
#include "store/ssm_rules.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/strings.h"

namespace handoff::remote {

std::string compile_config(const project::Project& project) {
  tmpl::Value doc = project.raw.is_object() ? project.raw : tmpl::Value::object();
  tmpl::Value files = tmpl::Value::array();
  for (const auto& f : project.config_files) {
    tmpl::Value entry = tmpl::Value::object();
    entry["name"] = f.name;
    entry["value"] = f.text;
    files.push_back(std::move(entry));
  }
  doc["files"] = std::move(files);
  return python_json_dumps(doc);
}

store::ParameterTier tier_for(const std::string& name, const std::string& value,
                              bool allow_advanced) {
  if (value.size() > store::k_advanced_value_limit) {
    throw Error(fmt::format("parameter '{}' is {} bytes, over SSM's limit of {} bytes (Advanced tier); "
                            "nothing was written",
                            name, value.size(), store::k_advanced_value_limit),
                "make the value smaller: move large settings into files/ (handoff files push)");
  }
  if (value.size() > store::k_standard_value_limit) {
    if (!allow_advanced) {
      throw Error(fmt::format("parameter '{}' is {} bytes, over the Standard tier's limit of {} bytes; "
                              "nothing was written",
                              name, value.size(), store::k_standard_value_limit),
                  "pass -t/--allow-advanced-tier to store it in the Advanced tier (up to 8192 bytes)");
    }
    store::check_parameter(name, value, store::ParameterTier::advanced);
    return store::ParameterTier::advanced;
  }
  store::check_parameter(name, value, store::ParameterTier::standard);
  return store::ParameterTier::standard;
}

void write_compiled_config(const std::string& json_text, const std::filesystem::path& workspace) {
  tmpl::Value doc = tmpl::Value::parse(json_text, nullptr, false);
  if (!doc.is_object()) {
    throw Error("the stored config is not a JSON object",
                "push it again: handoff push_config -p PROJECT_DIR");
  }
  tmpl::Value files = doc.contains("files") ? doc["files"] : tmpl::Value::array();
  doc.erase("files");
  util::make_dirs(workspace);
  util::write_file_atomic(workspace / "project.yml", doc.dump(2) + "\n", 0600);
  if (!files.is_array()) return;
  auto dir = workspace / "config";
  for (const auto& f : files) {
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string()) continue;
    std::string name = f["name"].get<std::string>();
    auto target = dir / name;
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == ".." ||
        !util::is_within(target, dir)) {
      throw Error("refusing config file name " + util::quote(name) + " from the stored config",
                  "config files are plain names under config/; push the config again");
    }
    util::make_dirs(dir);
    std::string value = f.contains("value") && f["value"].is_string() ? f["value"].get<std::string>() : "";
    util::write_file_atomic(target, value, 0600);
  }
}

}  // namespace handoff::remote
