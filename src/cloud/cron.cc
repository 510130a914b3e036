#include "cloud/cron.h"

#include <array>
#include <cctype>
#include <cstdio>
#include <optional>

#include <fmt/format.h>

#include "util/error.h"
#include "util/strings.h"

namespace handoff::cloud {

namespace {

using namespace std::chrono;  // NOLINT: calendar arithmetic reads better without the prefix

constexpr std::array<const char*, 12> k_months = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                  "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<const char*, 7> k_weekdays = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

/// One field's rules: its name for messages, its range, its names.
struct Field {
  const char* name;
  int min;
  int max;
  const char* const* names = nullptr;  ///< names[i] is min + i
  int name_count = 0;
  bool wraps = false;                  ///< FRI-MON: a range may wrap around (weekdays)
};

constexpr Field k_minute{"minutes", 0, 59};
constexpr Field k_hour{"hours", 0, 23};
constexpr Field k_dom{"day-of-month", 1, 31};
constexpr Field k_month{"month", 1, 12, k_months.data(), 12};
constexpr Field k_dow{"day-of-week", 1, 7, k_weekdays.data(), 7, true};
constexpr Field k_year{"year", Cron::k_min_year, Cron::k_max_year};

class Parser {
 public:
  explicit Parser(std::string text) : text_(std::move(text)) {}

  [[noreturn]] void fail(const Field& f, const std::string& part, const std::string& why) const {
    throw UsageError(fmt::format("cron '{}': {} '{}': {}", text_, f.name, part, why),
                     "AWS cron has 6 fields: minutes hours day-of-month month day-of-week year, "
                     "e.g. '0 12 ? * MON-FRI *' (see `handoff cloud schedule explain --help`)");
  }

  /// A number or (for month and weekday) a name, checked against the range.
  int value(const Field& f, const std::string& token, const std::string& part) const {
    if (token.empty()) fail(f, part, "a value is missing");
    if (std::isdigit(static_cast<unsigned char>(token[0]))) {
      int v = 0;
      for (char ch : token) {
        if (!std::isdigit(static_cast<unsigned char>(ch))) fail(f, part, "'" + token + "' is not a number");
        v = v * 10 + (ch - '0');
        if (v > 100000) break;
      }
      if (v < f.min || v > f.max) {
        fail(f, part, fmt::format("{} is out of range {}-{}", token, f.min, f.max));
      }
      return v;
    }
    std::string upper = util::to_upper(token);
    for (int i = 0; i < f.name_count; ++i) {
      if (upper == f.names[i]) return f.min + i;
    }
    if (f.name_count > 0) {
      fail(f, part, fmt::format("'{}' is neither a number {}-{} nor a name {}-{}", token, f.min,
                                f.max, f.names[0], f.names[f.name_count - 1]));
    }
    fail(f, part, "'" + token + "' is not a number");
  }

  /// `*`, lists, ranges and steps: a set indexed from f.min.
  std::vector<bool> set(const Field& f, const std::string& part) const {
    std::vector<bool> out(static_cast<size_t>(f.max - f.min + 1), false);
    for (const std::string& item : util::split(part, ',')) {
      std::string base = item;
      int step = 1;
      if (auto slash = item.find('/'); slash != std::string::npos) {
        base = item.substr(0, slash);
        std::string s = item.substr(slash + 1);
        if (s.empty() || s.size() > 4 || s.find_first_not_of("0123456789") != std::string::npos ||
            std::stoi(s) < 1) {
          fail(f, part, "step '" + s + "' must be a positive number");
        }
        step = std::stoi(s);
      }
      int lo = f.min;
      int hi = f.max;
      if (base == "*") {
      } else if (auto dash = base.find('-'); dash != std::string::npos && dash > 0) {
        lo = value(f, base.substr(0, dash), part);
        hi = value(f, base.substr(dash + 1), part);
        if (lo > hi && !f.wraps) fail(f, part, fmt::format("range {} runs backwards", base));
      } else {
        lo = value(f, base, part);
        hi = item.find('/') != std::string::npos ? f.max : lo;
      }
      int span = f.max - f.min + 1;
      int count = lo <= hi ? hi - lo + 1 : hi - lo + 1 + span;  // wrapped weekday range
      for (int i = 0; i < count; i += step) {
        int v = lo + i;
        if (v > f.max) v -= span;
        out[static_cast<size_t>(v - f.min)] = true;
      }
    }
    return out;
  }

