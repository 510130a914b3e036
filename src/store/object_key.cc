#include "store/object_key.h"

#include <fmt/format.h>

#include "util/error.h"
#include "util/strings.h"

namespace handoff::store {

std::optional<std::string> unsafe_key_reason(std::string_view key) {
  if (key.empty()) return "it is empty";
  if (key.size() > 1024) return "it is longer than 1024 bytes";
  if (key.find('\0') != std::string_view::npos) return "it contains a NUL byte";
  if (key.find('\\') != std::string_view::npos) return "it contains a backslash";
  if (key.front() == '/') return "it starts with '/'";
  if (key.back() == '/') return "it ends with '/' (a folder marker, not a file)";
  for (const auto& segment : util::split(key, '/')) {
    if (segment.empty()) return "it has an empty segment ('//')";
    if (segment == "." || segment == "..") return fmt::format("it has a '{}' segment", segment);
    if (segment.size() > 255) return "a segment is longer than 255 bytes";
  }
  return std::nullopt;
}

void check_object_key(std::string_view bucket, std::string_view key) {
  if (auto why = unsafe_key_reason(key)) {
    throw Error(fmt::format("refusing object key {} in bucket '{}': {}", util::quote(key), bucket, *why),
                "the local store keeps every object inside its bucket's folder");
  }
}

void check_bucket_name(std::string_view bucket) {
  bool ok = !bucket.empty() && bucket.size() <= 255 && bucket != "." && bucket != "..";
  for (char c : bucket) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-');
  }
  if (!ok) {
    throw Error(fmt::format("bucket name {} is not valid", util::quote(bucket)),
                "use letters, digits, '.', '-' and '_' only");
  }
}

}  // namespace handoff::store
