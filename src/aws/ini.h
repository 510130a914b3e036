#pragma once
// The INI dialect of ~/.aws/credentials and ~/.aws/config, as botocore reads
// it: `[section]` headers, `key = value` (or `key: value`), whole-line comments
// starting with '#' or ';', keys lower-cased. An indented block under a key
// with an empty value (`s3 =` then `  addressing_style = path`) is a nested
// section; it is skipped.
#include <map>
#include <string>
#include <string_view>

namespace handoff::aws {

struct IniSection {
  std::map<std::string, std::string> values;
};

struct IniFile {
  std::map<std::string, IniSection> sections;  // by name as written in the brackets
};

/// Parse text. A line that is neither a section, a key, a comment nor a nested
/// line throws handoff::Error "<origin>:<line>: ...". The message never quotes
/// the line: it may hold a secret key.
IniFile parse_ini(std::string_view text, std::string_view origin);

}  // namespace handoff::aws