  template <size_t N>
  std::bitset<N> bits(const Field& f, const std::string& part) const {
    std::bitset<N> b;
    std::vector<bool> s = set(f, part);
    for (size_t i = 0; i < s.size(); ++i) b[i + static_cast<size_t>(f.min)] = s[i];
    return b;
  }

  void day_of_month(Cron& c, const std::string& part) const {
    std::string p = util::to_upper(part);
    if (p == "L") {
      c.kind = Cron::DayKind::last;
    } else if (p == "LW") {
      c.kind = Cron::DayKind::last_weekday;
    } else if (p.size() > 1 && p.back() == 'W') {
      c.kind = Cron::DayKind::nearest_weekday;
      c.day = value(k_dom, p.substr(0, p.size() - 1), part);
    } else if (p == "*") {
      c.kind = Cron::DayKind::any;
    } else if (p.find_first_of("LW#") != std::string::npos) {
      fail(k_dom, part, "L, LW and nW stand alone (not in lists or ranges); L-n is not supported");
    } else {
      c.kind = Cron::DayKind::days;
      c.days = bits<32>(k_dom, part);
    }
  }

  void day_of_week(Cron& c, const std::string& part) const {
    std::string p = util::to_upper(part);
    c.by_weekday = true;
    if (auto hash = p.find('#'); hash != std::string::npos) {
      c.kind = Cron::DayKind::nth_weekday;
      c.weekday = value(k_dow, p.substr(0, hash), part);
      std::string n = p.substr(hash + 1);
      if (n.size() != 1 || n[0] < '1' || n[0] > '5') fail(k_dow, part, "after '#' comes 1-5");
      c.nth = n[0] - '0';
    } else if (p == "L") {
      c.kind = Cron::DayKind::weekdays;  // L alone: the last day of the week, Saturday
      c.weekdays.reset();
      c.weekdays[7] = true;
    } else if (p.size() > 1 && p.back() == 'L') {
      c.kind = Cron::DayKind::last_of_weekday;
      c.weekday = value(k_dow, p.substr(0, p.size() - 1), part);
    } else if (p == "*") {
      c.kind = Cron::DayKind::any;
    } else {
      c.kind = Cron::DayKind::weekdays;
      c.weekdays = bits<8>(k_dow, part);
    }
  }

