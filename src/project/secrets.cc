// The local secrets file (spec §3.1). Messages name keys and files, never a
// value: every value is registered with the redactor before anything else
// can print it.
#include "project/secrets.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "project/loader.h"
#include "project/schema.h"
#include "project/yaml_value.h"
#include "util/error.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/strings.h"

namespace handoff::project {
namespace {

namespace fs = std::filesystem;

// Whole content of a file, or a UsageError naming it (not its content).
std::string read_whole(const fs::path& path) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    throw UsageError(fmt::format("cannot read {}: {}", path.string(),
                                 err != 0 ? std::strerror(err) : "unknown error"),
                     "check the file's permissions");
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Parser {
  detail::Loader& loader;
  const fs::path& secrets_dir;

  void parse(const YAML::Node& node, size_t index, std::vector<Secret>& out) {
    std::string path = detail::item_path("", index);
    Secret secret;
    secret.loc = loader.location(node, {});
    if (!node.IsMap()) {
      loader.problem(node, path,
                     fmt::format("expected a mapping, got {}", detail::node_type_name(node)));
      return;
    }
    detail::Record rec(loader, node, path, schema::key_names("secret_file"));
    Value key = rec.value("key").value_or(Value());
    if (key.is_null() || !(key.is_string() || key.is_number())) {
      loader.problem(node, {}, "key must be defined for secret");
      return;
    }
    secret.key = detail::python_str(key);
    std::string level = util::to_lower(util::trim(rec.string("level").value_or("task")));
    if (level == "resource group" || level == "resource_group") {
      secret.level = SecretLevel::resource_group;
    } else if (level != "task") {
      loader.problem(rec.at("level"), {},
                     fmt::format("secret '{}': unknown level {} (expected task or resource group)",
                                 secret.key, util::quote(level)));
    }
    secret.push = rec.boolean("push").value_or(true);

    Value value = rec.value("value").value_or(Value());
    if (value.is_array() || value.is_object()) {
      loader.problem(rec.at("value"), {},
                     fmt::format("secret '{}': value must be a string or a number, got {}",
                                 secret.key, detail::type_name(value)));
      return;
    }
    if (!value.is_null()) {
      secret.value = detail::python_str(value);
      secret.has_value = true;
    } else if (auto file = rec.string("file")) {
      fs::path file_path = secrets_dir / *file;
      std::error_code ec;
      if (!fs::exists(file_path, ec)) {
        loader.problem(
            rec.at("file"), {},
            fmt::format("secret '{}': {} does not exist", secret.key, file_path.string()));
        return;
      }
      if (!fs::is_regular_file(file_path, ec)) {
        loader.problem(
            rec.at("file"), {},
            fmt::format("secret '{}': {} is not a regular file", secret.key, file_path.string()));
        return;
      }
      secret.value = read_whole(file_path);
      secret.has_value = true;
    } else if (secret.level == SecretLevel::resource_group) {
      log::warning("{}: unregistered resource group level secret: {}", secret.loc.where(),
                   secret.key);
    } else {
      loader.problem(node, {},
                     fmt::format("secret '{}' has neither a value nor a file", secret.key));
      return;
    }
    if (secret.has_value) util::redactor().add(secret.value);
    out.push_back(std::move(secret));
  }
};

}  // namespace

fs::path secrets_file_path(const fs::path& secrets_dir, std::string_view stage) {
  if (stage == "prod") return secrets_dir / "secrets.yml";
  return secrets_dir / fmt::format("{}_secrets.yml", stage);
}

SecretsFile load_secrets(const fs::path& secrets_dir, std::string_view stage) {
  SecretsFile result;
  result.path = secrets_file_path(secrets_dir, stage);
  std::error_code ec;
  if (!fs::exists(result.path, ec)) {
    if (stage == "prod") {
      log::warning("{} not found; running without local secrets", result.path.string());
    } else {
      log::warning(
          "{} not found; running without local secrets (secrets.yml is read only with -s prod)",
          result.path.string());
    }
    return result;
  }
  std::string file = result.path.string();
  if (!fs::is_regular_file(result.path, ec)) {
    throw UsageError(file + " is not a regular file",
                     "the secrets file must be a YAML list of {key, value|file} entries");
  }
  result.secrets = parse_secrets(read_whole(result.path), file, secrets_dir);
  result.found = true;
  return result;
}

std::vector<Secret> parse_secrets(const std::string& text, const std::string& file,
                                  const fs::path& secrets_dir) {
  if (!util::is_valid_utf8(text)) {
    throw UsageError(file + " is not UTF-8 text", "save the secrets file as UTF-8 YAML");
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's messages describe the syntax, not the text, so no value leaks.
    throw UsageError(
        fmt::format("{}:{}:{}: invalid YAML: {}", file, e.mark.line + 1, e.mark.column + 1, e.msg),
        "check the indentation and quoting around that line");
  }
  std::vector<Secret> secrets;
  detail::Loader loader(file);
  if (root.IsSequence()) {
    Parser parser{loader, secrets_dir};
    for (size_t i = 0; i < root.size(); ++i) parser.parse(root[i], i, secrets);
  } else if (!root.IsNull()) {
    loader.problem(root, {},
                   fmt::format("expected a list of secrets, got {}", detail::node_type_name(root)));
  }
  loader.throw_if_problems();
  return secrets;
}

}  // namespace handoff::project
