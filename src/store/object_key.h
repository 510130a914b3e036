#pragma once
// Which object keys and bucket names can be mapped to a local path without
// ever leaving the folder they belong in. Used by the local store and by
// anything that writes a downloaded key under a local folder.
#include <optional>
#include <string>
#include <string_view>

namespace handoff::store {

/// Why key cannot be a relative local path, or nullopt when it can. Refused:
/// empty, over 1024 bytes, NUL, backslash, a leading `/`, a trailing `/`
/// (S3's folder markers), empty, `.` or `..` segments, a segment over 255
/// bytes. Spaces, `+`, `=`, `%` and any other UTF-8 are fine.
std::optional<std::string> unsafe_key_reason(std::string_view key);
/// Throw handoff::Error (naming bucket and key) when unsafe_key_reason() says why.
void check_object_key(std::string_view bucket, std::string_view key);
/// Throw unless bucket is 1-255 of `A-Za-z0-9._-` and not `.` or `..`
/// (looser than S3's rules for new buckets, so legacy names still work).
void check_bucket_name(std::string_view bucket);

}  // namespace handoff::store