 private:
  std::string text_;
};

int last_day(year_month_day ymd) {
  return static_cast<int>(static_cast<unsigned>(year_month_day_last(ymd.year(), month_day_last(ymd.month())).day()));
}

/// 1 = SUN … 7 = SAT.
int aws_weekday(year_month_day ymd) { return static_cast<int>(weekday(sys_days(ymd)).c_encoding()) + 1; }

int weekday_of(year_month_day ymd, int d) {
  return aws_weekday(year_month_day(ymd.year(), ymd.month(), day(static_cast<unsigned>(d))));
}

}  // namespace

Cron parse_cron(std::string_view expression) {
  std::string text(util::trim(expression));
  if (text.rfind("cron(", 0) == 0 && text.size() > 5 && text.back() == ')') {
    text = std::string(util::trim(std::string_view(text).substr(5, text.size() - 6)));
  }
  if (text.rfind("rate(", 0) == 0) {
    throw UsageError("'" + text + "' is a rate expression, not cron",
                     "give the six cron fields, e.g. '0/15 * * * ? *' for every 15 minutes");
  }
  std::vector<std::string> fields;
  for (const std::string& f : util::split(text, ' ')) {
    if (!f.empty()) fields.push_back(f);
  }
  if (fields.size() != 6) {
    throw UsageError(fmt::format("cron '{}' has {} fields, AWS cron has 6", text, fields.size()),
                     "minutes hours day-of-month month day-of-week year, e.g. '0 0 * * ? *' (a "
                     "5-field Unix cron needs '?' in one day field and a year field)");
  }
  Parser p(text);
  Cron c;
  c.text = text;
  c.minutes = p.bits<60>(k_minute, fields[0]);
  c.hours = p.bits<24>(k_hour, fields[1]);
  c.months = p.bits<13>(k_month, fields[3]);
  c.years = p.set(k_year, fields[5]);
  bool dom_any = fields[2] == "?";
  bool dow_any = fields[4] == "?";
  if (dom_any == dow_any) {
    throw UsageError(
        fmt::format("cron '{}': exactly one of day-of-month '{}' and day-of-week '{}' must be '?'",
                    text, fields[2], fields[4]),
        "AWS cannot combine the two day fields: use e.g. '0 0 * * ? *' or '0 0 ? * MON *'");
  }
  if (dow_any) {
    p.day_of_month(c, fields[2]);
  } else {
    p.day_of_week(c, fields[4]);
  }
  return c;
}

bool day_matches(const Cron& c, year_month_day ymd) {
  int d = static_cast<int>(static_cast<unsigned>(ymd.day()));
  int last = last_day(ymd);
  switch (c.kind) {
    case Cron::DayKind::any:
      return true;
    case Cron::DayKind::days:
      return c.days[static_cast<size_t>(d)];
    case Cron::DayKind::last:
      return d == last;
    case Cron::DayKind::last_weekday: {
      int w = last;
      while (weekday_of(ymd, w) == 1 || weekday_of(ymd, w) == 7) --w;
      return d == w;
    }
    case Cron::DayKind::nearest_weekday: {
      if (c.day > last) return false;
      int w = c.day;
      int wd = weekday_of(ymd, w);
      if (wd == 7) w = w == 1 ? 3 : w - 1;          // Saturday: Friday, or Monday the 3rd
      if (wd == 1) w = w == last ? w - 2 : w + 1;   // Sunday: Monday, or Friday before the end
      return d == w;
    }
    case Cron::DayKind::weekdays:
      return c.weekdays[static_cast<size_t>(aws_weekday(ymd))];
    case Cron::DayKind::last_of_weekday:
      return aws_weekday(ymd) == c.weekday && d + 7 > last;
    case Cron::DayKind::nth_weekday:
      return aws_weekday(ymd) == c.weekday && (d - 1) / 7 + 1 == c.nth;
  }
  return false;
}

std::vector<TimePoint> next_runs(const Cron& c, TimePoint after, int count) {
  std::vector<TimePoint> out;
  if (count <= 0) return out;
  sys_seconds start = floor<minutes>(after) + minutes(1);
  sys_days today = floor<days>(start);
  int first = static_cast<int>(duration_cast<minutes>(start - today).count());
  auto full = [&] { return static_cast<int>(out.size()) >= count; };
  while (!full()) {
    year_month_day ymd(today);
    int y = static_cast<int>(ymd.year());
    if (y > Cron::k_max_year) break;
    if (y < Cron::k_min_year || !c.years[static_cast<size_t>(y - Cron::k_min_year)]) {
      today = sys_days(year(std::max(y + 1, Cron::k_min_year)) / January / 1);
      first = 0;
      continue;
    }
    if (!c.months[static_cast<unsigned>(ymd.month())]) {
      year_month next = year_month(ymd.year(), ymd.month()) + months(1);
      today = sys_days(next / 1);
      first = 0;
      continue;
    }
    if (day_matches(c, ymd)) {
      for (int h = first / 60; h < 24 && !full(); ++h) {
        if (!c.hours[static_cast<size_t>(h)]) continue;
        for (int m = h == first / 60 ? first % 60 : 0; m < 60 && !full(); ++m) {
          if (c.minutes[static_cast<size_t>(m)]) out.push_back(today + hours(h) + minutes(m));
        }
      }
    }
    today += days(1);
    first = 0;
  }
  return out;
}

std::string format_utc(TimePoint t) {
  sys_days d = floor<days>(t);
  year_month_day ymd(d);
  hh_mm_ss hms(t - d);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

TimePoint parse_utc(std::string_view text) {
  std::string s(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  char sep = 0;
  int n = 0;
  int fields = std::sscanf(s.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &se, &n);
  bool ok = false;
  if (fields == 7 && (sep == 'T' || sep == ' ')) {
    std::string rest = s.substr(static_cast<size_t>(n));
    ok = rest.empty() || rest == "Z";
  } else if (fields == 6 || fields == 3 || fields == 4) {
    // "2026-12-01T00:00" or "2026-12-01": re-scan exactly.
    h = mi = se = 0;
    n = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) == 5) {
      std::string rest = s.substr(static_cast<size_t>(n));
      ok = rest.empty() || rest == "Z";
    } else if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3) {
      ok = static_cast<size_t>(n) == s.size();
      h = mi = 0;
    }
  }
  year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ok || !ymd.ok() || h > 23 || mi > 59 || se > 59) {
    throw UsageError("'" + s + "' is not a UTC time", "write it as 2026-12-01T00:00:00Z");
  }
  return sys_days(ymd) + hours(h) + minutes(mi) + seconds(se);
}

}  // namespace handoff::cloud
