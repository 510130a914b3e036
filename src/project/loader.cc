#include "project/loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "project/yaml_value.h"
#include "util/edit_distance.h"
#include "util/error.h"
#include "util/log.h"

namespace handoff::project::detail {

std::string item_path(const std::string& list_path, size_t index) {
  return fmt::format("{}[{}]", list_path, index);
}

std::string node_type_name(const YAML::Node& node) {
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  return type_name(resolve_scalar(node));
}

// ---- Loader

Location Loader::location(const YAML::Node& node, const std::string& path) const {
  auto [line, column] = line_column(node);
  return Location{file_, line, column, path};
}

void Loader::add(const Location& loc, std::string text) {
  problems_.push_back(Problem{loc.line, loc.column, std::move(text)});
}

void Loader::problem(const YAML::Node& at, const std::string& path, std::string_view message) {
  problem(location(at, path), message);
}

void Loader::problem(const Location& loc, std::string_view message) {
  if (loc.path.empty()) {
    add(loc, fmt::format("{}: {}", loc.where(), message));
  } else {
    add(loc, fmt::format("{}: {}: {}", loc.where(), loc.path, message));
  }
}

void Loader::warning(const YAML::Node& at, std::string_view message) const {
  log::warning("{}: {}", location(at, {}).where(), message);
}

void Loader::throw_if_problems() const {
  if (problems_.empty()) return;
  // Report in document order, whatever order the checks ran in.
  std::vector<Problem> sorted = problems_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Problem& a, const Problem& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  std::string hint = fmt::format("fix {} and try again", file_);
  if (sorted.size() == 1) throw UsageError(sorted[0].text, hint);
  std::string message = fmt::format("{} has {} problems:", file_, sorted.size());
  for (const auto& p : sorted) message += "\n  " + p.text;
  throw UsageError(message, hint);
}

bool Loader::expect_map(const YAML::Node& node, const std::string& path) {
  if (node.IsMap()) return true;
  problem(node, path, fmt::format("expected a mapping, got {}", node_type_name(node)));
  return false;
}

// ---- Record

Record::Record(Loader& loader, const YAML::Node& node, std::string path,
               const std::vector<std::string>& known_keys)
    : loader_(loader), node_(node), path_(std::move(path)) {
  if (!node.IsMap()) return;
  auto on_duplicate = [&](const YAML::Node& key, const std::string& name) {
    loader_.warning(key, fmt::format("duplicate key '{}'{}; the last one wins", name,
                                     path_.empty() ? "" : " in " + path_));
  };
  for (auto& [key, value] : map_entries(node, on_duplicate)) {
    std::string name = key.IsScalar() ? key.Scalar() : YAML::Dump(key);
    bool known = false;
    for (const auto& k : known_keys) known = known || k == name;
    if (!known) {
      std::string suggestion = util::spellcheck(name, known_keys);
      loader_.warning(
          key, fmt::format("unknown key '{}'{}{}", name, path_.empty() ? "" : " in " + path_,
                           suggestion.empty() ? std::string()
                                              : fmt::format(" (did you mean '{}'?)", suggestion)));
    }
    fields_.push_back(Field{std::move(name), key, value});
  }
}

const Record::Field* Record::find(std::string_view key) const {
  for (const auto& f : fields_) {
    if (f.name == key) return &f;
  }
  return nullptr;
}

std::string Record::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

const YAML::Node& Record::at(std::string_view key) const {
  const Field* f = find(key);
  if (f == nullptr) return node_;
  return f->value.IsNull() ? f->key : f->value;
}

void Record::wrong_type(const Field& f, std::string_view expected) const {
  loader_.problem(f.value.IsNull() ? f.key : f.value, path_of(f.name),
                  fmt::format("expected {}, got {}", expected, node_type_name(f.value)));
}

std::optional<std::string> Record::string(std::string_view key) const {
  const Field* f = find(key);
  if (f == nullptr || f->value.IsNull()) return std::nullopt;
  if (f->value.IsScalar()) {
    Value v = resolve_scalar(f->value);
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return std::nullopt;
  }
  wrong_type(*f, "a string");
  return std::nullopt;
}

std::optional<bool> Record::boolean(std::string_view key) const {
  const Field* f = find(key);
  if (f == nullptr || f->value.IsNull()) return std::nullopt;
  if (f->value.IsScalar()) {
    Value v = resolve_scalar(f->value);
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_null()) return std::nullopt;
  }
  wrong_type(*f, "a boolean");
  return std::nullopt;
}

std::optional<double> Record::number(std::string_view key) const {
  const Field* f = find(key);
  if (f == nullptr || f->value.IsNull()) return std::nullopt;
  if (f->value.IsScalar()) {
    Value v = resolve_scalar(f->value);
    if (v.is_number()) return v.get<double>();
    if (v.is_null()) return std::nullopt;
  }
  wrong_type(*f, "a number");
  return std::nullopt;
}

std::optional<double> Record::seconds(std::string_view key) const {
  auto n = number(key);
  if (n && !(*n > 0)) {  // also catches nan
    loader_.problem(
        at(key), path_of(key),
        fmt::format("expected a number of seconds greater than 0, got {}", python_str(*n)));
    return std::nullopt;
  }
  return n;
}

std::optional<std::string> Record::string_or_number(std::string_view key) const {
  const Field* f = find(key);
  if (f == nullptr || f->value.IsNull()) return std::nullopt;
  if (f->value.IsScalar()) {
    Value v = resolve_scalar(f->value);
    if (v.is_string() || v.is_number()) return python_str(v);
    if (v.is_null()) return std::nullopt;
  }
  wrong_type(*f, "a string or a number");
  return std::nullopt;
}

std::optional<YAML::Node> Record::list(std::string_view key, bool null_ok) const {
  const Field* f = find(key);
  if (f == nullptr) return std::nullopt;
  if (f->value.IsSequence()) return f->value;
  if (null_ok && f->value.IsNull()) return std::nullopt;
  if (null_ok && f->value.IsScalar() && resolve_scalar(f->value).is_null()) return std::nullopt;
  wrong_type(*f, "a list");
  return std::nullopt;
}

std::optional<Value> Record::value(std::string_view key) const {
  const Field* f = find(key);
  if (f == nullptr) return std::nullopt;
  return node_to_value(f->value);
}

}  // namespace handoff::project::detail
