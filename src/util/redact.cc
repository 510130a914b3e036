#include "util/redact.h"

#include <algorithm>

#include "util/strings.h"

namespace handoff::util {
namespace {

bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         (static_cast<unsigned char>(c) & 0x80) != 0;
}

// Replace p in s only where it stands as a word of its own, so a one-letter
// secret (moto's "t" keys) does not turn every message into "****".
std::string replace_words(std::string s, std::string_view p) {
  std::string out;
  size_t pos = 0;
  for (;;) {
    size_t hit = s.find(p, pos);
    if (hit == std::string::npos) break;
    bool before = hit > 0 && word_char(s[hit - 1]);
    bool after = hit + p.size() < s.size() && word_char(s[hit + p.size()]);
    out.append(s, pos, hit - pos);
    if (before || after) {
      out.append(p);
    } else {
      out.append(k_mask);
    }
    pos = hit + p.size();
  }
  out.append(s, pos);
  return out;
}

}  // namespace

void Redactor::add(std::string_view secret) {
  std::lock_guard lock(mutex_);
  auto add_one = [this](std::string_view p) {
    if (p.empty()) return;
    if (std::find(patterns_.begin(), patterns_.end(), p) != patterns_.end()) return;
    patterns_.emplace_back(p);
  };
  add_one(secret);
  // A value with a single trailing newline (a file) is also masked without it.
  std::string_view stripped = secret;
  while (!stripped.empty() && (stripped.back() == '\n' || stripped.back() == '\r')) {
    stripped.remove_suffix(1);
  }
  add_one(stripped);
  if (stripped.find('\n') != std::string_view::npos) {
    for (const auto& line : split(stripped, '\n')) {
      std::string_view t = trim(line);
      if (t.size() >= k_min_line_length) add_one(t);
    }
  }
  std::sort(patterns_.begin(), patterns_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Redactor::mask(std::string_view text) const {
  std::lock_guard lock(mutex_);
  std::string out(text);
  if (patterns_.empty()) return out;
  for (const auto& p : patterns_) {
    if (out.size() < p.size()) continue;
    out = p.size() < k_min_line_length ? replace_words(std::move(out), p)
                                       : replace_all(std::move(out), p, k_mask);
  }
  return out;
}

size_t Redactor::longest() const {
  std::lock_guard lock(mutex_);
  return patterns_.empty() ? 0 : patterns_.front().size();
}

bool Redactor::empty() const {
  std::lock_guard lock(mutex_);
  return patterns_.empty();
}

void Redactor::clear() {
  std::lock_guard lock(mutex_);
  patterns_.clear();
}

Redactor& redactor() {
  static Redactor instance;
  return instance;
}

}  // namespace handoff::util
