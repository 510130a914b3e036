#include "store/ssm_rules.h"

#include <fmt/format.h>

#include "util/error.h"
#include "util/strings.h"

namespace handoff::store {

std::string_view to_string(ParameterType type) {
  return type == ParameterType::secure_string ? "SecureString" : "String";
}

std::string_view to_string(ParameterTier tier) {
  return tier == ParameterTier::advanced ? "Advanced" : "Standard";
}

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-' || c == '/';
}

// The levels of a hierarchy must be non-empty: `/a//b` and `/a/` are refused.
void check_levels(std::string_view what, std::string_view name, std::string_view body) {
  size_t levels = 0;
  for (const auto& level : util::split(body, '/')) {
    if (level.empty()) {
      throw Error(fmt::format("{} {} has an empty level", what, util::quote(name)),
                  "write it as /level/level/name, without '//' or a trailing '/'");
    }
    ++levels;
  }
  if (levels > k_max_name_depth) {
    throw Error(fmt::format("{} {} has {} levels, more than the {} SSM allows", what,
                            util::quote(name), levels, k_max_name_depth));
  }
}

}  // namespace

void check_parameter_name(std::string_view name) {
  if (name.empty()) throw Error("parameter name is empty");
  if (name.size() > k_max_name_length) {
    throw Error(fmt::format("parameter name {}... is {} characters, more than the {} SSM allows",
                            util::quote(name.substr(0, 40)), name.size(), k_max_name_length));
  }
  for (char c : name) {
    if (!is_name_char(c)) {
      throw Error(fmt::format("parameter name {} has a character SSM does not allow: {}",
                              util::quote(name), util::quote(std::string_view(&c, 1))),
                  "use only letters, digits and _ . - /");
    }
  }
  bool hierarchical = name.find('/') != std::string_view::npos;
  if (hierarchical && name.front() != '/') {
    throw Error(fmt::format("parameter name {} has a hierarchy but does not start with '/'",
                            util::quote(name)),
                fmt::format("write it fully qualified: '/{}'", name));
  }
  std::string_view body = hierarchical ? name.substr(1) : name;
  std::string first = util::to_lower(body.substr(0, 3));
  if (first == "aws" || first == "ssm") {
    throw Error(fmt::format("parameter name {} starts with '{}', which SSM reserves",
                            util::quote(name), first));
  }
  if (hierarchical) check_levels("parameter name", name, body);
}

void check_parameter_path(std::string_view path) {
  if (path.empty() || path.front() != '/') {
    throw Error(fmt::format("parameter path {} does not start with '/'", util::quote(path)));
  }
  if (path == "/") return;
  std::string_view body = path.substr(1);
  if (body.back() == '/') body.remove_suffix(1);
  for (char c : body) {
    if (!is_name_char(c)) {
      throw Error(fmt::format("parameter path {} has a character SSM does not allow: {}",
                              util::quote(path), util::quote(std::string_view(&c, 1))),
                  "use only letters, digits and _ . - /");
    }
  }
  check_levels("parameter path", path, body);
}

void check_parameter(std::string_view name, std::string_view value, ParameterTier tier) {
  check_parameter_name(name);
  if (value.empty()) {
    throw Error(fmt::format("parameter {} has an empty value (nothing was written)", util::quote(name)),
                "SSM needs at least one character");
  }
  // AWS counts the bytes of the UTF-8 text, not characters.
  size_t size = value.size();
  if (size > k_advanced_value_limit) {
    throw Error(fmt::format("parameter {} is {} bytes, over SSM's limit of {} bytes in any tier "
                            "(nothing was written)",
                            util::quote(name), size, k_advanced_value_limit),
                "make the value smaller: keep large files in S3 (files push), not in a parameter");
  }
  if (size > k_standard_value_limit && tier == ParameterTier::standard) {
    throw Error(fmt::format("parameter {} is {} bytes, over the Standard tier's limit of {} bytes "
                            "(nothing was written)",
                            util::quote(name), size, k_standard_value_limit),
                fmt::format("pass --allow-advanced-tier (-t) to store it in the Advanced tier "
                            "(up to {} bytes)",
                            k_advanced_value_limit));
  }
}

}  // namespace handoff::store
