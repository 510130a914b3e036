#pragma once
// SSM Parameter Store's rules for names and values, shared by every backend so
// the local store refuses exactly what AWS would (and the AWS backend refuses
// it before any request, so nothing is half-written).
#include <cstddef>
#include <string_view>

#include "store/store.h"

namespace handoff::store {

inline constexpr size_t k_standard_value_limit = 4096;  ///< bytes, Standard tier
inline constexpr size_t k_advanced_value_limit = 8192;  ///< bytes, Advanced tier
inline constexpr size_t k_max_name_length = 2048;       ///< characters, path included
inline constexpr size_t k_max_name_depth = 15;          ///< levels of a `/` hierarchy

/// Throw handoff::Error unless name is a valid SSM parameter name: only
/// `a-zA-Z0-9_.-/`; a hierarchy starts with `/`, has no empty level and at most
/// 15 levels; at most 2048 characters; not prefixed with "aws" or "ssm".
void check_parameter_name(std::string_view name);
/// Throw unless path is a valid GetParametersByPath path (`/`, or `/a/b` with
/// an optional trailing `/`).
void check_parameter_path(std::string_view path);
/// check_parameter_name, then the value: not empty, and its size in bytes (as
/// AWS counts it) within the tier's limit. The error says the size, the limit
/// and what to do.
void check_parameter(std::string_view name, std::string_view value, ParameterTier tier);

}  // namespace handoff::store
